import CPasskeyMLDSA

/// ML-DSA-44 (FIPS 204), COSE algorithm -48, through the BoringSSL that swift-crypto bundles
/// (the `CPasskeyMLDSA` target; swift-crypto's Swift API offers only ML-DSA-65 and -87).
package enum MLDSA44 {
    /// FIPS 204 Table 2: the encoded public key and signature sizes.
    package static let publicKeyByteCount = Int(PASSKEYS_MLDSA44_PUBLIC_KEY_BYTES)
    package static let signatureByteCount = Int(PASSKEYS_MLDSA44_SIGNATURE_BYTES)

    /// Whether `publicKey` is an encoded ML-DSA-44 public key (FIPS 204 pkDecode, exact length).
    package static func isValidPublicKey(_ publicKey: [UInt8]) -> Bool {
        passkeys_mldsa44_public_key_is_valid(publicKey, publicKey.count) == 1
    }

    /// ML-DSA.Verify (FIPS 204 Algorithm 3) with a context string of at most 255 bytes; COSE uses
    /// the empty one.
    package static func isValidSignature(_ signature: [UInt8], for message: [UInt8], context: [UInt8] = [], publicKey: [UInt8]) -> Bool {
        passkeys_mldsa44_verify(
            publicKey, publicKey.count, signature, signature.count, message, message.count, context, context.count) == 1
    }

    /// BoringSSL refused an operation (allocation failure, or a seed or context of the wrong size).
    package struct Failure: Error, Sendable {
        package let operation: String
    }

    /// A key pair, kept as the 32-byte seed FIPS 204 KeyGen derives it from (Algorithm 6 input ξ).
    package struct PrivateKey: Sendable {
        package let seed: [UInt8]
        package let publicKey: [UInt8]

        /// A new random key pair.
        package init() throws(Failure) {
            var seed = [UInt8](repeating: 0, count: Int(PASSKEYS_MLDSA44_SEED_BYTES))
            var publicKey = [UInt8](repeating: 0, count: MLDSA44.publicKeyByteCount)
            guard passkeys_mldsa44_generate(&publicKey, &seed) == 1 else {
                throw Failure(operation: "key generation")
            }
            self.seed = seed
            self.publicKey = publicKey
        }

        /// ML-DSA.Sign (FIPS 204 Algorithm 2, hedged) over `message` with `context`.
        package func signature(for message: [UInt8], context: [UInt8] = []) throws(Failure) -> [UInt8] {
            var signature = [UInt8](repeating: 0, count: MLDSA44.signatureByteCount)
            guard seed.count == Int(PASSKEYS_MLDSA44_SEED_BYTES),
                  passkeys_mldsa44_sign(seed, message, message.count, context, context.count, &signature) == 1 else {
                throw Failure(operation: "signing")
            }
            return signature
        }

        /// A key pair given as its seed and public key, as ACVP keyGen vectors list them; signing
        /// derives the private key from the seed.
        package init(seed: [UInt8], publicKey: [UInt8]) {
            self.seed = seed
            self.publicKey = publicKey
        }
    }
}
