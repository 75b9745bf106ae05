import Foundation
import Testing
import WebAuthn
import X509

/// Runs every WebAuthn relying-party vector in `PASSKEYS_VECTORS` (real authenticators' data,
/// FIDO conformance data and the W3C Level 3 test vectors) and checks each outcome, and on
/// acceptance the verifier's outputs against the vector's `metadata`.
@Suite("Conformance vectors")
struct ConformanceTests {
    static let vectorsFolder = ProcessInfo.processInfo.environment["PASSKEYS_VECTORS"]

    /// Formats that have their own issue and are reported as pending until it lands.
    static let pendingFormats: Set<String> = []

    /// The behaviour this library picks for each kind of policy-dependent vector, and the
    /// setting that decides it.
    static let policyChoices: [String: String] = [
        "tpm-manufacturer-allowlist":
            "AttestationPolicy.tpmManufacturers = nil (default): no TPM vendor allow-list, as the spec sets none; trust comes from roots and metadata, so the test vendor ids FFFFF1D0 / 00000000 pass the statement checks",
        "android-key-authorization-list":
            "AttestationPolicy.androidKeyAuthorizations = .trustedExecutionEnvironment (default): origin and purpose must be in teeEnforced, the spec's reading for keys that must be in hardware",
        "online-revocation":
            "no online revocation checks (WebAuthn does no I/O); revoked authenticators are refused through metadata status reports",
        "no-attestation-trust-validation":
            "the vector's skip_chain_validation maps to AttestationPolicy.dangerouslySkipChainValidation: statement and signature checked, no path built",
    ]

    @Test("every vector agrees with its expected outcome", .enabled(if: vectorsFolder != nil, "PASSKEYS_VECTORS is not set: conformance vectors skipped"))
    func everyVectorAgrees() async throws {
        let folder = try #require(Self.vectorsFolder)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix(".json") && $0 != "index.json" }
            .sorted()
        #expect(!files.isEmpty, "no vectors in \(folder)")

        var agreed = 0
        var pending: [String] = []
        var policyDependent: [(policy: String, line: String, agrees: Bool)] = []
        var disagreements: [String] = []
        var otherCategories: [String] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(file))
            let vector = try JSONDecoder().decode(Vector.self, from: data)
            let outcome = await ConformanceRunner.run(vector)
            let format = vector.metadata?.fmt ?? ""
            let verdict = outcome.compare(with: vector)
            if let expected = vector.expected_result.category, let error = outcome.error, error.code.rawValue != expected {
                otherCategories.append("\(vector.id): expected \(expected), rejected with \(error.code)")
            }
            if let policy = vector.policyDependent {
                policyDependent.append((policy, "\(vector.id): \(verdict ?? "agrees")", verdict == nil))
            } else if vector.ceremony == "registration", Self.pendingFormats.contains(format) {
                pending.append("\(vector.id): \(verdict ?? "agrees")")
            } else if let verdict {
                disagreements.append("\(vector.id): \(verdict)")
            } else {
                agreed += 1
            }
        }
        let policyAgreed = policyDependent.filter(\.agrees).count
        var summary = "conformance: \(agreed) agree, \(disagreements.count) disagree, "
            + "\(policyDependent.count) policy-dependent (\(policyAgreed) agree under the policy chosen below)"
        if !pending.isEmpty {
            summary += ", \(pending.count) pending (formats \(Self.pendingFormats.sorted().joined(separator: ", ")))"
        }
        print(summary)
        for policy in Set(policyDependent.map(\.policy)).sorted() {
            print("  policy [\(policy)]: \(Self.policyChoices[policy] ?? "no choice recorded")")
            for entry in policyDependent where entry.policy == policy { print("    \(entry.line)") }
        }
        for line in pending { print("  pending: \(line)") }
        // A reject may fail an earlier check than its category names (README): reported only.
        for line in otherCategories { print("  other category: \(line)") }
        for line in disagreements { print("  DISAGREES: \(line)") }
        #expect(disagreements.isEmpty, "\(disagreements.count) vectors disagree:\n\(disagreements.joined(separator: "\n"))")
        #expect(agreed > 0)
    }
}

/// One vector, schema `webauthn-rp-vector/1` (see the vectors' README).
struct Vector: Decodable {
    struct Expected: Decodable {
        let rp_id: String
        let origins: [String]
        let challenge: String
        let require_user_verification: Bool?
        let require_user_presence: Bool?
        let supported_algs: [Int]?
        let allow_cross_origin: Bool?
        let top_origins: [String]?
        let safetynet_require_cts_profile_match: Bool?
    }
    struct StoredCredentialJSON: Decodable {
        let public_key: String
        let sign_count: UInt32
    }
    struct ExpectedResult: Decodable {
        let outcome: String
        let category: String?
    }
    struct Metadata: Decodable {
        struct AuthData: Decodable {
            let sign_count: UInt32?
            let aaguid: String?
            let credential_id: String?
            let credential_public_key: String?
        }
        let fmt: String?
        let auth_data: AuthData?
    }

    let id: String
    let ceremony: String
    let expected: Expected
    let credential: JSONValue
    let stored_credential: StoredCredentialJSON?
    let trust_anchors: [String: [String]]?
    let skip_chain_validation: Bool?
    let verification_time: String?
    let expected_result: ExpectedResult
    let policy_dependent: JSONValue?
    let metadata: Metadata?

    var policyDependent: String? {
        switch policy_dependent {
        case .none, .some(.null), .some(.bool(false)): nil
        case .some(.string(let reason)): reason
        case .some(let other): "\(other)"
        }
    }
}

/// Enough of JSON to carry the credential through unchanged.
enum JSONValue: Codable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): s
        case .array(let a): "\(a)"
        case .object(let o): "\(o)"
        }
    }
}

/// What the verifier said about one vector.
struct Outcome {
    var error: WebAuthnError?
    var credentialID: String?
    var publicKey: String?
    var signCount: UInt32?
    var aaguid: String?
    var format: String?

    /// `nil` when the outcome agrees with the vector, otherwise why not.
    func compare(with vector: Vector) -> String? {
        let expected = vector.expected_result
        if expected.outcome == "reject" {
            guard let error else { return "accepted, expected reject (\(expected.category ?? "?"))" }
            // A reject may fail an earlier check than its category names (README): outcomes
            // are compared, categories only reported.
            _ = error
            return nil
        }
        if let error { return "rejected with \(error.code): \(error.reason)" }
        guard let meta = vector.metadata?.auth_data else { return nil }
        if vector.ceremony == "registration" {
            if let id = meta.credential_id, id != credentialID { return "credential id \(credentialID ?? "nil") ≠ \(id)" }
            if let key = meta.credential_public_key, key != publicKey { return "public key differs" }
            if let aaguid = meta.aaguid, aaguid.lowercased() != self.aaguid { return "aaguid \(self.aaguid ?? "nil") ≠ \(aaguid)" }
            if let fmt = vector.metadata?.fmt, fmt != format { return "format \(format ?? "nil") ≠ \(fmt)" }
        }
        if let count = meta.sign_count, count != signCount { return "sign count \(signCount.map(String.init) ?? "nil") ≠ \(count)" }
        return nil
    }
}

enum ConformanceRunner {
    static func run(_ vector: Vector) async -> Outcome {
        do {
            let credentialJSON = try JSONEncoder().encode(vector.credential)
            let expected = vector.expected
            let algorithms = expected.supported_algs.map { $0.map(COSEAlgorithmIdentifier.init(rawValue:)) }
                ?? COSEAlgorithmIdentifier.implemented
            var roots: [AttestationFormat: [Certificate]] = [:]
            for (format, pems) in vector.trust_anchors ?? [:] {
                roots[AttestationFormat(rawValue: format)] = try pems.flatMap { try AttestationPolicy.certificates(pem: $0) }
            }
            let policy = AttestationPolicy(
                requirement: .acceptAny, roots: roots,
                verificationTime: vector.verification_time.flatMap(parseTime),
                dangerouslySkipChainValidation: vector.skip_chain_validation ?? false,
                safetyNetRequiresCTSProfileMatch: expected.safetynet_require_cts_profile_match ?? true)
            let configuration = try RelyingParty.Configuration(
                relyingPartyID: expected.rp_id, relyingPartyName: "Conformance",
                allowedOrigins: expected.origins,
                algorithms: algorithms.filter { COSEAlgorithmIdentifier.implemented.contains($0) },
                userVerification: expected.require_user_verification == true ? .required : .preferred,
                attestationPolicy: policy,
                allowCrossOrigin: expected.allow_cross_origin ?? false,
                allowedTopOrigins: expected.top_origins ?? [],
                dangerouslyAllowMissingUserPresence: expected.require_user_presence == false)
            let relyingParty = RelyingParty(configuration: configuration)
            let challenge = Challenge(uncheckedBytes: Base64URL.decode(expected.challenge) ?? [])

            if vector.ceremony == "registration" {
                let response = try RegistrationResponseJSON.parse(credentialJSON)
                let ceremony = RegistrationCeremony(
                    challenge: challenge, userHandle: UserHandle.random(),
                    userVerification: configuration.userVerification, algorithms: configuration.algorithms)
                let result = try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
                return Outcome(
                    credentialID: result.credentialID.base64URL,
                    publicKey: Base64URL.encode(result.publicKey.rawRepresentation),
                    signCount: result.signCount, aaguid: result.aaguid.uuidString, format: result.format.rawValue)
            } else {
                let response = try AuthenticationResponseJSON.parse(credentialJSON)
                guard let stored = vector.stored_credential else {
                    return Outcome(error: WebAuthnError(.malformed, "vector has no stored credential"))
                }
                // The user is taken as identified beforehand, and the owner of the credential.
                let owner = response.response.userHandle ?? UserHandle(uncheckedBytes: [1])
                let ceremony = AuthenticationCeremony(
                    challenge: challenge, allowCredentials: [], userVerification: configuration.userVerification,
                    userHandle: owner)
                let credential = StoredCredential(
                    id: response.rawId, userHandle: owner, publicKey: Base64URL.decode(stored.public_key) ?? [],
                    signCount: stored.sign_count, backupEligible: nil, backedUp: false)
                let result = try relyingParty.finishAuthentication(response: response, ceremony: ceremony, credential: credential)
                return Outcome(credentialID: result.credentialID.base64URL, signCount: result.newSignCount)
            }
        } catch let error as WebAuthnError {
            return Outcome(error: error)
        } catch {
            return Outcome(error: WebAuthnError(.malformed, "\(error)"))
        }
    }

    static func parseTime(_ string: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: string) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: string)
    }
}
