import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Certificate path validation with swift-certificates, shared by attestation and metadata.
enum CertificateChains {
    /// Validates `chain` (leaf first) up to one of `roots` at `time` (RFC 5280 plus any extra
    /// policies). Returns `nil` when valid, or why not.
    static func validate(
        chain: [Certificate], roots: [Certificate], time: Date, extraPolicies: [any VerifierPolicy] = []
    ) async -> String? {
        guard let leaf = chain.first else { return "no certificate" }
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
