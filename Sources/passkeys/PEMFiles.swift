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
            do {
                roots += try AttestationPolicy.certificates(pem: pem)
            } catch {
                throw problem("--\(option) \(path): \(error.reason)")
            }
        }
        return roots
    }
}
