import Foundation
import WebAuthn

/// A one-time code mailed to an account's address: to verify the address, or to recover the
/// account. The store keeps only a hash of the code.
public struct EmailCodeRecord: Sendable, Hashable {
    /// What the code is for. The raw values are what the store writes.
    public enum Purpose: String, Sendable, Hashable, CaseIterable {
        /// Confirms that the person receives mail at the username.
        case verification
        /// Opens a recovery session that can add a passkey.
        case recovery
    }

    /// A random identifier.
    public var id: UUID
    public var userID: UserHandle
    public var purpose: Purpose
    /// A hash of the code (the server decides which; the store only compares).
    public var codeHash: [UInt8]
    /// Wrong tries so far.
    public var attempts: Int
    /// Whether the code was redeemed or replaced by a newer one.
    public var used: Bool
    public var createdAt: Date
    /// The code cannot be redeemed at or after this time.
    public var expiresAt: Date

    public init(
        id: UUID = .random(), userID: UserHandle, purpose: Purpose, codeHash: [UInt8], attempts: Int = 0, used: Bool = false,
        createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.userID = userID
        self.purpose = purpose
        self.codeHash = codeHash
        self.attempts = attempts
        self.used = used
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether the code can still be redeemed at `now`.
    public func isLive(at now: Date, maximumAttempts: Int) -> Bool {
        !used && now < expiresAt && attempts < maximumAttempts
    }

    /// How long a code counts against the hourly cap.
    public static let capWindow: TimeInterval = 3600
}
