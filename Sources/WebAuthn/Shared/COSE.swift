import Crypto
import _CryptoExtras
import Foundation
import PasskeyCBOR

/// A COSE algorithm identifier (IANA "COSE Algorithms"), as used in `pubKeyCredParams`,
/// COSE keys and attestation statements.
public struct COSEAlgorithmIdentifier: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static let es256 = Self(-7)
    public static let es384 = Self(-35)
    public static let es512 = Self(-36)
    public static let edDSA = Self(-8)
    /// Fully specified Ed25519 (RFC 9864).
    public static let ed25519 = Self(-19)
    public static let rs256 = Self(-257)
    public static let rs384 = Self(-258)
    public static let rs512 = Self(-259)
    public static let ps256 = Self(-37)
    public static let ps384 = Self(-38)
    public static let ps512 = Self(-39)
    /// ML-DSA-44 (FIPS 204), a post-quantum signature; COSE key type AKP.
    public static let mldsa44 = Self(-48)
    /// ML-DSA-65 (FIPS 204), a post-quantum signature; COSE key type AKP.
    public static let mldsa65 = Self(-49)
    /// ML-DSA-87 (FIPS 204), a post-quantum signature; COSE key type AKP.
    public static let mldsa87 = Self(-50)
    /// RSASSA-PKCS1-v1_5 with SHA-1: only ever seen from TPMs; not offered for new credentials by default.
    public static let rs1 = Self(-65535)

    /// The algorithms a new relying party offers by default, most preferred first.
    public static let recommended: [COSEAlgorithmIdentifier] = [.es256, .edDSA, .es384, .es512, .ps256, .rs256, .mldsa65, .mldsa87, .mldsa44]

    /// Every algorithm this library can verify.
    public static let implemented: [COSEAlgorithmIdentifier] = [
        .es256, .es384, .es512, .edDSA, .ed25519, .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .rs1,
        .mldsa44, .mldsa65, .mldsa87,
    ]

    public var name: String {
        switch self {
        case .es256: "ES256"
        case .es384: "ES384"
        case .es512: "ES512"
        case .edDSA: "EdDSA"
        case .ed25519: "Ed25519"
        case .rs256: "RS256"
        case .rs384: "RS384"
        case .rs512: "RS512"
        case .ps256: "PS256"
        case .ps384: "PS384"
        case .ps512: "PS512"
        case .rs1: "RS1"
        case .mldsa44: "ML-DSA-44"
        case .mldsa65: "ML-DSA-65"
        case .mldsa87: "ML-DSA-87"
        default: "COSE(\(rawValue))"
        }
    }

    public var description: String { name }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A credential public key in COSE_Key form (RFC 9052 §7, WebAuthn §5.8.5), parsed and ready to
/// verify signatures.
///
/// ``rawRepresentation`` keeps the bytes exactly as the authenticator sent them: they are what a
/// relying party stores and what it compares.
public struct COSEPublicKey: Sendable, Hashable {
    enum Key: Sendable, Hashable {
        case ec2(curve: Int, x: [UInt8], y: [UInt8])
        case okp(curve: Int, x: [UInt8])
        case rsa(n: [UInt8], e: [UInt8])
        /// Algorithm Key Pair (draft-ietf-cose-dilithium): the public key bytes, `pub` (label -1).
        case akp(publicKey: [UInt8])
    }

    /// The algorithm the key is bound to (its `alg` parameter, label 3).
    public let algorithm: COSEAlgorithmIdentifier
    /// The COSE_Key CBOR bytes as received.
    public let rawRepresentation: [UInt8]
    let key: Key
    private let verifier: SignatureVerifier

    /// COSE key types (RFC 9053 §7).
    enum KeyType {
        static let okp = 1
        static let ec2 = 2
        static let rsa = 3
        static let akp = 7
    }

    /// COSE elliptic curves (RFC 9053 §7.1).
    enum Curve {
        static let p256 = 1
        static let p384 = 2
        static let p521 = 3
        static let ed25519 = 6
    }

    /// Parses COSE_Key bytes, e.g. a stored credential public key.
    public init(rawRepresentation bytes: [UInt8]) throws(WebAuthnError) {
        if let (x, y) = Self.es256Coordinates(bytes) {
            try self.init(algorithm: .es256, key: .ec2(curve: Curve.p256, x: x, y: y), rawRepresentation: bytes)
            return
        }
        let value: CBOR
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw WebAuthnError(.malformed, "credential public key is not valid CBOR: \(error.message)")
        }
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "credential public key is not a CBOR map")
        }
        try self.init(map: map, rawRepresentation: bytes)
    }

    /// The coordinates of an ES256 key in the form nearly every authenticator sends (CTAP2's
    /// canonical order, RFC 9053 §7.1.1): `{1: 2, 3: -7, -1: 1, -2: x, -3: y}` with 32-byte `x`
    /// and `y`, 77 bytes. Bytes that match it decode to exactly that map, so they skip the general
    /// decoder (a sign-in parses the stored key every time); any other form goes the general way.
    private static func es256Coordinates(_ bytes: [UInt8]) -> (x: [UInt8], y: [UInt8])? {
        guard bytes.count == 77,
            bytes[0] == 0xA5,  // map(5)
            bytes[1] == 0x01, bytes[2] == 0x02,  // kty: EC2
            bytes[3] == 0x03, bytes[4] == 0x26,  // alg: -7 (ES256)
            bytes[5] == 0x20, bytes[6] == 0x01,  // crv: P-256
            bytes[7] == 0x21, bytes[8] == 0x58, bytes[9] == 0x20,  // x: bstr(32)
            bytes[42] == 0x22, bytes[43] == 0x58, bytes[44] == 0x20  // y: bstr(32)
        else { return nil }
        return (Array(bytes[10..<42]), Array(bytes[45..<77]))
    }

    /// Builds the key from an already decoded map and the bytes it was decoded from.
    public init(map: CBORMap, rawRepresentation: [UInt8]) throws(WebAuthnError) {
        guard let kty = map[1]?.intValue else {
            throw WebAuthnError(.malformed, "credential public key has no key type (kty)")
        }
        // §5.8.5: the key must carry its algorithm.
        guard let alg = map[3]?.intValue else {
            throw WebAuthnError(.malformed, "credential public key has no algorithm (alg)")
        }
        let key: Key
        switch kty {
        case KeyType.ec2:
            guard let crv = map[-1]?.intValue, let x = map[-2]?.bytesValue, let y = map[-3]?.bytesValue else {
                throw WebAuthnError(.malformed, "EC2 key needs crv, x and y")
            }
            key = .ec2(curve: crv, x: x, y: y)
        case KeyType.okp:
            guard let crv = map[-1]?.intValue, let x = map[-2]?.bytesValue else {
                throw WebAuthnError(.malformed, "OKP key needs crv and x")
            }
            key = .okp(curve: crv, x: x)
        case KeyType.rsa:
            guard let n = map[-1]?.bytesValue, let e = map[-2]?.bytesValue else {
                throw WebAuthnError(.malformed, "RSA key needs n and e")
            }
            key = .rsa(n: n, e: e)
        case KeyType.akp:
            guard let publicKey = map[-1]?.bytesValue else {
                throw WebAuthnError(.malformed, "AKP key needs pub")
            }
            key = .akp(publicKey: publicKey)
        default:
            throw WebAuthnError(.unsupportedAlgorithm, "key type \(kty) is not supported")
        }
        try self.init(algorithm: COSEAlgorithmIdentifier(alg), key: key, rawRepresentation: rawRepresentation)
    }

    private init(algorithm: COSEAlgorithmIdentifier, key: Key, rawRepresentation: [UInt8]) throws(WebAuthnError) {
        self.algorithm = algorithm
        self.rawRepresentation = rawRepresentation
        self.key = key
        self.verifier = try SignatureVerifier(algorithm: algorithm, key: key)
    }

    /// The labels a credential public key may hold for each key type: kty (1), alg (3) and the
    /// parameters the key type requires of a public key (RFC 9053 §7.1.1 EC2 crv/x/y, §7.2 OKP
    /// crv/x; RFC 8230 §4 RSA n/e; draft-ietf-cose-dilithium AKP pub).
    static let credentialKeyLabels: [Int: Set<Int>] = [
        KeyType.ec2: [1, 3, -1, -2, -3],
        KeyType.okp: [1, 3, -1, -2],
        KeyType.rsa: [1, 3, -1, -2],
        KeyType.akp: [1, 3, -1],
    ]

    /// The labels of private-key parameters for each key type: `d` (-4) for EC2 and OKP, `d`,
    /// the primes and CRT values (-3 … -12) for RSA, `priv` (-2) for AKP.
    static let privateKeyLabels: [Int: ClosedRange<Int>] = [
        KeyType.ec2: -4 ... -4,
        KeyType.okp: -4 ... -4,
        KeyType.rsa: -12 ... -3,
        KeyType.akp: -2 ... -2,
    ]

    /// §5.8.5: a credential public key "MUST contain the alg parameter and MUST NOT contain any
    /// other OPTIONAL parameters": beyond kty and alg, only what its key type requires. A
    /// private-key parameter is named as such. Throws `malformed`; a key type this library does
    /// not know is left to the parser (`unsupported_algorithm`).
    static func checkCredentialKeyParameters(_ map: CBORMap) throws(WebAuthnError) {
        guard let kty = map[1]?.intValue, let allowed = credentialKeyLabels[kty] else { return }
        for (label, _) in map.entries {
            guard let number = label.intValue else {
                throw WebAuthnError(.malformed, "credential public key has a parameter \(label) that is not an integer label")
            }
            if privateKeyLabels[kty]?.contains(number) == true {
                throw WebAuthnError(.malformed, "credential public key carries a private-key parameter (label \(number))")
            }
            guard allowed.contains(number) else {
                throw WebAuthnError(.malformed, "credential public key has parameter \(number), which its key type does not require (§5.8.5 allows no optional parameters)")
            }
        }
    }

    /// Verifies `signature` over `data` with this key and its algorithm, or throws `bad_signature`.
    public func verify(signature: some DataProtocol, for data: some DataProtocol) throws(WebAuthnError) {
        guard verifier.isValid(signature: signature, for: data) else {
            throw WebAuthnError(.badSignature, "the signature does not verify with the credential public key")
        }
    }

    /// The uncompressed EC point `0x04 ‖ x ‖ y` of a P-256 key, as FIDO U2F uses it.
    var p256UncompressedPoint: [UInt8]? {
        guard case .ec2(Curve.p256, let x, let y) = key, x.count == 32, y.count == 32 else { return nil }
        return [0x04] + x + y
    }

    public static func == (lhs: COSEPublicKey, rhs: COSEPublicKey) -> Bool {
        lhs.rawRepresentation == rhs.rawRepresentation
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawRepresentation) }
}

/// A signature verifier for one algorithm and key, checked to match each other when built.
struct SignatureVerifier: Sendable {
    private enum Backing: Sendable {
        case p256(P256.Signing.PublicKey)
        case p384(P384.Signing.PublicKey)
        case p521(P521.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
        case rsa(_RSA.Signing.PublicKey, RSAHash, _RSA.Signing.Padding)
        /// The FIPS 204 encoding, checked when the verifier was built.
        case mldsa44([UInt8])
        case mldsa65(MLDSA65.PublicKey)
        case mldsa87(MLDSA87.PublicKey)
    }

    enum RSAHash: Sendable { case sha1, sha256, sha384, sha512 }

    private let backing: Backing

    init(algorithm: COSEAlgorithmIdentifier, key: COSEPublicKey.Key) throws(WebAuthnError) {
        func mismatch() -> WebAuthnError {
            WebAuthnError(.unsupportedAlgorithm, "algorithm \(algorithm) does not fit the key type and curve")
        }
        do {
            switch (algorithm, key) {
            case (.es256, .ec2(COSEPublicKey.Curve.p256, let x, let y)):
                guard x.count == 32, y.count == 32 else { throw mismatch() }
                backing = .p256(try P256.Signing.PublicKey(rawRepresentation: x + y))
            case (.es384, .ec2(COSEPublicKey.Curve.p384, let x, let y)):
                guard x.count == 48, y.count == 48 else { throw mismatch() }
                backing = .p384(try P384.Signing.PublicKey(rawRepresentation: x + y))
            case (.es512, .ec2(COSEPublicKey.Curve.p521, let x, let y)):
                guard x.count == 66, y.count == 66 else { throw mismatch() }
                backing = .p521(try P521.Signing.PublicKey(rawRepresentation: x + y))
            case (.edDSA, .okp(COSEPublicKey.Curve.ed25519, let x)), (.ed25519, .okp(COSEPublicKey.Curve.ed25519, let x)):
                guard x.count == 32 else { throw mismatch() }
                if let refusal = Ed25519PublicKeys.refusal(x) { throw WebAuthnError(.malformed, refusal) }
                backing = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            case (.rs256, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha256, .insecurePKCS1v1_5)
            case (.rs384, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha384, .insecurePKCS1v1_5)
            case (.rs512, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha512, .insecurePKCS1v1_5)
            case (.rs1, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha1, .insecurePKCS1v1_5)
            case (.ps256, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha256, .PSS)
            case (.ps384, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha384, .PSS)
            case (.ps512, .rsa(let n, let e)): backing = .rsa(try Self.rsaKey(n: n, e: e), .sha512, .PSS)
            case (.mldsa44, .akp(let publicKey)):
                guard MLDSA44.isValidPublicKey(publicKey) else {
                    throw WebAuthnError(.malformed, "the ML-DSA-44 public key is not a valid key")
                }
                backing = .mldsa44(publicKey)
            case (.mldsa65, .akp(let publicKey)): backing = .mldsa65(try MLDSA65.PublicKey(rawRepresentation: publicKey))
            case (.mldsa87, .akp(let publicKey)): backing = .mldsa87(try MLDSA87.PublicKey(rawRepresentation: publicKey))
            case (_, _) where !COSEAlgorithmIdentifier.implemented.contains(algorithm):
                throw WebAuthnError(.unsupportedAlgorithm, "algorithm \(algorithm) is not supported")
            default:
                throw mismatch()
            }
        } catch let error as WebAuthnError {
            throw error
        } catch {
            throw WebAuthnError(.malformed, "the \(algorithm) public key is not a valid key")
        }
    }

    private static func rsaKey(n: [UInt8], e: [UInt8]) throws -> _RSA.Signing.PublicKey {
        try _RSA.Signing.PublicKey(n: n, e: e)
    }

    init(p256 key: P256.Signing.PublicKey) { self.backing = .p256(key) }
    init(p384 key: P384.Signing.PublicKey) { self.backing = .p384(key) }
    init(p521 key: P521.Signing.PublicKey) { self.backing = .p521(key) }
    init(ed25519 key: Curve25519.Signing.PublicKey) { self.backing = .ed25519(key) }
    init(rsa key: _RSA.Signing.PublicKey, hash: RSAHash, padding: _RSA.Signing.Padding) {
        self.backing = .rsa(key, hash, padding)
    }

    func isValid(signature: some DataProtocol, for data: some DataProtocol) -> Bool {
        switch backing {
        case .p256(let key):
            guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: data)
        case .p384(let key):
            guard let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: data)
        case .p521(let key):
            guard let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(sig, for: data)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: data)
        case .rsa(let key, let hash, let padding):
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch hash {
            case .sha1: return key.isValidSignature(sig, for: Insecure.SHA1.hash(data: data), padding: padding)
            case .sha256: return key.isValidSignature(sig, for: SHA256.hash(data: data), padding: padding)
            case .sha384: return key.isValidSignature(sig, for: SHA384.hash(data: data), padding: padding)
            case .sha512: return key.isValidSignature(sig, for: SHA512.hash(data: data), padding: padding)
            }
        case .mldsa44(let key):
            // draft-ietf-cose-dilithium: ML-DSA in COSE signs with the empty context string.
            return MLDSA44.isValidSignature(Array(signature), for: Array(data), publicKey: key)
        case .mldsa65(let key):
            return key.isValidSignature(signature, for: data)
        case .mldsa87(let key):
            return key.isValidSignature(signature, for: data)
        }
    }
}
