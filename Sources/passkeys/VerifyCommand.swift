import ArgumentParser
import Foundation
import WebAuthn

/// `passkeys verify`: check a registration or a sign-in offline, as a relying party would.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a registration or a sign-in offline and print the result as JSON.",
        discussion: """
            The credential is the JSON a browser's PublicKeyCredential.toJSON() gives, read from \
            --credential FILE or standard input. Accepted: exit 0 and {"verified": true, …}. \
            Rejected: exit 1 and {"verified": false, "error": {"code", "message"}}. Usage errors: exit 2. \
            An --algorithm this verifier does not know: exit 3 and the error code unsupported_algorithm.
            """,
        subcommands: [Registration.self, Authentication.self]
    )

    /// Options both ceremonies share.
    struct CommonOptions: ParsableArguments {
        @Option(name: .customLong("rp-id"), help: "The relying party ID, e.g. example.com.")
        var rpID: String

        @Option(name: .customLong("origin"), help: "An allowed origin (repeatable).")
        var origins: [String]

        @Option(help: "The challenge that was issued, base64url.")
        var challenge: String

        @Flag(help: "Reject a response without user verification (UV).")
        var requireUserVerification = false

        @Flag(help: "Accept a response without user presence (UP).")
        var allowMissingUserPresence = false

        @Flag(help: "Accept a ceremony run in a cross-origin iframe.")
        var allowCrossOrigin = false

        @Option(name: .customLong("top-origin"), help: "An allowed top-level origin for cross-origin use (repeatable).")
        var topOrigins: [String] = []

        @Option(help: "A file with the credential JSON (default: standard input).")
        var credential: String?

        func validate() throws {
            if origins.isEmpty { throw ValidationError("at least one --origin is required") }
            if Challenge(base64URL: challenge) == nil && Base64URL.decode(challenge) == nil {
                throw ValidationError("--challenge must be base64url")
            }
        }

        func readCredential() throws -> Data {
            if let path = credential {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("cannot read --credential \(path)")
                }
                return data
            }
            return FileHandle.standardInput.readDataToEndOfFile()
        }

        var challengeValue: Challenge {
            Challenge(uncheckedBytes: Base64URL.decode(challenge) ?? [])
        }

        func relyingPartyConfiguration(
            algorithms: [COSEAlgorithmIdentifier] = COSEAlgorithmIdentifier.implemented,
            attestationPolicy: AttestationPolicy = AttestationPolicy()
        ) throws -> RelyingParty.Configuration {
            do {
                return try RelyingParty.Configuration(
                    relyingPartyID: rpID, relyingPartyName: rpID, allowedOrigins: origins, algorithms: algorithms,
                    userVerification: requireUserVerification ? .required : .preferred,
                    attestationPolicy: attestationPolicy, allowCrossOrigin: allowCrossOrigin,
                    allowedTopOrigins: topOrigins, dangerouslyAllowMissingUserPresence: allowMissingUserPresence)
            } catch {
                throw ValidationError(error.reason)
            }
        }
    }

    struct Registration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a registration (navigator.credentials.create()).")

        @OptionGroup var common: CommonOptions

        // COSE algorithm ids are mostly negative: the value after --algorithm is taken as given,
        // or "--algorithm -48" would read -48 as an option.
        @Option(
            name: .customLong("algorithm"), parsing: .unconditionalSingleValue,
            help: "An allowed COSE algorithm id, e.g. -7 or -48 (repeatable; default: every supported one).")
        var algorithms: [Int] = []

        @Option(name: .customLong("trust-anchor"), help: "A PEM file of attestation roots to require a path to (repeatable).")
        var trustAnchors: [String] = []

        @Flag(help: "Check attestation signatures and statements but build no certificate path.")
        var skipChainValidation = false

        @Option(name: .customLong("at"), help: "\"Now\" for certificate validity, ISO 8601 (e.g. 2020-01-01T00:00:00Z).")
        var at: String?

        func validate() throws {
            if let at, Self.parseTime(at) == nil { throw ValidationError("--at must be an ISO 8601 time") }
        }

        static func parseTime(_ string: String) -> Date? {
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: string) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: string)
        }

        func run() async throws {
            // A well-formed number this verifier cannot check is not a usage error: it gets its own
            // exit status, so a script can tell "unknown algorithm" from a mistyped command.
            let known = COSEAlgorithmIdentifier.implemented
            if let unknown = algorithms.first(where: { !known.contains(COSEAlgorithmIdentifier($0)) }) {
                let names = known.map { "\($0.rawValue) (\($0.name))" }.joined(separator: ", ")
                VerifyOutput.refuse(
                    WebAuthnError(.unsupportedAlgorithm, "--algorithm \(unknown) is not a COSE algorithm this verifier knows; it knows \(names)"),
                    exitCode: VerifyOutput.unsupportedAlgorithmExitCode)
            }
            let roots = try PEMFiles.certificates(trustAnchors, option: "trust-anchor", problem: ValidationError.init)
            // Roots given on the command line apply to whichever certificate-based format arrives.
            let formats: [AttestationFormat] = [.packed, .fidoU2F, .tpm, .androidKey, .androidSafetyNet, .apple]
            let policy = AttestationPolicy(
                requirement: roots.isEmpty ? .acceptAny : .trustedRoot,
                roots: roots.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: formats.map { ($0, roots) }),
                verificationTime: at.flatMap(Self.parseTime),
                dangerouslySkipChainValidation: skipChainValidation)
            let allowed = algorithms.isEmpty ? COSEAlgorithmIdentifier.implemented : algorithms.map(COSEAlgorithmIdentifier.init(rawValue:))
            let relyingParty = RelyingParty(configuration: try common.relyingPartyConfiguration(algorithms: allowed, attestationPolicy: policy))
            let json = try common.readCredential()
            do {
                let response = try RegistrationResponseJSON.parse(json)
                let ceremony = RegistrationCeremony(
                    challenge: common.challengeValue, userHandle: UserHandle.random(),
                    userVerification: relyingParty.configuration.userVerification, algorithms: allowed)
                let result = try await relyingParty.finishRegistration(response: response, ceremony: ceremony)
                VerifyOutput.print([
                    "verified": true,
                    "credentialId": result.credentialID.base64URL,
                    "publicKey": Base64URL.encode(result.publicKey.rawRepresentation),
                    "algorithm": result.algorithm.rawValue,
                    "signCount": Int(result.signCount),
                    "aaguid": result.aaguid.uuidString,
                    "format": result.format.rawValue,
                    "attestationType": result.attestationType.rawValue,
                    "attestationTrusted": result.attestationTrusted,
                    "userVerified": result.userVerified,
                    "backupEligible": result.backupEligible,
                    "backedUp": result.backedUp,
                ])
            } catch {
                VerifyOutput.reject(error)
            }
        }
    }

    struct Authentication: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a sign-in (navigator.credentials.get()).")

        @OptionGroup var common: CommonOptions

        @Option(name: .customLong("public-key"), help: "The stored credential public key (COSE_Key), base64url.")
        var publicKey: String

        @Option(name: .customLong("sign-count"), help: "The stored signature counter.")
        var signCount: UInt32

        func validate() throws {
            if Base64URL.decode(publicKey) == nil { throw ValidationError("--public-key must be base64url") }
        }

        func run() async throws {
            let relyingParty = RelyingParty(configuration: try common.relyingPartyConfiguration())
            let json = try common.readCredential()
            do {
                let response = try AuthenticationResponseJSON.parse(json)
                // Offline there is no account database: the credential is taken to belong to
                // whichever user the response names.
                let owner = response.response.userHandle ?? UserHandle(uncheckedBytes: [0])
                let ceremony = AuthenticationCeremony(
                    challenge: common.challengeValue, allowCredentials: [],
                    userVerification: relyingParty.configuration.userVerification, userHandle: owner)
                let stored = StoredCredential(
                    id: response.rawId, userHandle: owner, publicKey: Base64URL.decode(publicKey) ?? [],
                    signCount: signCount, backupEligible: nil, backedUp: false)
                let result = try relyingParty.finishAuthentication(response: response, ceremony: ceremony, credential: stored)
                VerifyOutput.print([
                    "verified": true,
                    "credentialId": result.credentialID.base64URL,
                    "signCount": Int(result.newSignCount),
                    "userVerified": result.userVerified,
                    "backupEligible": result.backupEligible,
                    "backedUp": result.backedUp,
                ])
            } catch {
                VerifyOutput.reject(error)
            }
        }
    }
}

/// Prints the verifier's one JSON object and sets the exit status.
enum VerifyOutput {
    static func print(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// The exit status for an --algorithm the verifier does not know.
    static let unsupportedAlgorithmExitCode: Int32 = 3

    static func reject(_ error: any Error) -> Never {
        refuse(error, exitCode: 1)
    }

    static func refuse(_ error: any Error, exitCode: Int32) -> Never {
        let code: String
        let message: String
        if let error = error as? WebAuthnError {
            code = error.code.rawValue
            message = error.reason
        } else {
            code = "malformed"
            message = String(describing: error)
        }
        print(["verified": false, "error": ["code": code, "message": message]])
        exit(exitCode)
    }
}
