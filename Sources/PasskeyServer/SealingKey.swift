import CPasskeyAEAD
import WebAuthn

/// A ChaCha20-Poly1305 key (RFC 8439) set up once, for sealing and opening many times from any
/// number of threads at once (``SealedCeremony``). A box is laid out as swift-crypto's
/// `ChaChaPoly.SealedBox.combined`: the nonce, the ciphertext, the 16-byte tag.
///
/// Why not `ChaChaPoly`: it sets the key up again and copies through `Data` on every call, which
/// cost several times the cipher itself for a ceremony's few hundred bytes (docs/performance.md,
/// lever 31). The cipher is the same BoringSSL's (`CPasskeyAEAD`).
final class SealingKey: @unchecked Sendable {
    // @unchecked: the key's state is written once, in `init`; BoringSSL's seal and open only read
    // it and may be called concurrently with one key (its `aead.h` says so).
    private let aead: OpaquePointer

    /// RFC 8439 §2.8: a 96-bit nonce and a 128-bit tag.
    static let nonceLength = Int(PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES)
    static let tagLength = Int(PASSKEYS_CHACHA20_POLY1305_TAG_BYTES)

    /// The key in `bytes`; `nil` unless they are 32 (or the library cannot set the key up).
    init?(bytes: [UInt8]) {
        guard bytes.count == Int(PASSKEYS_CHACHA20_POLY1305_KEY_BYTES),
            let aead = bytes.withUnsafeBufferPointer({ passkeys_chacha20_poly1305_new($0.baseAddress) })
        else { return nil }
        self.aead = aead
    }

    deinit {
        passkeys_aead_free(aead)
    }

    /// `prefix`, then a box: a random nonce, `message` encrypted, and the tag over both the
    /// ciphertext and `associatedData`.
    func seal(_ message: [UInt8], authenticating associatedData: [UInt8], after prefix: [UInt8] = []) -> [UInt8]? {
        let nonce = randomBytes(Self.nonceLength)
        let start = prefix.count + Self.nonceLength
        let capacity = message.count + Self.tagLength
        var box = prefix + nonce + [UInt8](repeating: 0, count: capacity)
        let sealed = box.withUnsafeMutableBufferPointer { out in
            passkeys_aead_seal(
                aead, nonce, message, message.count, associatedData, associatedData.count,
                out.baseAddress.map { $0 + start }, capacity)
        }
        return sealed == 1 ? box : nil
    }

    /// The message in `box` (nonce, ciphertext, tag), or `nil` when the tag does not hold for
    /// this key and `associatedData` or the box is too short to hold a nonce and a tag.
    func open(_ box: ArraySlice<UInt8>, authenticating associatedData: [UInt8]) -> [UInt8]? {
        guard box.count >= Self.nonceLength + Self.tagLength else { return nil }
        let nonce = Array(box.prefix(Self.nonceLength))
        let sealed = box.dropFirst(Self.nonceLength)
        let capacity = sealed.count - Self.tagLength
        var message = [UInt8](repeating: 0, count: max(capacity, 1))  // never a null pointer
        let opened = sealed.withUnsafeBufferPointer { input in
            message.withUnsafeMutableBufferPointer { out in
                passkeys_aead_open(
                    aead, nonce, input.baseAddress, input.count, associatedData, associatedData.count,
                    out.baseAddress, capacity)
            }
        }
        return opened == 1 ? Array(message.prefix(capacity)) : nil
    }
}
