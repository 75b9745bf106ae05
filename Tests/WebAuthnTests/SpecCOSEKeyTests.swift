import Crypto
import PasskeyCBOR
import Testing
import WebAuthn

/// Credential public keys in COSE_Key form (RFC 9052 §7, RFC 9053, WebAuthn §5.8.5).
@Suite("COSE keys")
struct SpecCOSEKeyTests {
    static let algorithms: [COSEAlgorithmIdentifier] = [.es256, .es384, .es512, .edDSA, .rs256, .ps256]

    @Test("A COSE key of each supported algorithm parses and keeps its bytes", arguments: algorithms)
    func keyParses(algorithm: COSEAlgorithmIdentifier) throws {
        let key = try TestCredentialKey.make(algorithm)
        let parsed = try COSEPublicKey(rawRepresentation: key.coseKey)
        #expect(parsed.algorithm == algorithm)
        #expect(parsed.rawRepresentation == key.coseKey)
    }

    @Test("A COSE key verifies its own signatures and no others", arguments: algorithms)
    func keyVerifiesSignatures(algorithm: COSEAlgorithmIdentifier) throws {
        let key = try TestCredentialKey.make(algorithm)
        let parsed = try COSEPublicKey(rawRepresentation: key.coseKey)
        let message: [UInt8] = Array("authenticatorData || clientDataHash".utf8)
        try parsed.verify(signature: try key.sign(message), for: message)
        #expect(throws: WebAuthnError(.badSignature, "")) {
            try parsed.verify(signature: try key.sign(message), for: message + [0])
        }
    }

    @Test("An ES256 key reads the same in CTAP2's canonical 77 bytes and in another member order")
    func es256FormsAgree() throws {
        let key = TestCredentialKey.es256()
        let canonical = key.coseKey
        // The canonical form takes the template path; the same members in reverse order (written
        // by hand: the test encoder writes canonical CBOR) take the general decoder.
        #expect(canonical.count == 77)
        let x = Array(canonical[7..<42]), y = Array(canonical[42..<77])
        let reordered: [UInt8] = [0xA5] + y + x + [0x20, 0x01, 0x03, 0x26, 0x01, 0x02]
        #expect(reordered.count == 77 && reordered != canonical)
        let message: [UInt8] = Array("authenticatorData || clientDataHash".utf8)
        let signature = try key.sign(message)
        for bytes in [canonical, reordered] {
            let parsed = try COSEPublicKey(rawRepresentation: bytes)
            #expect(parsed.algorithm == .es256)
            #expect(parsed.rawRepresentation == bytes)
            try parsed.verify(signature: signature, for: message)
            #expect(throws: WebAuthnError(.badSignature, "")) { try parsed.verify(signature: signature, for: message + [0]) }
        }
    }

    @Test("Fully specified Ed25519 (-19) is accepted for an OKP key")
    func fullySpecifiedEd25519IsAccepted() throws {
        let key = TestCredentialKey.edDSA().claiming(.ed25519)
        let parsed = try COSEPublicKey(rawRepresentation: key.coseKey)
        #expect(parsed.algorithm == .ed25519)
        let message: [UInt8] = [1, 2, 3]
        try parsed.verify(signature: try key.sign(message), for: message)
    }

    // MARK: Missing parameters

    @Test("An EC2 key without a required parameter is malformed", arguments: [
        (1, "kty"), (3, "alg"), (-1, "crv"), (-2, "x"), (-3, "y"),
    ])
    func ec2KeyParameterIsRequired(label: Int, name: String) throws {
        #expect(throws: WebAuthnError(.malformed, ""), "without \(name)") {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().removing(label).coseKey)
        }
    }

    @Test("An OKP key without crv or x is malformed", arguments: [-1, -2])
    func okpKeyParameterIsRequired(label: Int) throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.edDSA().removing(label).coseKey)
        }
    }

    @Test("An RSA key without n or e is malformed", arguments: [-1, -2])
    func rsaKeyParameterIsRequired(label: Int) throws {
        let key = try TestCredentialKey.rs256()
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: key.removing(label).coseKey)
        }
    }

    @Test("An EC2 key whose x is not a byte string is malformed")
    func ec2CoordinateMustBeBytes() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().setting(-2, to: "x").coseKey)
        }
    }

    @Test("A key whose alg is not an integer is malformed")
    func algorithmMustBeAnInteger() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().setting(3, to: "ES256").coseKey)
        }
    }

    // MARK: Unsupported

    @Test("A key with an unknown algorithm is unsupported")
    func unknownAlgorithmIsUnsupported() throws {
        #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().claiming(COSEAlgorithmIdentifier(-999)).coseKey)
        }
    }

    @Test("A key of an unknown key type is unsupported")
    func unknownKeyTypeIsUnsupported() throws {
        #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().setting(1, to: 4).coseKey)
        }
    }

    @Test("An algorithm that does not fit the key's curve or type is unsupported", arguments: [
        ("P-256 as ES384", TestCredentialKey.es256().claiming(.es384)),
        ("P-384 as ES256", TestCredentialKey.es384().claiming(.es256)),
        ("P-521 as ES256", TestCredentialKey.es512().claiming(.es256)),
        ("P-256 as EdDSA", TestCredentialKey.es256().claiming(.edDSA)),
        ("Ed25519 as ES256", TestCredentialKey.edDSA().claiming(.es256)),
        ("P-256 as RS256", TestCredentialKey.es256().claiming(.rs256)),
        ("ES256 on curve 4 (X25519)", TestCredentialKey.es256().setting(-1, to: 4)),
        ("EdDSA on curve 4 (X25519)", TestCredentialKey.edDSA().setting(-1, to: 4)),
    ])
    func mismatchedAlgorithmIsUnsupported(name: String, key: TestCredentialKey) throws {
        #expect(throws: WebAuthnError(.unsupportedAlgorithm, ""), "\(name)") {
            try COSEPublicKey(rawRepresentation: key.coseKey)
        }
    }

    @Test("An RSA key claiming ES256 is unsupported")
    func rsaKeyAsES256IsUnsupported() throws {
        let key = try TestCredentialKey.rs256().claiming(.es256)
        #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try COSEPublicKey(rawRepresentation: key.coseKey)
        }
    }

    @Test("An EC2 key with a coordinate of the wrong length is rejected")
    func coordinateLengthMustFitTheCurve() throws {
        let key = TestCredentialKey.es256()
        let x = key.coseEntries.first { $0.key == -2 }?.value.bytesValue ?? []
        #expect(throws: WebAuthnError(.unsupportedAlgorithm, "")) {
            try COSEPublicKey(rawRepresentation: key.setting(-2, to: .bytes(Array(x.dropFirst()))).coseKey)
        }
    }

    @Test("An EC2 point that is not on the curve is malformed")
    func pointMustBeOnTheCurve() throws {
        let key = TestCredentialKey.es256()
        var y = key.coseEntries.first { $0.key == -3 }?.value.bytesValue ?? []
        y[y.count - 1] ^= 0x01
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: key.setting(-3, to: .bytes(y)).coseKey)
        }
    }

    /// The points of small order, little-endian, with the sign bit of x clear: y = 0 (order 4),
    /// 1 (the identity), p - 1 (order 2) and the two y of order 8.
    static let smallOrderEd25519: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),
        [0x01] + [UInt8](repeating: 0, count: 31),
        [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ]

    static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { offset in
            let start = text.index(text.startIndex, offsetBy: offset)
            return UInt8(text[start..<text.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    @Test("An Ed25519 key of small order, with either sign of x, is malformed: signatures would need no private key",
          arguments: smallOrderEd25519.flatMap { [$0, Array($0.dropLast()) + [$0[31] | 0x80]] })
    func smallOrderEd25519KeysAreRefused(x: [UInt8]) throws {
        let key = TestCredentialKey.edDSA()
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: key.setting(-2, to: .bytes(x)).coseKey)
        }
    }

    @Test("The reason: for the identity key, R the identity and S zero is a signature of any message")
    func theIdentityKeyVerifiesAForgery() throws {
        let identity = [0x01] + [UInt8](repeating: 0, count: 31)
        let forged = identity + [UInt8](repeating: 0, count: 32)
        // The library's own check takes it (RFC 8032 §5.1.7 allows it); the COSE key is refused first.
        let raw = try Curve25519.Signing.PublicKey(rawRepresentation: identity)
        #expect(raw.isValidSignature(forged, for: Array("any message".utf8)))
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.edDSA().setting(-2, to: .bytes(identity)).coseKey)
        }
    }

    @Test("An Ed25519 key whose y is not below p is malformed (not a canonical encoding)", arguments: [
        [0xED] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        [0xEE] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        [UInt8](repeating: 0xFF, count: 32),
    ])
    func nonCanonicalEd25519KeysAreRefused(x: [UInt8]) throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.edDSA().setting(-2, to: .bytes(x)).coseKey)
        }
    }

    @Test("An RSA modulus shorter than 2048 bits is rejected")
    func shortRSAModulusIsRejected() throws {
        let key = try TestCredentialKey.rs256()
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: key.setting(-1, to: .bytes([0xC5] + [UInt8](repeating: 0x01, count: 127))).coseKey)
        }
    }

    // MARK: Not a COSE key

    @Test("Bytes that are not CBOR, not a map, or followed by more bytes are malformed", arguments: [
        [UInt8](), [0xFF], [0x83, 0x01, 0x02, 0x03], [0xA1, 0x01], [0x02],
    ])
    func notACOSEKeyIsMalformed(bytes: [UInt8]) throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: bytes)
        }
    }

    @Test("A COSE key followed by more bytes is malformed")
    func trailingBytesAreMalformed() throws {
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: TestCredentialKey.es256().coseKey + [0x00])
        }
    }

    // MARK: A new credential's key (§5.8.5: alg, what the key type requires, nothing else)

    @Test("A new credential's EC2 key carrying its private key (d, label -4) is refused as malformed")
    func ec2PrivateKeyIsRefused() async throws {
        let key = TestCredentialKey.es256().setting(-4, to: .bytes([UInt8](repeating: 0x11, count: 32)))
        await #expect(throws: WebAuthnError(.malformed, "")) { try await TestRegistration(key: key).finish() }
    }

    @Test("A new credential's OKP key carrying its private key or a parameter its type does not require is refused as malformed", arguments: [
        (-4, CBOR.bytes([UInt8](repeating: 0x22, count: 32))), (2, CBOR.bytes([1, 2, 3])), (-3, CBOR.bytes([UInt8](repeating: 0x33, count: 32))),
    ])
    func okpExtraParameterIsRefused(label: Int, value: CBOR) async throws {
        let key = TestCredentialKey.edDSA().setting(label, to: value)
        await #expect(throws: WebAuthnError(.malformed, "")) { try await TestRegistration(key: key).finish() }
    }

    @Test("A new credential's RSA key carrying private-key parameters is refused as malformed", arguments: [-3, -4, -12])
    func rsaPrivateKeyIsRefused(label: Int) async throws {
        let key = try TestCredentialKey.rs256().setting(label, to: .bytes([UInt8](repeating: 0x44, count: 128)))
        await #expect(throws: WebAuthnError(.malformed, "")) { try await TestRegistration(key: key).finish() }
    }

    @Test("A new credential's EC2 key with an optional parameter (kid, key_ops, Base IV, another label) is refused as malformed", arguments: [
        (2, CBOR.bytes([1, 2, 3])), (4, CBOR.array([CBOR(2)])), (5, CBOR.bytes([0])), (-5, CBOR(1)), (100, CBOR(1)), (-70000, CBOR.null),
    ])
    func ec2OptionalParameterIsRefused(label: Int, value: CBOR) async throws {
        let key = TestCredentialKey.es256().setting(label, to: value)
        await #expect(throws: WebAuthnError(.malformed, "")) { try await TestRegistration(key: key).finish() }
    }

    @Test("A new credential's key with a text label is refused as malformed")
    func textLabelIsRefused() async throws {
        var key = TestCredentialKey.es256()
        key.coseEntries.append((key: "kid", value: .bytes([1, 2, 3])))
        await #expect(throws: WebAuthnError(.malformed, "")) { try await TestRegistration(key: key).finish() }
    }

    @Test("A new credential's key with just kty, alg and its type's parameters is accepted", arguments: algorithms)
    func requiredParametersOnlyAreAccepted(algorithm: COSEAlgorithmIdentifier) async throws {
        let key = try TestCredentialKey.make(algorithm)
        let verified = try await TestRegistration(key: key).finish(with: TestRelyingParty.make(algorithms: Self.algorithms))
        #expect(verified.publicKey.rawRepresentation == key.coseKey)
    }

    @Test("A stored key with a parameter beyond its type's still verifies a sign-in (the check is made at registration)")
    func storedKeyIsReadLeniently() throws {
        let authentication = TestAuthentication().with { $0.storedPublicKey = $0.key.setting(2, to: .bytes([1, 2, 3])).coseKey }
        let verified = try authentication.finish()
        #expect(verified.newSignCount == 1)
    }

    @Test("A COSE key with a duplicated label is malformed")
    func duplicateLabelIsMalformed() throws {
        var key = TestCredentialKey.es256()
        key.coseEntries.append((key: 3, value: CBOR(COSEAlgorithmIdentifier.es256.rawValue)))
        #expect(throws: WebAuthnError(.malformed, "")) {
            try COSEPublicKey(rawRepresentation: key.coseKey)
        }
    }
}
