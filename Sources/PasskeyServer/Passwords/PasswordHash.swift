import Crypto
import Foundation
import HummingbirdBcrypt
import WebAuthn
import _CryptoExtras

/// A password hash imported from another system, checked when it is imported and verified with a
/// well-kept implementation when someone signs in: bcrypt (hummingbird-auth's `HummingbirdBcrypt`,
/// OpenBSD's code), PBKDF2-SHA256 in Django's format (swift-crypto), argon2id in the PHC string
/// format (the system's libargon2, loaded at run time).
///
/// Every kind's cost is bounded (``Limits``), so an imported line cannot make each later sign-in
/// an expensive computation.
struct PasswordHash: Sendable, Hashable {
    /// The hash kinds the importer accepts.
    enum Kind: String, Sendable, Hashable {
        case bcrypt
        case pbkdf2SHA256 = "pbkdf2_sha256"
        case argon2id
    }

    /// The most a verification may cost.
    enum Limits {
        /// bcrypt's cost is a power of two: 2^14 rounds take about a second on one core.
        static let bcryptCost = 4...14
        /// Django's default is a million (5.2); more than this would be an import-made slowdown.
        static let pbkdf2Iterations = 1...1_500_000
        /// PBKDF2's hash: one SHA-256 block at most (Django writes 32 bytes); its salt's length.
        static let pbkdf2HashBytes = 16...32
        static let pbkdf2Salt = 1...128
        /// argon2's salt and hash, in bytes.
        static let argon2Salt = 8...64
        static let argon2HashBytes = 16...64
        /// argon2 memory in KiB (128 MiB), passes and lanes.
        static let argon2Memory = 8...131_072
        static let argon2Passes = 1...10
        static let argon2Lanes = 1...8
        /// Memory × passes: 64 MiB × 8 passes, or 128 MiB × 4.
        static let argon2Work = 524_288
    }

    let kind: Kind
    /// The hash as imported (what the store keeps).
    let encoded: String

    /// Parses and checks a hash.
    ///
    /// - Throws: ``PasswordHashError`` naming what is wrong: an unknown or refused format (`$2x$`,
    ///   md5-crypt `$1$`, Django's `bcrypt_sha256$`, argon2i/argon2d), a malformed field, or a cost
    ///   past ``Limits``.
    init(_ encoded: String) throws(PasswordHashError) {
        self.encoded = encoded
        if encoded.hasPrefix("$2a$") || encoded.hasPrefix("$2b$") || encoded.hasPrefix("$2y$") {
            kind = .bcrypt
            try Self.checkBcrypt(encoded)
        } else if encoded.hasPrefix("pbkdf2_sha256$") {
            kind = .pbkdf2SHA256
            _ = try Self.parsePBKDF2(encoded)
        } else if encoded.hasPrefix("$argon2id$") {
            kind = .argon2id
            try Self.checkArgon2(encoded)
            try Argon2.requireLibrary()
        } else if encoded.hasPrefix("$2x$") {
            throw PasswordHashError("$2x$ bcrypt hashes come from a buggy implementation and cannot be verified safely")
        } else if encoded.hasPrefix("$1$") {
            throw PasswordHashError("md5-crypt ($1$) is not accepted: it is too weak to keep")
        } else if encoded.hasPrefix("bcrypt_sha256$") {
            throw PasswordHashError("Django's bcrypt_sha256 is not accepted; import bcrypt, pbkdf2_sha256 or argon2id hashes")
        } else if encoded.hasPrefix("$argon2i$") || encoded.hasPrefix("$argon2d$") {
            throw PasswordHashError("only argon2id is accepted, not argon2i or argon2d")
        } else {
            throw PasswordHashError("unknown hash format (accepted: $2a$/$2b$/$2y$ bcrypt, $argon2id$, pbkdf2_sha256$)")
        }
    }

    /// Whether `password` is the one hashed. Slow by design: call it off the request's executor.
    ///
    /// - Throws: ``PasswordHashError`` when the hash cannot be verified here at all (argon2id
    ///   without libargon2).
    func verify(_ password: String) throws(PasswordHashError) -> Bool {
        switch kind {
        case .bcrypt:
            // bcrypt reads at most 72 bytes; $2a$, $2b$ and $2y$ hash those bytes alike, and
            // OpenBSD's $2a$ code would wrap lengths past 255, so every variant is checked as $2b$,
            // which truncates at 72.
            let normalized = "$2b$" + encoded.dropFirst(4)
            let bytes = Array(password.utf8)
            guard !bytes.contains(0) else { return false }
            return Bcrypt.verify(password, hash: normalized)
        case .pbkdf2SHA256:
            let parsed = try Self.parsePBKDF2(encoded)
            guard let key = try? KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: Array(parsed.salt.utf8), using: .sha256,
                outputByteCount: parsed.hash.count, unsafeUncheckedRounds: parsed.iterations)
            else { return false }
            return key.withUnsafeBytes { constantTimeEquals(Array($0), parsed.hash) }
        case .argon2id:
            return try Argon2.verify(encoded: encoded, password: Array(password.utf8))
        }
    }

    // MARK: Formats

    /// `$2b$NN$` + 22 characters of salt + 31 of hash, in bcrypt's base64 alphabet.
    private static func checkBcrypt(_ encoded: String) throws(PasswordHashError) {
        let bytes = Array(encoded.utf8)
        guard bytes.count == 60, bytes[6] == UInt8(ascii: "$"), let cost = Self.decimal(bytes[4..<6])
        else { throw PasswordHashError("a bcrypt hash is $2b$NN$ followed by 53 characters") }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        guard bytes[7...].allSatisfy(alphabet.contains) else {
            throw PasswordHashError("a bcrypt hash has a character outside bcrypt's base64 alphabet")
        }
        guard Limits.bcryptCost.contains(cost) else {
            throw PasswordHashError("bcrypt cost \(cost) is outside \(Limits.bcryptCost.lowerBound)…\(Limits.bcryptCost.upperBound)")
        }
    }

    /// `pbkdf2_sha256$ITERATIONS$SALT$BASE64(HASH)`, as Django writes it.
    ///
    /// The hash is at most 32 bytes, one block of SHA-256: PBKDF2 runs all its iterations again for
    /// every further block (RFC 8018 §5.2), so a longer hash would multiply what a sign-in costs.
    private static func parsePBKDF2(_ encoded: String) throws(PasswordHashError) -> (iterations: Int, salt: String, hash: [UInt8]) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, let iterations = Self.decimal(parts[1].utf8),
              Limits.pbkdf2Salt.contains(parts[2].utf8.count),
              let hash = Data(base64Encoded: String(parts[3]))
        else { throw PasswordHashError("a pbkdf2_sha256 hash is pbkdf2_sha256$ITERATIONS$SALT$BASE64") }
        guard parts[2].utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw PasswordHashError("a pbkdf2_sha256 salt has no spaces or control characters")
        }
        guard Limits.pbkdf2HashBytes.contains(hash.count) else {
            throw PasswordHashError(
                "a pbkdf2_sha256 hash is \(Limits.pbkdf2HashBytes.lowerBound)…\(Limits.pbkdf2HashBytes.upperBound) bytes, not \(hash.count)")
        }
        guard Limits.pbkdf2Iterations.contains(iterations) else {
            throw PasswordHashError("PBKDF2 iterations \(iterations) are outside 1…\(Limits.pbkdf2Iterations.upperBound)")
        }
        return (iterations, String(parts[2]), Array(hash))
    }

    /// `$argon2id$v=19$m=M,t=T,p=P$SALT$HASH` (PHC string format), with bounded M, T and P.
    private static func checkArgon2(_ encoded: String) throws(PasswordHashError) {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0].isEmpty, parts[2] == "v=19", !parts[4].isEmpty, !parts[5].isEmpty else {
            throw PasswordHashError("an argon2id hash is $argon2id$v=19$m=…,t=…,p=…$SALT$HASH")
        }
        // m, t and p, each once and in that order (the PHC format's), as decimal digits.
        let pairs = parts[3].split(separator: ",", omittingEmptySubsequences: false)
        let values = pairs.enumerated().map { index, pair -> Int? in
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard index < 3, keyValue.count == 2, keyValue[0] == ["m", "t", "p"][index] else { return nil }
            return Self.decimal(keyValue[1].utf8)
        }
        guard values.count == 3, let memory = values[0], let passes = values[1], let lanes = values[2] else {
            throw PasswordHashError("argon2id parameters are m=…,t=…,p=…")
        }
        // The salt and the hash in unpadded standard base64 (the PHC format's B64).
        guard let salt = Self.unpaddedBase64(parts[4]), Limits.argon2Salt.contains(salt.count),
              let hash = Self.unpaddedBase64(parts[5]), Limits.argon2HashBytes.contains(hash.count)
        else {
            throw PasswordHashError(
                "an argon2id salt is \(Limits.argon2Salt.lowerBound)…\(Limits.argon2Salt.upperBound) bytes and its hash "
                    + "\(Limits.argon2HashBytes.lowerBound)…\(Limits.argon2HashBytes.upperBound), each in unpadded base64")
        }
        guard Limits.argon2Memory.contains(memory), Limits.argon2Passes.contains(passes), Limits.argon2Lanes.contains(lanes),
              memory * passes <= Limits.argon2Work, memory >= 8 * lanes  // argon2 needs 8 KiB a lane
        else {
            throw PasswordHashError(
                "argon2id cost m=\(memory),t=\(passes),p=\(lanes) is past the limit (m ≤ \(Limits.argon2Memory.upperBound) KiB and at least 8 a lane, t ≤ \(Limits.argon2Passes.upperBound), p ≤ \(Limits.argon2Lanes.upperBound), m×t ≤ \(Limits.argon2Work))")
        }
    }

    /// A number of one to nine decimal digits and nothing else (no sign, no space).
    private static func decimal(_ digits: some Collection<UInt8>) -> Int? {
        guard (1...9).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// Standard base64 without padding, as the PHC string format writes it.
    private static func unpaddedBase64(_ text: Substring) -> [UInt8]? {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        guard text.utf8.allSatisfy(alphabet.contains), text.utf8.count % 4 != 1 else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Data(base64Encoded: padded).map(Array.init)
    }
}

/// Why a password hash cannot be imported or verified.
struct PasswordHashError: Error, Sendable, Hashable, CustomStringConvertible {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
