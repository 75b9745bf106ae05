import Foundation
import WebAuthn

/// Everything the passkey server keeps: accounts, their passkeys, pending ceremonies, sessions and
/// an audit trail.
///
/// The store is the only state the server shares, so any number of server processes can serve one
/// database. Each method is one atomic step: where a rule of the server spans several rows
/// ("the sign-in updates the passkey and creates the session", "never the last passkey") the
/// method runs it as one transaction, and concurrent calls cannot break it.
///
/// Two implementations keep the same contract (`Tests/PasskeyStoreTests` runs one suite on each):
/// ``MemoryPasskeyStore`` for tests and ``SQLPasskeyStore`` for SQLite (and PostgreSQL).
///
/// Errors are ``StoreError``s. Times are kept to the microsecond by the SQL store.
public protocol PasskeyStore: SharedStateStore {
    // MARK: Accounts

    /// Creates an account with its first passkey and signs it in: the user, the credential, the
    /// session, the activity event `event` (when given), the end of the browser's previous
    /// session `previous` (a token hash, when given) and the spent mark of the ceremony `mark`
    /// that the account was made in (when given, as ``spendCeremony(id:keepUntil:)`` writes it)
    /// are stored together or not at all, in one transaction. When the call throws, nothing is
    /// stored, the mark included.
    ///
    /// - Throws: ``StoreError/ceremonySpent`` when `mark` is spent already (another request
    ///   finished the ceremony, in this process or another); ``StoreError/usernameTaken`` when an
    ///   account has the same normalized username; ``StoreError/credentialExists`` when the
    ///   credential ID is registered already (no user is left behind); a
    ///   ``StoreError/Code-swift.struct/failure`` when the credential or session belongs to
    ///   another user than `user`.
    func createUser(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit event: AuditEvent?,
        endingSession previous: [UInt8]?, spending mark: CeremonyMark?
    ) async throws

    /// The account with this user handle.
    func user(id: UserHandle) async throws -> UserRecord?

    /// The account whose normalized username is the normalized form of `username`.
    func user(username: String) async throws -> UserRecord?

    /// Changes the display name and, when it differs from the one stored, stores the activity
    /// `event` (when given), in one transaction; returns the updated account, or `nil` when there
    /// is none.
    func updateDisplayName(userID: UserHandle, displayName: String, audit event: AuditEvent?) async throws -> UserRecord?

    /// Deletes the account and everything it owns, in one transaction: passkeys, sessions, pending
    /// ceremonies and audit events; then, in the same transaction and only when the account
    /// existed, stores `event` (when given: an operator's record, not the account's). Returns
    /// whether the account existed.
    @discardableResult
    func deleteUser(id: UserHandle, audit event: AuditEvent?) async throws -> Bool

    // MARK: Passkeys

    /// The credential with this ID, whoever owns it.
    func credential(id: CredentialID) async throws -> CredentialRecord?

    /// The account's credentials, oldest first.
    func credentials(userID: UserHandle) async throws -> [CredentialRecord]

    /// Adds a passkey to an existing account with the activity `events` that record it and, when
    /// `recovery` is given, the end of the recovery of that session of the account (it becomes a
    /// full session, expiring at `recovery.expiresAt`), in one transaction: all of it is stored or, when the call throws, none of it.
    ///
    /// - Parameter limit: when given, the most passkeys the account may have: one that has that
    ///   many gets no more (checked in the same transaction, so concurrent adds cannot pass it).
    /// - Throws: ``StoreError/userNotFound`` when the account is gone;
    ///   ``StoreError/credentialExists`` when the credential ID is registered already;
    ///   ``StoreError/credentialLimit`` when the account has `limit` passkeys; a
    ///   ``StoreError/Code-swift.struct/failure`` when an event's ID is stored already.
    func addCredential(
        _ credential: CredentialRecord, audit events: [AuditEvent], endingRecoveryOf recovery: RecoveryCompletion?, limit: Int?
    ) async throws

    /// Renames one of the account's passkeys and stores the activity `event` (when given), in one
    /// transaction; returns it, or `nil` when this account has no such passkey (another account's
    /// passkey is never renamed, and no event is stored).
    func renameCredential(
        id: CredentialID, userID: UserHandle, name: String, audit event: AuditEvent?
    ) async throws -> CredentialRecord?

    /// Deletes one of the account's passkeys, unless it is the account's last one, ends the
    /// sessions that passkey opened (``SessionRecord/credentialID``) and stores the activity
    /// `event` (when given) of the deletion. The check, the delete, the sessions and the event are
    /// one transaction: two concurrent deletes of an account's last two passkeys leave one, no
    /// session outlives the passkey that opened it, and the event is stored exactly when the
    /// passkey is deleted.
    func deleteCredential(id: CredentialID, userID: UserHandle, audit event: AuditEvent?) async throws -> DeleteCredentialResult

    /// Saves what a verified sign-in tells about the credential (sign count, backup state, last
    /// use), creates the session, appends `audit` (the sign-in's event, if given), ends the
    /// session `endingSession` (the one the browser held before, if any) and writes the spent mark
    /// of the sign-in's sealed ceremony `mark` (if given, as ``spendCeremony(id:keepUntil:)``
    /// writes it), in one transaction: a sign-in is one commit, and either all of it is stored or
    /// none.
    ///
    /// The credential must belong to `session.userID`. Returns `true` once all of it is written, or
    /// `false` (and nothing written, the mark included) when that account holds no such credential
    /// any more; read the updated credential with ``credential(id:)``. (No caller needed the
    /// updated row, and returning it cost SQLite a temporary table for `RETURNING` on every sign-in.)
    ///
    /// The counter is compared and set in the same statement: it must grow, or stay zero where it
    /// is zero (WebAuthn §7.2 step 22). When a concurrent sign-in already moved it as far, this
    /// throws ``StoreError/signCountConflict`` and changes nothing, so two racing assertions (a
    /// clone and the original) cannot both pass or move the counter back.
    ///
    /// - Throws: ``StoreError/ceremonySpent`` when `mark` is spent already (another answer to the
    ///   same ceremony finished it, in this process or another): no session, no event, no mark.
    func recordSignIn(
        credentialID: CredentialID,
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord,
        audit: AuditEvent?,
        endingSession: [UInt8]?,
        spending mark: CeremonyMark?
    ) async throws -> Bool

    /// ``recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)``
    /// for a sign-in verified against the passkey as the sign-in's options read it (sealed in its
    /// ceremony) rather than read again: all of it is written, in one transaction, only while the
    /// account `session.userID` still holds the credential with this `publicKey`, the account is
    /// not disabled and the counter grows (or stays zero where it is zero). Returns the account
    /// then, as the transaction read it; `nil`, with nothing written and the mark not spent, when
    /// any of that no longer holds, so the caller reads the credential and verifies again.
    ///
    /// - Throws: ``StoreError/ceremonySpent`` when `mark` is spent already: nothing written.
    func recordSignIn(
        credentialID: CredentialID,
        publicKey: [UInt8],
        signCount: UInt32,
        backedUp: Bool,
        at: Date,
        session: SessionRecord,
        audit: AuditEvent?,
        endingSession: [UInt8]?,
        spending mark: CeremonyMark?
    ) async throws -> UserRecord?

    // MARK: Sign-in, one store operation per request

    /// The account with this username (normalized as ``user(username:)``) and its credentials,
    /// oldest first, read in one operation; `nil` when there is no such account.
    ///
    /// The credentials are looked up by the username whether or not the account exists, so a
    /// username nobody has costs the store the same work as one that exists.
    func userWithCredentials(username: String) async throws -> (user: UserRecord, credentials: [CredentialRecord])?

    /// Takes the ceremony `id` out of the store as ``consumeCeremony(id:)`` does (once, whatever
    /// comes next) and, in the same operation, reads the credential `credentialID` and its account.
    /// When there is no such ceremony nothing else is read.
    func consumeCeremony(id: String, readingCredential credentialID: CredentialID) async throws -> SignInAnswerRecords

    // MARK: Ceremonies

    /// Stores a ceremony until it is consumed or purged.
    func insertCeremony(_ ceremony: CeremonyRecord) async throws

    /// Removes the ceremony and returns it, once: of any number of concurrent calls for one ID,
    /// exactly one gets the record. An expired ceremony is returned too (so the caller can say
    /// `ceremony_expired`) and is gone all the same; the caller checks ``CeremonyRecord/isExpired(at:)``.
    func consumeCeremony(id: String) async throws -> CeremonyRecord?

    // MARK: Ceremonies the browser holds

    /// Marks the ceremony `id` spent, once: of any number of concurrent calls for one ID, from any
    /// number of processes, exactly one returns `true`; every other call, and every call after it,
    /// returns `false`. The mark is kept until `keepUntil` (then ``purgeExpired(now:sessionIdleTimeout:)``
    /// forgets it), which must be after the ceremony's own expiry.
    ///
    /// For ceremonies the server keeps sealed in the browser's cookie rather than in the store:
    /// the store holds nothing for them until they are finished, and only this mark afterwards.
    func spendCeremony(id: String, keepUntil: Date) async throws -> Bool

    /// The credential `credentialID`, whoever holds it, and its account, read in one operation that
    /// writes nothing: what the answer to a sealed sign-in ceremony needs before it is verified
    /// (the ceremony is spent with the sign-in, ``recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)``).
    /// The records' ``SignInAnswerRecords/ceremony`` is always `nil`.
    func signInRecords(credentialID: CredentialID) async throws -> SignInAnswerRecords

    // MARK: Sessions

    /// Stores a session for an existing account with the activity `event` that opened it (when
    /// given), and ends the browser's previous session `previous` (a token hash, when given), in
    /// one transaction: all of it or, when the call throws, none of it.
    ///
    /// - Throws: ``StoreError/userNotFound`` when the account is gone.
    func insertSession(_ session: SessionRecord, audit event: AuditEvent?, endingSession previous: [UInt8]?) async throws

    /// Stores a password sign-in's session as ``insertSession(_:audit:endingSession:)`` does, only
    /// while the account's password is still `passwordHash` (the one the password was checked
    /// against) and the account is not disabled, checked in the same transaction under the
    /// account's lock: a password removed (or replaced, or the account disabled) while it was being
    /// checked opens no session. Returns `false`, with nothing written, then.
    func insertPasswordSession(
        _ session: SessionRecord, passwordHash: String, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> Bool

    /// The session whose token hashes to `tokenHash`, expired or not; the caller checks
    /// ``SessionRecord/isExpired(at:idleTimeout:)``.
    func session(tokenHash: [UInt8]) async throws -> SessionRecord?

    /// The session whose token hashes to `tokenHash` (expired or not) and its account, read
    /// together: what every signed-in request asks. `nil` when there is no such session or its
    /// account is gone.
    func sessionWithUser(tokenHash: [UInt8]) async throws -> (session: SessionRecord, user: UserRecord)?

    /// Moves the session's ``SessionRecord/lastSeenAt`` forward to `at` (never backward), which
    /// restarts its idle expiry.
    func touchSession(tokenHash: [UInt8], at: Date) async throws

    /// Deletes the session (sign-out) and, when there was one to delete, stores the activity
    /// `event` (when given), in one transaction. Deleting a session that does not exist is not an
    /// error: it answers `false` and stores no event.
    @discardableResult
    func deleteSession(tokenHash: [UInt8], audit event: AuditEvent?) async throws -> Bool

    /// Deletes the ceremonies and sessions that have expired at `now`: past `expiresAt`, or, for
    /// sessions when `sessionIdleTimeout` is given, last seen that many seconds ago or more; and
    /// forgets the spent-ceremony marks kept until `now` or before.
    /// Returns how many records were deleted.
    @discardableResult
    func purgeExpired(now: Date, sessionIdleTimeout: TimeInterval?) async throws -> Int

    // MARK: Audit

    /// Appends an event to the audit trail. An event of an account that does not exist (any more)
    /// is not stored: an event written while the account is being deleted would outlive it. The
    /// check and the write exclude a concurrent ``deleteUser(id:audit:)`` on every backend.
    func appendAudit(_ event: AuditEvent) async throws

    /// One page of the account's audit events, newest first: at most `limit`, and only those
    /// older than `before` (in the order of the list) when it is given, so
    /// `before: lastEventOfThePage.cursor` gives the next page.
    func auditEvents(userID: UserHandle, limit: Int, before: AuditEvent.Cursor?) async throws -> [AuditEvent]

    /// Deletes the audit events that happened before `cutoff` (the retention); returns how many.
    @discardableResult
    func purgeAuditEvents(before cutoff: Date) async throws -> Int

    // MARK: Sessions and accounts, for the person and for operators

    /// The account's sessions, expired or not, oldest first.
    func sessions(userID: UserHandle) async throws -> [SessionRecord]

    /// Ends the account's sessions, all of them or all but the one whose token hash is `keeping`,
    /// and stores the activity events `events` makes of the sessions ended (oldest first), in one
    /// transaction; returns the sessions ended.
    @discardableResult
    func deleteSessions(
        userID: UserHandle, keeping: [UInt8]?, audit events: @escaping @Sendable ([SessionRecord]) -> [AuditEvent]
    ) async throws -> [SessionRecord]

    /// Every account, in the order of their normalized usernames.
    func users() async throws -> [UserRecord]

    /// Turns the account off (`disabled: true`) or on again, and returns it (`nil` when there is no
    /// such account). Turning it off ends all its sessions, revokes its OAuth codes and tokens and
    /// uses up its mailed codes (so none works once it is turned on again) in the same transaction,
    /// which also stores the activity `event` (when given).
    func setDisabled(userID: UserHandle, _ disabled: Bool, audit event: AuditEvent?) async throws -> UserRecord?

    // MARK: OpenID Provider: clients

    /// Registers an application.
    ///
    /// - Throws: ``StoreError/Code-swift.struct/clientExists`` when its ID is taken.
    func insertClient(_ client: OAuthClientRecord) async throws

    /// The application with this `client_id`.
    func client(id: String) async throws -> OAuthClientRecord?

    /// Every registered application, oldest first.
    func clients() async throws -> [OAuthClientRecord]

    /// Replaces the application's secret hash; returns whether it exists.
    @discardableResult
    func updateClientSecret(id: String, secretHash: [UInt8]?) async throws -> Bool

    /// Removes the application with its codes, tokens and consents; returns whether it existed.
    @discardableResult
    func deleteClient(id: String) async throws -> Bool

    // MARK: OpenID Provider: signing keys

    /// Every signing key, retired ones included, oldest first.
    func signingKeys() async throws -> [SigningKeyRecord]

    /// Stores each key whose algorithm has no current (unretired) key yet, in one transaction, and
    /// returns all keys: processes starting together agree on the keys they sign with.
    func addSigningKeysIfMissing(_ keys: [SigningKeyRecord]) async throws -> [SigningKeyRecord]

    /// Retires every current key of the new keys' algorithms at `at` and stores the new keys, in
    /// one transaction.
    func rotateSigningKeys(_ keys: [SigningKeyRecord], at: Date) async throws

    // MARK: OpenID Provider: codes and tokens

    /// Stores an authorization code.
    func insertAuthorizationCode(_ code: AuthorizationCodeRecord) async throws

    /// The code whose SHA-256 is `codeHash`, used or not, expired or not.
    func authorizationCode(codeHash: [UInt8]) async throws -> AuthorizationCodeRecord?

    /// Redeems a code once, atomically: an unused code is marked used and `tokens` are stored with
    /// it; a code used before revokes every token of its grant and stores nothing.
    func redeemAuthorizationCode(codeHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]) async throws -> CodeRedemption

    /// The token whose SHA-256 is `tokenHash`, expired or not.
    func oauthToken(tokenHash: [UInt8]) async throws -> OAuthTokenRecord?

    /// The account's tokens that are live at `at`, every application's, oldest first: unexpired,
    /// and for a refresh token not rotated yet (a rotated one is kept only so that its reuse is
    /// noticed, RFC 9700 §4.14.2). With ``consents(userID:)``, the applications the person sees on
    /// the account page: one that was never asked for consent (a trusted one) holds tokens only.
    func liveOAuthTokens(userID: UserHandle, at: Date) async throws -> [OAuthTokenRecord]

    /// Rotates a refresh token once, atomically: a current token is marked rotated and `tokens`
    /// are stored; a token rotated before revokes every token of its grant and stores nothing.
    func rotateRefreshToken(tokenHash: [UInt8], at: Date, issuing tokens: [OAuthTokenRecord]) async throws -> RefreshRotation

    /// Deletes one token. Deleting a token that does not exist is not an error.
    func deleteOAuthToken(tokenHash: [UInt8]) async throws

    /// Deletes every token of a grant (the family of a refresh token).
    func revokeGrant(id: String) async throws

    /// Deletes every token and code of the account, for every application (the account is
    /// deleted or disabled). Returns how many tokens were deleted.
    @discardableResult
    func revokeOAuthTokens(userID: UserHandle) async throws -> Int

    /// Deletes the codes, tokens and refresh-token families that expired at `now`; returns how many.
    @discardableResult
    func purgeExpiredOAuth(now: Date) async throws -> Int

    // MARK: OpenID Provider: consent

    /// What the person allowed the application to see, if anything.
    func consent(userID: UserHandle, clientID: String) async throws -> ConsentRecord?

    /// Remembers the consent, replacing an earlier one of the same person and application, with
    /// the activity `event` (when given), in one transaction.
    ///
    /// - Throws: ``StoreError/userNotFound`` or ``StoreError/Code-swift.struct/clientNotFound``.
    func saveConsent(_ consent: ConsentRecord, audit event: AuditEvent?) async throws

    /// Every application the person allowed, oldest first.
    func consents(userID: UserHandle) async throws -> [ConsentRecord]

    /// Ends the application's access to the account: forgets the consent and deletes every code and
    /// token the application holds for the person, in one transaction. Returns whether the person
    /// could see the application on the account page: it had a consent, or a token live at `at` (as
    /// ``liveOAuthTokens(userID:at:)`` counts them). The activity `event` (when given) is stored in
    /// the same transaction, only then.
    @discardableResult
    func removeAccess(userID: UserHandle, clientID: String, at: Date, audit event: AuditEvent?) async throws -> Bool

    // MARK: Email codes, recovery and imported passwords

    /// Creates an account without a passkey (an imported one), with the password hash it had
    /// elsewhere, if any.
    ///
    /// The activity `event` (when given) is stored with it, in one transaction.
    ///
    /// - Throws: ``StoreError/usernameTaken`` when an account has the same normalized username.
    func importUser(_ user: UserRecord, passwordHash: String?, audit event: AuditEvent?) async throws

    /// The imported password hash of the account, `nil` when it has none (or no such account).
    func passwordHash(userID: UserHandle) async throws -> String?

    /// Removes the account's password, unless the account has no passkey to sign in with then,
    /// ends every session the password opened but `keepingSession` (the one asking) and stores
    /// the activity `event` (when given) of the removal: the check and the changes are one
    /// transaction, and the event is stored exactly when the password is removed.
    func removePassword(userID: UserHandle, keepingSession: [UInt8]?, audit event: AuditEvent?) async throws -> RemovePasswordResult

    /// Stores a new email code for the account, unless `maximumPerHour` codes of this purpose were
    /// issued to the account in the hour before `code.createdAt`: then nothing changes and the
    /// answer says when the next one may be issued. Earlier live codes stay live (anyone can ask
    /// for a code to an address, and that must not end the one its owner holds).
    func issueEmailCode(_ code: EmailCodeRecord, maximumPerHour: Int) async throws -> IssueEmailCodeResult

    /// Redeems one of the account's live codes of `purpose` (unexpired at `now`, unused, fewer than
    /// `maximumAttempts` wrong tries): when `codeHash` matches one (each compared in constant time)
    /// every code of this purpose is used up and, in the same transaction, a verification marks the
    /// address verified; a recovery marks it verified too, ends every session of the account and
    /// deletes its applications' codes and tokens (recovery signs out everywhere else), and when the
    /// address was not verified before also deletes the account's passkeys, password and consents
    /// (no one had shown they were the address owner's: someone may have signed up with another's
    /// address), then stores `session`; the browser's previous session `previous` (a token hash,
    /// when given) ends, and the activity `event` (when given) is stored. A wrong code counts one
    /// try against every live code, and nothing else is stored.
    ///
    /// - Returns: the updated account, or `nil` when no live code matched.
    func redeemEmailCode(
        userID: UserHandle, purpose: EmailCodeRecord.Purpose, codeHash: [UInt8], at now: Date, maximumAttempts: Int,
        session: SessionRecord?, audit event: AuditEvent?, endingSession previous: [UInt8]?
    ) async throws -> UserRecord?

    /// Deletes email codes that can neither be redeemed nor count against the hourly cap any more.
    @discardableResult
    func purgeEmailCodes(now: Date) async throws -> Int
}

/// What ``PasskeyStore/removePassword(userID:keepingSession:)`` did.
public enum RemovePasswordResult: Sendable, Hashable {
    /// The password is gone.
    case removed
    /// The account has no passkey: the password was kept (`409 no_passkey`).
    case noPasskey
    /// The account has no password (or does not exist).
    case noPassword
}

/// What ``PasskeyStore/issueEmailCode(_:maximumPerHour:)`` did.
public enum IssueEmailCodeResult: Sendable, Hashable {
    /// The code is stored and live.
    case issued
    /// Too many codes this hour; the next may be issued at this time.
    case capped(until: Date)
}

extension PasskeyStore {
    /// ``sessionWithUser(tokenHash:)`` as ``session(tokenHash:)`` and then ``user(id:)``, for a
    /// store that has no cheaper way to read the two.
    public func sessionWithUser(tokenHash: [UInt8]) async throws -> (session: SessionRecord, user: UserRecord)? {
        guard let session = try await session(tokenHash: tokenHash),
              let user = try await user(id: session.userID) else { return nil }
        return (session, user)
    }

    /// Deletes the account as ``deleteUser(id:audit:)`` does, with no event.
    @discardableResult
    public func deleteUser(id: UserHandle) async throws -> Bool {
        try await deleteUser(id: id, audit: nil)
    }

    /// Turns the account off or on as ``setDisabled(userID:_:audit:)`` does, with no event.
    public func setDisabled(userID: UserHandle, _ disabled: Bool) async throws -> UserRecord? {
        try await setDisabled(userID: userID, disabled, audit: nil)
    }

    /// Remembers the consent as ``saveConsent(_:audit:)`` does, with no event.
    public func saveConsent(_ consent: ConsentRecord) async throws {
        try await saveConsent(consent, audit: nil)
    }

    /// Ends the application's access as ``removeAccess(userID:clientID:at:audit:)`` does, counting
    /// no token as live: returns whether there was a consent, and stores `event` only then.
    @discardableResult
    public func removeConsent(userID: UserHandle, clientID: String, audit event: AuditEvent? = nil) async throws -> Bool {
        // No token is live at the end of time.
        try await removeAccess(userID: userID, clientID: clientID, at: .distantFuture, audit: event)
    }

    /// Creates an imported account as ``importUser(_:passwordHash:audit:)`` does, with no event.
    public func importUser(_ user: UserRecord, passwordHash: String?) async throws {
        try await importUser(user, passwordHash: passwordHash, audit: nil)
    }

    /// Changes the display name as ``updateDisplayName(userID:displayName:audit:)`` does, with no event.
    public func updateDisplayName(userID: UserHandle, displayName: String) async throws -> UserRecord? {
        try await updateDisplayName(userID: userID, displayName: displayName, audit: nil)
    }

    /// Renames a passkey as ``renameCredential(id:userID:name:audit:)`` does, with no event.
    public func renameCredential(id: CredentialID, userID: UserHandle, name: String) async throws -> CredentialRecord? {
        try await renameCredential(id: id, userID: userID, name: name, audit: nil)
    }

    /// Stores a session as ``insertSession(_:audit:endingSession:)`` does, with no event and no
    /// session to end.
    public func insertSession(_ session: SessionRecord) async throws {
        try await insertSession(session, audit: nil, endingSession: nil)
    }

    /// Deletes the session as ``deleteSession(tokenHash:audit:)`` does, with no event.
    public func deleteSession(tokenHash: [UInt8]) async throws {
        try await deleteSession(tokenHash: tokenHash, audit: nil)
    }

    /// Ends the account's sessions as ``deleteSessions(userID:keeping:audit:)`` does, with no event.
    @discardableResult
    public func deleteSessions(userID: UserHandle, keeping: [UInt8]?) async throws -> [SessionRecord] {
        try await deleteSessions(userID: userID, keeping: keeping, audit: { _ in [] })
    }

    /// Redeems a code as ``redeemEmailCode(userID:purpose:codeHash:at:maximumAttempts:session:audit:endingSession:)``
    /// does, with no event and no session to end.
    public func redeemEmailCode(
        userID: UserHandle, purpose: EmailCodeRecord.Purpose, codeHash: [UInt8], at now: Date, maximumAttempts: Int,
        session: SessionRecord?
    ) async throws -> UserRecord? {
        try await redeemEmailCode(
            userID: userID, purpose: purpose, codeHash: codeHash, at: now, maximumAttempts: maximumAttempts,
            session: session, audit: nil, endingSession: nil)
    }

    /// Deletes one of the account's passkeys as ``deleteCredential(id:userID:audit:)`` does, with no event.
    public func deleteCredential(id: CredentialID, userID: UserHandle) async throws -> DeleteCredentialResult {
        try await deleteCredential(id: id, userID: userID, audit: nil)
    }

    /// Removes the account's password as ``removePassword(userID:keepingSession:audit:)`` does, with no event.
    public func removePassword(userID: UserHandle, keepingSession: [UInt8]?) async throws -> RemovePasswordResult {
        try await removePassword(userID: userID, keepingSession: keepingSession, audit: nil)
    }

    /// Adds a passkey to an existing account, with no event and no recovery to end
    /// (``addCredential(_:audit:endingRecoveryOf:limit:)``).
    public func addCredential(_ credential: CredentialRecord) async throws {
        try await addCredential(credential, audit: [], endingRecoveryOf: nil, limit: nil)
    }

    /// ``createUser(_:credential:session:audit:endingSession:spending:)`` with no event, no
    /// session to end and no ceremony to spend.
    public func createUser(_ user: UserRecord, credential: CredentialRecord, session: SessionRecord) async throws {
        try await createUser(user, credential: credential, session: session, audit: nil, endingSession: nil, spending: nil)
    }

    /// ``createUser(_:credential:session:audit:endingSession:spending:)`` with no ceremony to spend.
    public func createUser(
        _ user: UserRecord, credential: CredentialRecord, session: SessionRecord, audit event: AuditEvent?,
        endingSession previous: [UInt8]?
    ) async throws {
        try await createUser(
            user, credential: credential, session: session, audit: event, endingSession: previous, spending: nil)
    }

    /// Saves a verified sign-in and creates the session, in one transaction, with no audit event
    /// and no earlier session to end
    /// (``recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)``).
    @discardableResult
    public func recordSignIn(
        credentialID: CredentialID, signCount: UInt32, backedUp: Bool, at: Date, session: SessionRecord
    ) async throws -> Bool {
        try await recordSignIn(
            credentialID: credentialID, signCount: signCount, backedUp: backedUp, at: at, session: session,
            audit: nil, endingSession: nil, spending: nil)
    }

    /// ``recordSignIn(credentialID:signCount:backedUp:at:session:audit:endingSession:spending:)``
    /// with no ceremony to spend.
    public func recordSignIn(
        credentialID: CredentialID, signCount: UInt32, backedUp: Bool, at: Date, session: SessionRecord,
        audit: AuditEvent?, endingSession: [UInt8]?
    ) async throws -> Bool {
        try await recordSignIn(
            credentialID: credentialID, signCount: signCount, backedUp: backedUp, at: at, session: session,
            audit: audit, endingSession: endingSession, spending: nil)
    }

    /// The account's most recent audit events, newest first, at most `limit`.
    public func auditEvents(userID: UserHandle, limit: Int) async throws -> [AuditEvent] {
        try await auditEvents(userID: userID, limit: limit, before: nil)
    }

    /// Deletes the ceremonies and sessions past their absolute expiry at `now`.
    @discardableResult
    public func purgeExpired(now: Date) async throws -> Int {
        try await purgeExpired(now: now, sessionIdleTimeout: nil)
    }
}

/// What ``PasskeyStore/deleteCredential(id:userID:)`` did.
public enum DeleteCredentialResult: Sendable, Hashable {
    /// The passkey is gone.
    case deleted
    /// The account has no passkey with this ID (it may be another account's).
    case notFound
    /// The passkey is the account's only one and was kept (`409 last_passkey`).
    case lastCredential
}

/// A ceremony the browser held (sealed in its cookie, nothing in the store), to be marked spent
/// by the store operation that finishes it, as ``PasskeyStore/spendCeremony(id:keepUntil:)``
/// marks it: the mark and the operation's writes commit together.
public struct CeremonyMark: Sendable, Hashable {
    /// The ceremony's ID.
    public var id: String
    /// Until when the mark is kept; after the ceremony's own expiry.
    public var keepUntil: Date

    public init(id: String, keepUntil: Date) {
        self.id = id
        self.keepUntil = keepUntil
    }
}

/// What finishing a sign-in reads from the store in one operation
/// (``PasskeyStore/consumeCeremony(id:readingCredential:)``, ``PasskeyStore/signInRecords(credentialID:)``).
public struct SignInAnswerRecords: Sendable, Hashable {
    /// The ceremony, now gone from the store; `nil` when there was none.
    public var ceremony: CeremonyRecord?
    /// The credential the answer names, whoever holds it; `nil` when the server holds none (or
    /// there was no ceremony).
    public var credential: CredentialRecord?
    /// The credential's account; `nil` when there is no credential.
    public var user: UserRecord?

    public init(ceremony: CeremonyRecord? = nil, credential: CredentialRecord? = nil, user: UserRecord? = nil) {
        self.ceremony = ceremony
        self.credential = credential
        self.user = user
    }
}
