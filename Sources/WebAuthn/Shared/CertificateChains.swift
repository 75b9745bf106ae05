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
        var diagnostics: [String] = []
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(chain.dropFirst()))) {
            diagnostics.append(String(describing: $0))
        }
        switch result {
        case .validCertificate:
            return nil
        case .couldNotValidate(let failures):
            return failures.first.map { String(describing: $0.policyFailureReason) } ?? diagnostics.last ?? "no path to a trusted root"
        }
    }
}
