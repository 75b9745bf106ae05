extension Auth {
    /// What the server says about a signed-in account beyond its names (`GET /api/session`):
    /// whether the session is a recovery session, the address is confirmed, a password is left.
    public struct AccountStatus: Equatable, Sendable {
        /// Opened with an emailed recovery code: it can only add a passkey until it has (docs/recovery.md).
        public var recovery: Bool
        /// The username, an email address, is confirmed with a mailed code.
        public var emailVerified: Bool
        /// The account still has the password it was moved here with (docs/migration.md).
        public var hasPassword: Bool

        public init(recovery: Bool = false, emailVerified: Bool = true, hasPassword: Bool = false) {
            self.recovery = recovery
            self.emailVerified = emailVerified
            self.hasPassword = hasPassword
        }
    }

    /// The automatic passkey upgrade (WebAuthn L3 conditional create): asked for once, in the
    /// background, when an account with a password has no passkey. The person never waits for it.
    public enum Upgrade: Equatable, Sendable {
        case requestingOptions
        /// The provider may never answer: nothing waits for it, and adding a passkey cancels it.
        case waitingForPasskey
        case saving
        /// The person asked to add a passkey while the upgrade's options were on their way: theirs
        /// are asked for when those arrive, and the upgrade ends. The server keeps one ceremony per
        /// browser, and of two options requests in flight at once the one answered last would take
        /// it from the other.
        case yielding
        /// Done, declined, failed or cancelled: not asked again on this page.
        case over
    }

    /// What the account page offers besides its passkeys, in words of the view's language.
    public struct AccountOffers: Equatable, Sendable {
        /// The "create a passkey" panel: a recovery session's new passkey, or the first passkey of
        /// an account without one; `nil` when not offered.
        public var createPasskey: CreatePasskeyOffer?
        /// Ask for the code that confirms the email address.
        public var confirmEmail: Bool
        /// Offer to remove the password: a passkey exists, so the account does not need it.
        public var removePassword: Bool
        /// The address was confirmed just now: a page sent here to confirm it (forward-auth's
        /// `?next=`) goes on to where it was going.
        public var continueToNext: Bool

        public init(createPasskey: CreatePasskeyOffer? = nil, confirmEmail: Bool = false, removePassword: Bool = false, continueToNext: Bool = false) {
            self.createPasskey = createPasskey
            self.confirmEmail = confirmEmail
            self.removePassword = removePassword
            self.continueToNext = continueToNext
        }
    }

    /// The words of the "create a passkey" panel.
    public struct CreatePasskeyOffer: Equatable, Sendable {
        public var heading: String
        public var text: String
        public var button: String

        public init(heading: String, text: String, button: String) {
            self.heading = heading
            self.text = text
            self.button = button
        }
    }

    /// The account page's words for email confirmation, the recovery session, the upgrade and
    /// the password (one group, so a language adds them in one place).
    public enum AccountPhrase: Equatable, Sendable {
        case upgradeHeading, upgradeText, upgradeButton
        case recoveryHeading, recoveryText, recoveryButton
        /// The recovery session's words when the account has no passkey left (an address never
        /// confirmed loses them at recovery) or never had one: nothing below to delete.
        case recoveryTextNoPasskeys
        case verifyHeading, verifyText, verifyCode, verifyConfirm, verifyResend
        case passwordHeading, passwordText, removePassword
        case confirmingEmail, sendingCode, removingPassword
        case emailConfirmed, codeSent, passwordRemoved
        /// The sign-in page's recovery code: being mailed, mailed, being checked.
        case sendingRecoveryCode, recoveryCodeSent, checkingRecoveryCode
        /// The browser created this passkey by itself (the upgrade).
        case upgraded(String)

        /// The fixed words of the account page, by the key its elements are marked with.
        public static let labels: [(key: String, phrase: AccountPhrase)] = [
            ("verify.heading", .verifyHeading), ("verify.text", .verifyText), ("verify.code", .verifyCode),
            ("verify.confirm", .verifyConfirm), ("verify.resend", .verifyResend),
            ("password.heading", .passwordHeading), ("password.text", .passwordText), ("password.remove", .removePassword),
        ]
    }
}

extension Auth {
    /// The account page's email confirmation, recovery session, automatic upgrade and password
    /// removal; `nil` when `event` is none of theirs in `state`, for ``update(_:_:)`` to take.
    static func accountExtras(_ state: inout State, _ event: Event) -> [Effect]? {
        guard case .signedIn(var account) = state else { return nil }
        let effects: [Effect]
        switch (event, account.activity, account.upgrade) {

        // MARK: The person's intents, taken when nothing else is in flight

        case (.view(.confirmEmail(let code, let proof)), .idle, _):
            let code = code.filter { $0 != " " && $0 != "\t" && $0 != "\n" }
            account.problem = nil
            account.notice = nil
            if code.isEmpty {
                account.problem = .invalidCode
                effects = [.render]
            } else {
                account.activity = .confirmingEmail
                effects = [.api(.confirmEmail(code: code, proof: proof)), .render]
            }
        case (.view(.resendEmailCode), .idle, _), (.view(.removePassword), .idle, _):
            let resend = event == .view(.resendEmailCode)
            account.problem = nil
            account.notice = nil
            account.activity = resend ? .resendingEmailCode : .removingPassword
            effects = [.api(resend ? .resendEmailCode : .removePassword), .render]

        // MARK: Their results

        case (.api(.confirmEmail(.success(let user))), .confirmingEmail, _):
            account.user = user
            account.status.emailVerified = true
            account.activity = .idle
            account.notice = .account(.emailConfirmed)
            effects = [.render]
        case (.api(.resendEmailCode(.success)), .resendingEmailCode, _):
            account.activity = .idle
            account.notice = .account(.codeSent)
            effects = [.render]
        case (.api(.removePassword(.success)), .removingPassword, _):
            account.status.hasPassword = false
            account.activity = .idle
            account.notice = .account(.passwordRemoved)
            effects = [.render]
        case (.api(.confirmEmail(.failure(let failure))), .confirmingEmail, _),
             (.api(.resendEmailCode(.failure(let failure))), .resendingEmailCode, _),
             (.api(.removePassword(.failure(let failure))), .removingPassword, _):
            if failure.isUnauthenticated {
                state = .signedOut(SignedOut(problem: .sessionEnded))
                return [.render]
            }
            if failure.isSessionChanged {
                state = .checkingSession
                return [.api(.session), .render]
            }
            account.activity = .idle
            account.problem = Problem(failure)
            effects = [.render]

        // MARK: The automatic upgrade, in the background: it changes only what it adds

        case (.api(.upgradeOptions), _, .yielding):
            // The upgrade's options, answered or not: now the person's own can be asked for.
            account.upgrade = .over
            effects = [.api(.passkeyOptions)]
        case (.api(.passkeyOptions), _, .yielding):
            // Not asked for yet: an answer now is not to this page's request.
            return []

        case (.api(.upgradeOptions(.success(let options))), _, .requestingOptions):
            account.upgrade = .waitingForPasskey
            effects = [.passkey(.conditionalCreate(options))]
        case (.passkey(.create(.success(let credential))), _, .waitingForPasskey):
            account.upgrade = .saving
            effects = [.api(.upgradePasskey(credential))]
        case (.api(.upgradePasskey(.success(let passkey))), _, .saving):
            account.upgrade = .over
            // A list being loaded has it already; an unloaded one is not shown in part.
            if let passkeys = account.passkeys, account.activity != .loadingPasskeys {
                account.passkeys = passkeys + [passkey]
            }
            if account.activity == .idle {
                account.problem = nil
                account.notice = .account(.upgraded(passkey.name))
            }
            effects = [.render]
        case (.api(.upgradeOptions(.failure)), _, .requestingOptions),
             (.passkey(.create(.failure)), _, .waitingForPasskey),
             (.api(.upgradePasskey(.failure)), _, .saving):
            // Declined, unsupported or failed: the upgrade is an offer, and its failure is silent.
            account.upgrade = .over
            effects = []

        default:
            return nil
        }
        state = .signedIn(account)
        return effects
    }
}

extension Auth.Account {
    /// Asks for the automatic upgrade when it applies: once, for an account with a password, no
    /// passkey and a full session (a recovery session makes its new passkey with the person).
    mutating func askForUpgrade() -> [Auth.Effect] {
        guard upgrade == nil, status.hasPassword, !status.recovery, passkeys?.isEmpty == true else { return [] }
        upgrade = .requestingOptions
        return [.api(.upgradeOptions)]
    }

    /// Ends a waiting upgrade before the person adds a passkey: a pending conditional create would
    /// keep the provider from taking the person's request. (Options still on their way are waited
    /// for instead: ``Auth/Upgrade/yielding``.)
    mutating func stopUpgrade() -> [Auth.Effect] {
        // A passkey being saved is the person's already: it goes on.
        guard upgrade == .waitingForPasskey else { return [] }
        upgrade = .over
        return [.passkey(.cancel)]
    }

    /// A page sent here on the way to another (`?next=`) goes on once its work is done: the
    /// address confirmed, or the password account's first passkey made (by the upgrade or by hand).
    var continuesToNext: Bool {
        switch notice {
        case .account(.emailConfirmed), .account(.upgraded), .added: !status.recovery
        default: false
        }
    }

    /// What the page offers besides the passkeys, in `language`.
    func offers(in language: Auth.Language) -> Auth.AccountOffers {
        let noPasskey = passkeys?.isEmpty == true
        let panel: Auth.CreatePasskeyOffer? = if status.recovery {
            .init(heading: language(.account(.recoveryHeading)),
                  text: language(.account(noPasskey ? .recoveryTextNoPasskeys : .recoveryText)),
                  button: language(.account(.recoveryButton)))
        } else if noPasskey {
            .init(heading: language(.account(.upgradeHeading)), text: language(.account(.upgradeText)),
                  button: language(.account(.upgradeButton)))
        } else {
            nil
        }
        return Auth.AccountOffers(
            createPasskey: panel, confirmEmail: !status.recovery && !status.emailVerified,
            removePassword: !status.recovery && status.hasPassword && passkeys?.isEmpty == false,
            continueToNext: continuesToNext)
    }
}

extension Auth.AccountOffers {
    /// The view's members for these offers (docs/client-core.md).
    var json: [(String, Auth.JSON)] {
        [
            ("createPasskey", createPasskey.map {
                .object([("heading", .string($0.heading)), ("text", .string($0.text)), ("button", .string($0.button))])
            } ?? .null),
            ("confirmEmail", .bool(confirmEmail)), ("removePassword", .bool(removePassword)),
            ("continue", .bool(continueToNext)),
        ]
    }
}
