import Foundation
import WebAuthn

/// Root certificates named on the command line (`--trust-anchor`, `--root`, `--attestation-root`, …).
enum PEMFiles {
    /// Every certificate in the PEM files named by `--option`. `problem` makes the caller's error
    /// (a usage error for `verify` and `metadata`, a configuration error for `serve`) from a message.
    static func certificates(
        _ paths: [String], option: String, problem: (String) -> any Error
    ) throws -> [AttestationPolicy.Root] {
        var roots: [AttestationPolicy.Root] = []
        for path in paths {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw problem("cannot read --\(option) \(path)")
            }
            let found: [AttestationPolicy.Root]
            do {
                found = try AttestationPolicy.certificates(pem: pem)
            } catch {
                throw problem("--\(option) \(path): \(error.reason)")
            }
            // A file that holds no certificate must not leave the list empty: an empty list means
            // "no roots given", and `verify` would then accept any attestation.
            guard !found.isEmpty else { throw problem("--\(option) \(path) holds no PEM certificate") }
            roots += found
        }
        return roots
    }
}
