extension Auth {
    /// A language the core speaks: every word a person reads comes from one of these.
    ///
    /// Each language is one file in `Languages/` that defines a `Language` value; ``all`` lists
    /// them, in the order a tie is broken.
    public struct Language: Equatable, Sendable {
        /// The BCP 47 primary language subtag (`en`, `ja`, `de`), also what `<html lang>` gets.
        public let code: String
        /// The language's name in itself (`Deutsch`).
        public let name: String
        private let say: @Sendable (Phrase) -> String

        public init(code: String, name: String, say: @escaping @Sendable (Phrase) -> String) {
            self.code = code
            self.name = name
            self.say = say
        }

        /// The phrase in this language.
        public func callAsFunction(_ phrase: Phrase) -> String {
            say(phrase)
        }

        public static func == (lhs: Language, rhs: Language) -> Bool {
            lhs.code == rhs.code
        }

        /// Every language the core has; the first is the one used when none is asked for.
        public static let all: [Language] = [.english, .japanese, .german]

        /// The language with this tag's primary subtag (`de-AT` is German), if the core has it.
        public static func named(_ tag: String) -> Language? {
            let primary = lowercased(String(tag.split(separator: "-").first ?? ""))
            return all.first { $0.code == primary }
        }

        /// The first of the person's languages, most wanted first (`navigator.languages`, `LANG`),
        /// that the core has; English when it has none of them.
        public static func preferred(_ tags: [String]) -> Language {
            for tag in tags {
                if let language = named(tag) { return language }
            }
            return english
        }

        /// The language an `Accept-Language` header (RFC 9110 §12.5.4) asks for: the tags by
        /// weight, highest first, `q=0` meaning "not this one".
        public static func preferred(acceptLanguage header: String) -> Language {
            var weighted: [(tag: String, weight: Int, position: Int)] = []
            for (position, item) in header.split(separator: ",").enumerated() {
                let parts = item.split(separator: ";")
                guard let first = parts.first else { continue }
                let tag = trimmed(String(first))
                var weight = 1000
                for parameter in parts.dropFirst() {
                    let pair = trimmed(String(parameter))
                    if pair.hasPrefix("q=") { weight = qValue(String(pair.dropFirst(2))) ?? 0 }
                }
                if !tag.isEmpty && tag != "*" && weight > 0 { weighted.append((tag, weight, position)) }
            }
            weighted.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.position < $1.position }
            return preferred(weighted.map { $0.tag })
        }

        /// The POSIX locale of `LANG` / `LC_ALL` (`de_DE.UTF-8`), as a language.
        public static func preferred(posixLocale: String) -> Language {
            let tag = posixLocale.split(separator: ".").first.map { String($0) } ?? ""
            return preferred([tag.split(separator: "_").joined(separator: "-")])
        }

        /// A q-value (`0.8`, `1`, `0.125`) in thousandths; `nil` when it is not one.
        private static func qValue(_ text: String) -> Int? {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2, let whole = parts.first, whole == "0" || whole == "1" else { return nil }
            var thousandths = whole == "1" ? 1000 : 0
            if parts.count == 2 {
                let digits = Array(parts[1].utf8)
                guard digits.count <= 3, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                var scale = 100
                for digit in digits {
                    thousandths += Int(digit - 48) * scale
                    scale /= 10
                }
            }
            return thousandths <= 1000 ? thousandths : nil
        }

        private static func trimmed(_ text: String) -> String {
            var bytes = Array(text.utf8)
            while let last = bytes.last, last == 32 || last == 9 { bytes.removeLast() }
            while let first = bytes.first, first == 32 || first == 9 { bytes.removeFirst() }
            return String(decoding: bytes, as: UTF8.self)
        }

        private static func lowercased(_ text: String) -> String {
            String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        }
    }

    /// A calendar day, read from an ISO-8601 time (`2026-11-22T10:00:00Z`), for a language to write.
    public struct Day: Equatable, Sendable {
        public var year: Int
        public var month: Int
        public var day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        /// The day `time` starts with; `nil` when it does not start with `YYYY-MM-DD`.
        public init?(iso8601 time: String) {
            let bytes = Array(time.utf8.prefix(10))
            guard bytes.count == 10, bytes[4] == 45, bytes[7] == 45 else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for byte in bytes[range] {
                    guard byte >= 48 && byte <= 57 else { return nil }
                    value = value * 10 + Int(byte - 48)
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
                  (1...12).contains(month), (1...31).contains(day)
            else { return nil }
            self.init(year: year, month: month, day: day)
        }
    }

    /// Everything the core says to people, before it is put into a language.
    public enum Phrase: Equatable, Sendable {
        /// A problem, saying what to do next.
        case problem(Problem)
        case checkingSession
        case contactingServer
        case createPasskeyFor(username: String)
        case creatingAccount
        case choosePasskey
        case signingIn
        case loadingPasskeys
        case createPasskey
        case savingPasskey
        case renamingPasskey(to: String)
        case deletingPasskey
        case savingName
        case deletingAccount
        case signingOut
        /// Backed up now.
        case synced
        /// Can be backed up, not yet backed up.
        case notBackedUp
        /// Cannot leave the device.
        case thisDeviceOnly
        case added(Day)
        case lastUsed(Day)
        /// The provider of a passkey the server cannot name that lives on a removable key.
        case securityKey
        /// The provider of any other passkey the server cannot name.
        case genericPasskey
        /// How many passkeys the account has.
        case passkeyCount(Int)
        /// A day, written as the language writes dates.
        case day(Day)
        /// A fixed word of a page: a heading, a label, a button.
        case label(Label)
        /// The account page's heading: `Hello, Ada`.
        case greeting(String)
        /// What just finished.
        case notice(Notice)
        /// The question before deleting the passkey of this name.
        case confirmDeletePasskey(String)
        /// What deleting the account of this username does.
        case confirmDeleteAccount(String)
        /// A part of a mail the server sends.
        case mail(Mail)
        /// Sessions and the activity log (``Security``).
        case security(Security.Phrase)
        /// The consent page (``Consent``).
        case consent(Consent.Phrase)
        /// The account page's email confirmation, recovery session, upgrade and password.
        case account(AccountPhrase)
    }

    /// The fixed words of the sign-in and account pages, each with the key the page marks its
    /// element with (`data-text="signIn.heading"`).
    public enum Label: Equatable, Sendable {
        case signInTitle, signInHeading, signInLede, email, emailHint, password, passwordNote, signInWithPassword
        case signInWithPasskey, newHere, createAccount, createAccountHint, lostPasskey, recoverHeading
        case recoveryEmail, emailMeACode, recoveryCode, recoveryContinue
        case accountTitle, signOut, yourAccount, signedInAs, displayName, save, displayNameHint, passkeys
        case addPasskey, deleteAccountHeading, deleteAccountText, deleteAccountButton, newNameFor, cancel
        case created, lastUsed, rename, delete, synced, thisDeviceOnly, notBackedUp, never
        case deletePasskeyText, deletePasskeyConfirm, deleteAccountTitle, deleteAccountConfirm
        case sessionsHeading, activityHeading, endSession, endOtherSessions, moreActivity, appsHeading, appsIntro, noApps, removeApp
        case consentPageTitle, allow, deny, consentHint

        /// Every label, in the order a page lists them.
        public static let all: [Label] = [
            .signInTitle, .signInHeading, .signInLede, .email, .emailHint, .password, .passwordNote, .signInWithPassword,
            .signInWithPasskey, .newHere, .createAccount, .createAccountHint, .lostPasskey, .recoverHeading,
            .recoveryEmail, .emailMeACode, .recoveryCode, .recoveryContinue,
            .accountTitle, .signOut, .yourAccount, .signedInAs, .displayName, .save, .displayNameHint, .passkeys,
            .addPasskey, .deleteAccountHeading, .deleteAccountText, .deleteAccountButton, .newNameFor, .cancel,
            .created, .lastUsed, .rename, .delete, .synced, .thisDeviceOnly, .notBackedUp, .never,
            .deletePasskeyText, .deletePasskeyConfirm, .deleteAccountTitle, .deleteAccountConfirm,
            .sessionsHeading, .activityHeading, .endSession, .endOtherSessions, .moreActivity, .appsHeading, .appsIntro, .noApps, .removeApp,
            .consentPageTitle, .allow, .deny, .consentHint,
        ]

        /// The key a page names it by.
        public var key: String {
            switch self {
            case .signInTitle: "signIn.title"
            case .signInHeading: "signIn.heading"
            case .signInLede: "signIn.lede"
            case .email: "signIn.email"
            case .emailHint: "signIn.emailHint"
            case .password: "signIn.password"
            case .passwordNote: "signIn.passwordNote"
            case .signInWithPassword: "signIn.withPassword"
            case .signInWithPasskey: "signIn.withPasskey"
            case .newHere: "signIn.newHere"
            case .createAccount: "signIn.createAccount"
            case .createAccountHint: "signIn.createAccountHint"
            case .lostPasskey: "signIn.lostPasskey"
            case .recoverHeading: "recovery.heading"
            case .recoveryEmail: "recovery.email"
            case .emailMeACode: "recovery.send"
            case .recoveryCode: "recovery.code"
            case .recoveryContinue: "recovery.continue"
            case .accountTitle: "account.title"
            case .signOut: "account.signOut"
            case .yourAccount: "account.heading"
            case .signedInAs: "account.signedInAs"
            case .displayName: "account.displayName"
            case .save: "account.save"
            case .displayNameHint: "account.displayNameHint"
            case .passkeys: "passkeys.heading"
            case .addPasskey: "passkeys.add"
            case .deleteAccountHeading: "deleteAccount.heading"
            case .deleteAccountText: "deleteAccount.text"
            case .deleteAccountButton: "deleteAccount.button"
            case .newNameFor: "passkey.newNameFor"
            case .cancel: "cancel"
            case .created: "passkey.created"
            case .lastUsed: "passkey.lastUsed"
            case .rename: "passkey.rename"
            case .delete: "passkey.delete"
            case .synced: "passkey.synced"
            case .thisDeviceOnly: "passkey.thisDeviceOnly"
            case .notBackedUp: "passkey.notBackedUp"
            case .never: "passkey.never"
            case .deletePasskeyText: "confirm.deletePasskey.text"
            case .deletePasskeyConfirm: "confirm.deletePasskey.button"
            case .deleteAccountTitle: "confirm.deleteAccount.title"
            case .deleteAccountConfirm: "confirm.deleteAccount.button"
            case .sessionsHeading: "security.sessionsHeading"
            case .activityHeading: "security.activityHeading"
            case .endSession: "security.endSession"
            case .endOtherSessions: "security.endOtherSessions"
            case .moreActivity: "security.moreActivity"
            case .appsHeading: "security.appsHeading"
            case .appsIntro: "security.appsIntro"
            case .noApps: "security.noApps"
            case .removeApp: "security.removeApp"
            case .consentPageTitle: "consent.pageTitle"
            case .allow: "consent.allow"
            case .deny: "consent.deny"
            case .consentHint: "consent.hint"
            }
        }
    }

    /// The words of the mails the server sends (the server picks the language from the
    /// `Accept-Language` of the request that sends the mail).
    public enum Mail: Equatable, Sendable {
        /// "Your code:", before the code on a line of its own.
        case yourCode
        /// "Or open this link:", before the link on a line of its own.
        case orOpenLink
        /// A length of time a code is valid for, in whole seconds (`10 minutes`, `24 hours`).
        case duration(seconds: Int)
        case verificationSubject(site: String)
        case verificationTitle
        case verificationIntro(site: String)
        case verificationLink
        /// The last paragraph; `validFor` is already a ``duration(seconds:)``.
        case verificationFooter(validFor: String)
        case recoverySubject(site: String)
        case recoveryTitle
        case recoveryIntro(site: String)
        case recoveryLink
        /// The last paragraph; `validFor` is already a ``duration(seconds:)``.
        case recoveryFooter(validFor: String)
    }
}
