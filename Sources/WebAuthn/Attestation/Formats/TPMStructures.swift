import Crypto

/// The TPM 2.0 wire structures a `tpm` attestation carries (TPM 2.0 Library, Part 2), parsed
/// from untrusted bytes: every read is bounds-checked, and input that ends early, or goes on
/// after the structure, throws `malformed`.
enum TPM {
    /// TPM_ALG_ID values (Part 2 §6.3) that appear in attestations.
    enum Algorithm {
        static let rsa: UInt16 = 0x0001
        static let sha1: UInt16 = 0x0004
        static let sha256: UInt16 = 0x000B
        static let sha384: UInt16 = 0x000C
        static let sha512: UInt16 = 0x000D
        static let null: UInt16 = 0x0010
        static let rsaes: UInt16 = 0x0015
        static let ecdaa: UInt16 = 0x001A
        static let ecc: UInt16 = 0x0023
    }

    /// TPM_ECC_CURVE values (Part 2 §6.4) and the COSE curves they are.
    enum Curve {
        static let nistP256: UInt16 = 0x0003
        static let nistP384: UInt16 = 0x0004
        static let nistP521: UInt16 = 0x0005

        static func coseCurve(_ curve: UInt16) -> Int? {
            switch curve {
            case nistP256: COSEPublicKey.Curve.p256
            case nistP384: COSEPublicKey.Curve.p384
            case nistP521: COSEPublicKey.Curve.p521
            default: nil
            }
        }
    }

    /// The digest of `data` under a TPM hash algorithm, or `nil` for one this library lacks.
    static func digest(_ algorithm: UInt16, _ data: [UInt8]) -> [UInt8]? {
        switch algorithm {
        case Algorithm.sha1: Array(Insecure.SHA1.hash(data: data))
        case Algorithm.sha256: Array(SHA256.hash(data: data))
        case Algorithm.sha384: Array(SHA384.hash(data: data))
        case Algorithm.sha512: Array(SHA512.hash(data: data))
        default: nil
        }
    }

    /// Big-endian reads over a TPM structure. Reading past the end throws `malformed`.
    struct Reader {
        private let bytes: [UInt8]
        private var offset: Int = 0
        private let structure: String

        init(_ bytes: [UInt8], structure: String) {
            self.bytes = bytes
            self.structure = structure
        }

        private func truncated() -> WebAuthnError {
            WebAuthnError(.malformed, "tpm attestation: \(structure) ends early (\(bytes.count) bytes)")
        }

        mutating func bytes(_ count: Int) throws(WebAuthnError) -> [UInt8] {
            guard count >= 0, count <= bytes.count - offset else { throw truncated() }
            let slice = bytes[offset..<(offset + count)]
            offset += count
            return Array(slice)
        }

        mutating func uint16() throws(WebAuthnError) -> UInt16 {
            try bytes(2).reduce(0) { $0 << 8 | UInt16($1) }
        }

        mutating func uint32() throws(WebAuthnError) -> UInt32 {
            try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func uint64() throws(WebAuthnError) -> UInt64 {
            try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
        }

        /// A TPM2B_ structure: a UINT16 size, then that many bytes.
        mutating func sized() throws(WebAuthnError) -> [UInt8] {
            try bytes(Int(try uint16()))
        }

        /// What is left, consumed.
        mutating func rest() -> [UInt8] {
            let slice = bytes[offset...]
            offset = bytes.count
            return Array(slice)
        }

        /// Throws `malformed` when bytes are left after the structure.
        func expectEnd() throws(WebAuthnError) {
            guard offset == bytes.count else {
                throw WebAuthnError(.malformed, "tpm attestation: \(bytes.count - offset) bytes follow the \(structure)")
            }
        }
    }

    /// TPMS_ATTEST (Part 2 §10.12.12), the structure the AIK signs (`certInfo`). `attested` is
    /// kept raw: its layout depends on `type`, which the verifier checks first.
    struct Attest {
        /// TPM_GENERATED_VALUE: the structure was made by a TPM.
        static let generatedValue: UInt32 = 0xFF54_4347
        /// TPM_ST_ATTEST_CERTIFY: `attested` is a TPMS_CERTIFY_INFO.
        static let typeCertify: UInt16 = 0x8017

        let magic: UInt32
        let type: UInt16
        let qualifiedSigner: [UInt8]
        let extraData: [UInt8]
        let firmwareVersion: UInt64
        let attested: [UInt8]

        init(bytes: [UInt8]) throws(WebAuthnError) {
            var reader = Reader(bytes, structure: "certInfo (TPMS_ATTEST)")
            magic = try reader.uint32()
            type = try reader.uint16()
            qualifiedSigner = try reader.sized()
            extraData = try reader.sized()
            // TPMS_CLOCK_INFO: clock, resetCount, restartCount, safe. §8.3 ignores it.
            _ = try reader.bytes(8 + 4 + 4 + 1)
            firmwareVersion = try reader.uint64()
            attested = reader.rest()
        }
    }

    /// TPMS_CERTIFY_INFO (Part 2 §10.12.3): the Name of the certified object.
    struct CertifyInfo {
        let name: [UInt8]
        let qualifiedName: [UInt8]

        init(bytes: [UInt8]) throws(WebAuthnError) {
            var reader = Reader(bytes, structure: "certInfo.attested (TPMS_CERTIFY_INFO)")
            name = try reader.sized()
            qualifiedName = try reader.sized()
            try reader.expectEnd()
        }
    }

    /// TPMT_PUBLIC (Part 2 §12.2.4), the credential key as the TPM holds it (`pubArea`).
    struct PublicArea {
        enum Parameters: Equatable {
            /// TPMS_RSA_PARMS: key size in bits and exponent (0 means 2^16 + 1).
            case rsa(keyBits: UInt16, exponent: UInt32)
            /// TPMS_ECC_PARMS: the TPM_ECC_CURVE.
            case ecc(curveID: UInt16)
        }

        enum Unique: Equatable {
            /// TPM2B_PUBLIC_KEY_RSA: the modulus.
            case rsa(modulus: [UInt8])
            /// TPMS_ECC_POINT.
            case ecc(x: [UInt8], y: [UInt8])
        }

        let type: UInt16
        let nameAlg: UInt16
        let objectAttributes: UInt32
        let authPolicy: [UInt8]
        let parameters: Parameters
        let unique: Unique

        init(bytes: [UInt8]) throws(WebAuthnError) {
            var reader = Reader(bytes, structure: "pubArea (TPMT_PUBLIC)")
            type = try reader.uint16()
            nameAlg = try reader.uint16()
            objectAttributes = try reader.uint32()
            authPolicy = try reader.sized()
            switch type {
            case Algorithm.rsa:
                try Self.skipSymmetric(&reader)
                // TPMT_RSA_SCHEME: RSAES has no details, the others a hash algorithm.
                let scheme = try reader.uint16()
                if scheme != Algorithm.null && scheme != Algorithm.rsaes { _ = try reader.uint16() }
                let keyBits = try reader.uint16()
                let exponent = try reader.uint32()
                parameters = .rsa(keyBits: keyBits, exponent: exponent)
                unique = .rsa(modulus: try reader.sized())
            case Algorithm.ecc:
                try Self.skipSymmetric(&reader)
                // TPMT_ECC_SCHEME: ECDAA adds a count to the hash algorithm.
                let scheme = try reader.uint16()
                if scheme == Algorithm.ecdaa {
                    _ = try reader.bytes(4)
                } else if scheme != Algorithm.null {
                    _ = try reader.uint16()
                }
                let curveID = try reader.uint16()
                // TPMT_KDF_SCHEME.
                if try reader.uint16() != Algorithm.null { _ = try reader.uint16() }
                parameters = .ecc(curveID: curveID)
                let x = try reader.sized()
                let y = try reader.sized()
                unique = .ecc(x: x, y: y)
            default:
                throw WebAuthnError(.attestationPolicy, "tpm attestation: pubArea type 0x\(String(type, radix: 16)) is neither RSA nor ECC")
            }
            try reader.expectEnd()
        }

        /// TPMT_SYM_DEF_OBJECT: an algorithm, then key bits and mode unless it is TPM_ALG_NULL.
        private static func skipSymmetric(_ reader: inout Reader) throws(WebAuthnError) {
            if try reader.uint16() != Algorithm.null { _ = try reader.bytes(4) }
        }
    }
}
