import Crypto
import Foundation
import X509

/// §8.5 the `android-safetynet` format: Google's SafetyNet service vouches for the device in a
/// JWS over a nonce made from the registration. (Deprecated by Google, still sent by older
/// Android devices.)
enum AndroidSafetyNetAttestation {
    /// The host name SafetyNet attestation certificates are issued to.
    static let attestationHostname = "attest.android.com"
    /// How far in the future `timestampMs` may be: clock skew between Google and the RP.
    static let maximumClockSkew: TimeInterval = 60
    /// How old `timestampMs` may be: the response is made as the credential is created, so a
    /// few minutes (the default ceremony timeout) is ample.
    static let maximumAge: TimeInterval = 300

    /// The parts of the SafetyNet JWS payload that §8.5 reads.
    struct Payload: Decodable {
        let nonce: String?
        let timestampMs: Int64?
        let ctsProfileMatch: Bool?
    }

    static func verify(_ input: AttestationInput) async throws(WebAuthnError) -> AttestationResult {
        let statement = input.statement
        // §8.5 step 1: the statement's syntax.
        guard let ver = statement["ver"]?.textValue, !ver.isEmpty else {
            throw WebAuthnError(.malformed, "android-safetynet attestation: ver must be a non-empty string")
        }
        guard let response = statement["response"]?.bytesValue else {
            throw WebAuthnError(.malformed, "android-safetynet attestation: response is missing")
        }
        let what = "android-safetynet response"
        let jws = try CompactJWS(utf8: response, what: what)
        guard let leaf = jws.certificates.first else {
            throw WebAuthnError(.malformed, "\(what) has no x5c certificate chain")
        }
        // §8.5 step 4: the JWS is signed by attest.android.com. The payload is read only once
        // its signature holds.
        guard isIssued(to: attestationHostname, leaf) else {
            throw WebAuthnError(.attestationPolicy, "\(what) is not signed by a certificate for \(attestationHostname)")
        }
        try jws.verifySignature(what: what)
        let payload: Payload
        do {
            payload = try JSONDecoder().decode(Payload.self, from: Data(jws.payload))
        } catch {
            throw WebAuthnError(.malformed, "\(what) payload is not the expected JSON")
        }
        // §8.5 step 3: the nonce is base64(SHA-256(authenticatorData ‖ clientDataHash)).
        let expectedNonce = Array(SHA256.hash(data: input.authenticatorData.rawRepresentation + input.clientDataHash))
        guard let nonceText = payload.nonce, let nonce = Data(base64Encoded: nonceText),
              constantTimeEquals(nonce, expectedNonce) else {
            throw WebAuthnError(.attestationNonceMismatch, "\(what): nonce is not the hash of authenticatorData ‖ clientDataHash")
        }
        // §8.5 step 4: the device passed compatibility testing, unless the policy waives it.
        if input.trust.policy.safetyNetRequiresCTSProfileMatch, payload.ctsProfileMatch != true {
            throw WebAuthnError(.attestationPolicy, "\(what): ctsProfileMatch is not true")
        }
        // SafetyNet's own guidance: the response is fresh.
        guard let timestampMs = payload.timestampMs else {
            throw WebAuthnError(.malformed, "\(what) payload has no timestampMs")
        }
        let now = input.trust.policy.verificationTime ?? Date()
        let age = now.timeIntervalSince1970 - Double(timestampMs) / 1000
        guard age >= -maximumClockSkew else {
            throw WebAuthnError(.attestationPolicy, "\(what): timestampMs is \(Int(-age)) s in the future")
        }
        guard age <= maximumAge else {
            throw WebAuthnError(.attestationPolicy, "\(what): timestampMs is \(Int(age)) s old, more than \(Int(maximumAge)) s")
        }

        let trusted = try await input.trust.evaluate(chain: jws.certificates, format: .androidSafetyNet)
        return AttestationResult(type: .basic, trustPath: jws.certificates, trusted: trusted)
    }

    /// Whether the certificate is for `hostname`: a DNS subject alternative name, or the subject
    /// common name when it has none (RFC 6125 §6.4.4).
    static func isIssued(to hostname: String, _ certificate: Certificate) -> Bool {
        var dnsNames: [String] = []
        if let names = try? certificate.extensions.subjectAlternativeNames {
            for case .dnsName(let name) in names { dnsNames.append(name) }
        }
        if !dnsNames.isEmpty {
            return dnsNames.contains { $0.lowercased() == hostname }
        }
        return AttestationCertificates.subjectValues(certificate, .RDNAttributeType.commonName).contains { $0.lowercased() == hostname }
    }
}
