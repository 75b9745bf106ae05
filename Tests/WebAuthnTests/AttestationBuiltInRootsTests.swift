import Crypto
import Foundation
import Testing
import WebAuthn
import X509

/// The built-in roots of the formats whose vendors sign with fixed roots, and how a policy uses
/// them.
@Suite("Built-in attestation roots")
struct AttestationBuiltInRootsTests {
    /// SHA-256 of each built-in root, as the vendors publish them.
    static let fingerprints: [AttestationFormat: Set<String>] = [
        .apple: ["0915DD5C07A28DB549D1F677BB5A75D4BFBE9561A773424327762E9E02F9BB29"],
        .androidKey: [
            "C1984A3EF45C1E2A918551DE10603C86F7051B2249C4891CAE3230EABD0C97D5",
            "1EF1A04B8BA58AB94589AC498C8982A783F24EA7307E0159A0C3A73B377D87CC",
            "AB6641178A36E179AA0C1CDDDF9A16EB45FA20943E2B8CD7C7C05C26CF8B487A",
            "CEDB1CB6DC896AE5EC797348BCE9286753C2B38EE71CE0FBE34A9A1248800DFC",
            "6D9DB4CE6C5C0B293166D08986E05774A8776CEB525D9E4329520DE12BA4BCC0",
        ],
        .androidSafetyNet: [
            "EBD41040E4BB3EC742C9E381D31EF2A41A48B6685C96E7CEF3C1DF6CD4331C99",
            "69E2D06C30F366166165E91D68D1CEE5CC47584A80227E76666086C0107241EB",
        ],
    ]

    @Test("Every built-in root is present and is the certificate its vendor publishes")
    func builtInRootsAreTheVendorsOwn() throws {
        #expect(Set(AttestationPolicy.builtInRoots.keys) == Set(Self.fingerprints.keys))
        for (format, expected) in Self.fingerprints {
            let roots = try #require(AttestationPolicy.builtInRoots[format])
            let actual = try Set(roots.map { certificate in
                Data(SHA256.hash(data: try TestCertificates.der(certificate))).map { String(format: "%02X", $0) }.joined()
            })
            #expect(actual == expected, "\(format)")
        }
    }

    @Test("Every built-in root is a self-signed CA certificate")
    func builtInRootsAreSelfSignedCAs() throws {
        for (format, roots) in AttestationPolicy.builtInRoots {
            for root in roots {
                #expect(root.subject == root.issuer, "\(format): \(root.subject)")
                #expect(root.publicKey.isValidSignature(root.signature, for: root), "\(format): \(root.subject)")
                guard case .isCertificateAuthority = try root.extensions.basicConstraints else {
                    Issue.record("\(format): \(root.subject) is not a CA")
                    continue
                }
            }
        }
    }

    @Test("The default policy trusts the built-in roots for apple, android-key and android-safetynet only")
    func defaultPolicyUsesBuiltInRoots() {
        let policy = AttestationPolicy()
        for format in [AttestationFormat.apple, .androidKey, .androidSafetyNet] {
            #expect(policy.trustAnchors(for: format) == AttestationPolicy.builtInRoots[format])
        }
        for format in [AttestationFormat.packed, .fidoU2F, .tpm, .none] {
            #expect(policy.trustAnchors(for: format) == nil)
        }
    }

    @Test("Configured roots replace the built-in ones for their format only")
    func configuredRootsOverrideBuiltIns() throws {
        let root = try TestCertificateAuthority().certificate
        let policy = AttestationPolicy(roots: [.apple: [root]])
        #expect(policy.trustAnchors(for: .apple) == [root])
        #expect(policy.trustAnchors(for: .androidKey) == AttestationPolicy.builtInRoots[.androidKey])
    }

    @Test("A policy without built-in roots checks no path for a format it names no roots for")
    func builtInRootsCanBeTurnedOff() {
        let policy = AttestationPolicy(usesBuiltInRoots: false)
        #expect(policy.trustAnchors(for: .apple) == nil)
    }
}
