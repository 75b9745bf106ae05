import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Certificate path validation with swift-certificates, shared by attestation and metadata.
enum CertificateChains {
    /// The most certificates an `x5c` list may hold, leaf included.
    ///
    /// §8 (and RFC 7515 §4.1.6 for a JWS): `x5c` is the attestation certificate followed by its
    /// chain. Real ones hold one to four certificates (the conformance vectors: at most four, a
    /// Samsung Galaxy S9's android-key chain up to Google's root); an MDS3 BLOB's two or three.
    /// The bound keeps what path building may try small, whatever a registration sends.
    static let maximumCertificateCount = 8

    /// Refuses an `x5c` list longer than ``maximumCertificateCount``; called with the list's
    /// length before its certificates are parsed.
    static func checkCount(_ count: Int, what: String) throws(WebAuthnError) {
        guard count <= maximumCertificateCount else {
            throw WebAuthnError(.malformed, "\(what): x5c holds \(count) certificates; at most \(maximumCertificateCount) are accepted")
        }
    }

    /// Refuses an `x5c` list that is not one chain: too long, or two certificates with the same
    /// subject.
    ///
    /// §8: x5c is one certificate chain, each certificate issued by the next, so no subject
    /// appears twice. Path building looks issuers up by name: with every subject once, each
    /// lookup finds at most one intermediate, and the search is a walk along the list. Without
    /// this, certificates sharing a subject and key and differing only in a non-critical
    /// extension could each issue every other one, and the search would try every ordering of
    /// them, a signature check each.
    static func checkShape(_ chain: [Certificate], what: String) throws(WebAuthnError) {
        try checkCount(chain.count, what: what)
        for (index, certificate) in chain.enumerated() {
            if chain[..<index].contains(where: { $0.subject == certificate.subject }) {
                throw WebAuthnError(.malformed, "\(what): x5c holds two certificates with the subject \"\(certificate.subject)\"; it must be one chain")
            }
        }
    }

    /// Validates `chain` (leaf first) up to one of `roots` at `time` (RFC 5280 plus any extra
    /// policies). Returns `nil` when valid, or why not.
    static func validate(
        chain: [Certificate], roots: [Certificate], time: Date, extraPolicies: [any VerifierPolicy] = []
    ) async -> String? {
        guard let leaf = chain.first else { return "no certificate" }
        // Every x5c is checked when it is read; checked again here, as this is where an
        // unchecked list would cost.
        do {
            try checkShape(chain, what: "certificate chain")
        } catch {
            return error.reason
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            AnyPolicy(extraPolicies)
        }
        // No diagnostic callback: swift-certificates then builds no diagnostics at all, and
        // describing them (whole certificates, each time a candidate issuer is tried) cost more
        // than the signature checks themselves.
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(chain.dropFirst())))
        switch result {
        case .validCertificate:
            return nil
        case .couldNotValidate(let failures):
            if let failure = failures.first { return String(describing: failure.policyFailureReason) }
            return "no path from \(leaf.subject) (issued by \(leaf.issuer)) to a trusted root"
        }
    }
}
