import Crypto
import Foundation
import PasskeyStore
import Synchronization
import WebAuthn

/// A random key kept in the store's settings, so every server process (and every restart) of one
/// database uses the same one: the decoy credentials shown for unknown usernames (were the key per
/// process, two answers for one unknown name could differ, which a real account's never do), and
/// the seal on ceremonies the browser holds (any process may finish what another began).
///
/// Read from the store once, on first use, then kept in memory. Never logged.
final class SharedKey: Sendable {
    /// The decoy credentials' key.
    static let decoySettingName = "decoy_credential_key"
    /// The key that seals ceremonies kept in the browser's cookie.
    static let ceremonySealSettingName = "ceremony_seal_key"
    /// The key that seals the session token in the forward-auth cookie.
    static let forwardAuthSealSettingName = "forward_auth_cookie_key"
    /// The key of the recovery mail link's proof.
    static let recoveryLinkSettingName = "recovery_link_key"
    /// The key of the cookie that names a browser where an account's password was right.
    static let passwordDeviceSettingName = "password_device_key"

    private let store: any PasskeyStore
    private let settingName: String
    private let cached = Mutex<SymmetricKey?>(nil)
    private let sealing = Mutex<SealingKey?>(nil)

    init(store: any PasskeyStore, settingName: String) {
        self.store = store
        self.settingName = settingName
    }

    /// The shared key; the first process to ask stores a random one.
    func key() async throws -> SymmetricKey {
        if let key = cached.withLock({ $0 }) { return key }
        let bytes = try await store.setting(named: settingName, orInsert: randomBytes(32))
        let key = SymmetricKey(data: bytes)
        cached.withLock { $0 = key }
        return key
    }

    /// The shared key set up for sealing (ChaCha20-Poly1305), made once.
    func sealingKey() async throws -> SealingKey {
        if let key = sealing.withLock({ $0 }) { return key }
        let bytes = try await key().withUnsafeBytes { Array($0) }
        guard let key = SealingKey(bytes: bytes) else {
            throw StoreError.failure("the setting \(settingName) does not hold a 32-byte key")
        }
        sealing.withLock { $0 = key }
        return key
    }
}

/// The newest FIDO metadata BLOB number any process of this database has loaded, kept in the
/// store so rollback protection (FIDO MDS3 §3.1.7: a BLOB's number only grows) survives restarts
/// and holds across processes.
enum MetadataNumber {
    static let settingName = "fido_metadata_blob_number"

    /// Records that BLOB `number` is in use; throws `metadata_rollback` when the database has seen
    /// a newer one.
    static func record(_ number: Int, in store: any PasskeyStore) async throws {
        let stored = try await store.raiseSetting(named: settingName, to: Int64(number))
        guard stored <= Int64(number) else {
            throw WebAuthnError(.metadataRollback, "metadata BLOB \(number) is older than BLOB \(stored), which this database has already used")
        }
    }
}
