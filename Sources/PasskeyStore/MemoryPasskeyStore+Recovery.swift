import Foundation
import WebAuthn

extension MemoryPasskeyStore {
    // MARK: Email codes, recovery and imported passwords

    public func importUser(_ user: UserRecord, passwordHash: String?, audit event: AuditEvent?) async throws {
        let username = user.normalizedUsername
        guard userIDsByUsername[username] == nil else { throw StoreError.usernameTaken }
        guard usersByID[user.id] == nil else { throw StoreError.failure("a user with this handle exists") }
        try checkNew(event)
        usersByID[user.id] = user
        userIDsByUsername[username] = user.id
        passwordHashes[user.id] = passwordHash
        append(event)
    }

    public func passwordHash(userID: UserHandle) async throws -> String? {
        passwordHashes[userID]
    }

    public func removePassword(
        userID: UserHandle, keepingSession: [UInt8]?, audit event: AuditEvent?
    ) async throws -> RemovePasswordResult {
        guard passwordHashes[userID] != nil else { return .noPassword }
        guard credentialsByID.values.contains(where: { $0.userID == userID }) else { return .noPasskey }
        try checkNew(event)
        passwordHashes.removeValue(forKey: userID)
        sessionsByHash = sessionsByHash.filter { hash, session in
            session.userID != userID || session.method != .password || hash == keepingSession
        }
        append(event)
        return .removed
    }

    public func issueEmailCode(_ code: EmailCodeRecord, maximumPerHour: Int) async throws -> IssueEmailCodeResult {
        guard usersByID[code.userID] != nil else { throw StoreError.userNotFound }
        let windowStart = code.createdAt.addingTimeInterval(-EmailCodeRecord.capWindow)
        let recent = emailCodes.values
            .filter { $0.userID == code.userID && $0.purpose == code.purpose && $0.createdAt > windowStart }
            .map(\.createdAt)
            .sorted()
        if recent.count >= maximumPerHour {
            let oldest = recent[recent.count - maximumPerHour]
            return .capped(until: oldest.addingTimeInterval(EmailCodeRecord.capWindow))
        }
        emailCodes[code.id] = code
        return .issued
    }

    public func redeemEmailCode(
        userID: UserHandle, purpose: EmailCodeRecord.Purpose, codeHash: [UInt8], at now: Date, maximumAttempts: Int,
        session: SessionRecord?, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> UserRecord? {
        guard var user = usersByID[userID] else { return nil }
        let live = emailCodes.values
            .filter { $0.userID == userID && $0.purpose == purpose && $0.isLive(at: now, maximumAttempts: maximumAttempts) }
        var matched = false
        for code in live where constantTimeEquals(code.codeHash, codeHash) { matched = true }
        guard matched else {
            for var code in live {
                code.attempts += 1
                emailCodes[code.id] = code
            }
            return nil
        }
        if let session {
            guard session.userID == userID else { throw StoreError.failure("the session belongs to another account") }
            guard sessionsByHash[session.tokenHash] == nil else { throw StoreError.failure("the session exists") }
        }
        try checkNew(event)
        for (id, var code) in emailCodes where code.userID == userID && code.purpose == purpose {
            code.used = true
            emailCodes[id] = code
        }
        switch purpose {
        case .verification:
            user.emailVerified = true
            usersByID[userID] = user
        case .recovery:
            // An address no one had proved yet: whatever signed in to the account before was
            // never shown to be its owner's, so its passkeys, password and consents go.
            if !user.emailVerified {
                credentialsByID = credentialsByID.filter { $0.value.userID != userID }
                passwordHashes.removeValue(forKey: userID)
                openID.consents = openID.consents.filter { $0.key.userID != userID }
            }
            // Receiving the recovery code proves the address as much as a verification code does.
            user.emailVerified = true
            usersByID[userID] = user
            // Recovery signs out everywhere else: every session and every application's tokens.
            sessionsByHash = sessionsByHash.filter { $0.value.userID != userID }
            openID.tokens = openID.tokens.filter { $0.value.userID != userID }
            openID.codes = openID.codes.filter { $0.value.userID != userID }
            if let session { sessionsByHash[session.tokenHash] = session }
        }
        if let previous, previous != session?.tokenHash { sessionsByHash.removeValue(forKey: previous) }
        append(event)
        return user
    }

    @discardableResult
    public func purgeEmailCodes(now: Date) async throws -> Int {
        let before = emailCodes.count
        let windowStart = now.addingTimeInterval(-EmailCodeRecord.capWindow)
        emailCodes = emailCodes.filter { $0.value.expiresAt > now || $0.value.createdAt > windowStart }
        return before - emailCodes.count
    }
}
