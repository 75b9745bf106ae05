import PasskeyClientCore
import Testing

/// The languages the core speaks, how one is picked, and the words, dates and names in each.
@Suite("Languages")
struct LanguageTests {
    typealias F = Fixture
    typealias L = Auth.Language

    @Test("the first of the person's languages the core has is picked, by primary subtag")
    func preferred() {
        #expect(L.preferred(["fr-FR", "de-AT", "en"]) == .german)
        #expect(L.preferred(["JA"]) == .japanese)
        #expect(L.preferred(["en-GB", "ja"]) == .english)
        #expect(L.preferred(["fr", "es"]) == .english, "none of them: English")
        #expect(L.preferred([]) == .english)
        #expect(L.all.map(\.code) == ["en", "ja", "de"])
    }

    @Test("Accept-Language is read by weight, ties in order, q=0 refused")
    func acceptLanguage() {
        #expect(L.preferred(acceptLanguage: "ja") == .japanese)
        #expect(L.preferred(acceptLanguage: "fr;q=0.9, de;q=0.8, ja;q=0.85") == .japanese)
        #expect(L.preferred(acceptLanguage: "de-DE,de;q=0.9,en;q=0.8") == .german)
        #expect(L.preferred(acceptLanguage: "ja;q=0, de") == .german, "q=0 means not this one")
        #expect(L.preferred(acceptLanguage: "de;q=0.5, ja;q=0.5") == .german, "a tie keeps the header's order")
        #expect(L.preferred(acceptLanguage: "de;q=2, ja") == .japanese, "a q-value that is not one counts as 0")
        #expect(L.preferred(acceptLanguage: "*") == .english)
        #expect(L.preferred(acceptLanguage: "") == .english)
    }

    @Test("LANG names a language as POSIX writes it")
    func posix() {
        #expect(L.preferred(posixLocale: "de_DE.UTF-8") == .german)
        #expect(L.preferred(posixLocale: "ja_JP.eucJP") == .japanese)
        #expect(L.preferred(posixLocale: "C.UTF-8") == .english)
        #expect(L.preferred(posixLocale: "") == .english)
    }

    static let problems: [Auth.Problem] = [
        .cancelled, .noPasskey, .passkeyExists, .deletedPasskey, .usernameTaken, .usernameRequired, .invalidUsername,
        .invalidName, .credentialExists, .ceremonyEnded(code: "ceremony_expired"), .accountDisabled, .offline,
        .sessionEnded, .lastPasskey, .passkeyNotFound, .rateLimited(retryAfter: 30), .rateLimited(retryAfter: nil),
        .refused(code: "x", message: "y"), .passkeyFailed("z"), .unreadableResponse, .emailRequired, .invalidEmail,
        .signInCancelled, .accountChanged,
    ]

    @Test("every label of the pages has its words in every language, with a key of its own")
    func labelsInEveryLanguage() {
        let keys = Auth.Label.all.map(\.key)
        #expect(Set(keys).count == keys.count, "two labels share a key")
        for language in L.all {
            #expect(Auth.Label.all.allSatisfy { !language(.label($0)).isEmpty }, "\(language.code) leaves a label empty")
        }
        for label in Auth.Label.all {
            #expect(L.japanese(.label(label)) != L.english(.label(label)), "\(label.key) is not in Japanese")
            // "Passkeys" and "Apps" are German too.
            if label != .passkeys && label != .appsHeading {
                #expect(L.german(.label(label)) != L.english(.label(label)), "\(label.key) is not in German")
            }
        }
    }

    @Test("the greeting, the notices and the confirmations name what they are about, in every language")
    func namedPhrases() {
        let phrases: [Auth.Phrase] = [
            .greeting("Ada"), .notice(.added("Ada")), .notice(.renamed("Ada")), .notice(.deleted("Ada")),
            .confirmDeletePasskey("Ada"), .confirmDeleteAccount("Ada"),
        ]
        for language in L.all {
            for phrase in phrases {
                #expect(language(phrase).contains("Ada"), "\(language.code): \(language(phrase))")
            }
            #expect(!language(.notice(.savedDisplayName)).isEmpty)
        }
        #expect(L.english(.greeting("Ada")) == "Hello, Ada")
        #expect(L.japanese(.notice(.added("YubiKey"))) == "パスキー「YubiKey」を追加しました。")
        #expect(L.german(.confirmDeletePasskey("YubiKey")) == "„YubiKey“ löschen?")
    }

    @Test("every problem has its own words in every language")
    func problemsInEveryLanguage() {
        for language in L.all {
            let words = Self.problems.map { $0.words(in: language) }
            #expect(Set(words).count == words.count, "\(language.code): two problems read the same")
            #expect(words.allSatisfy { !$0.isEmpty })
        }
        for problem in Self.problems {
            #expect(problem.words(in: .japanese) != problem.words(in: .english), "\(problem) is not in Japanese")
            #expect(problem.words(in: .german) != problem.words(in: .english), "\(problem) is not in German")
        }
    }

    @Test("Retry-After's seconds are in the words, in each language")
    func retryAfter() {
        #expect(Auth.Problem.rateLimited(retryAfter: 30).words(in: .english) == "Too many attempts. Try again in 30 seconds.")
        #expect(Auth.Problem.rateLimited(retryAfter: 30).words(in: .japanese) == "試行回数が多すぎます。30 秒後にもう一度お試しください。")
        #expect(Auth.Problem.rateLimited(retryAfter: 30).words(in: .german) == "Zu viele Versuche. Versuchen Sie es in 30 Sekunden erneut.")
    }

    @Test("the server's codes that the pages named become problems with those codes")
    func codes() {
        let table: [(String, Auth.Problem)] = [
            ("invalid_username", .invalidUsername), ("invalid_name", .invalidName), ("credential_exists", .credentialExists),
            ("ceremony_expired", .ceremonyEnded(code: "ceremony_expired")),
            ("ceremony_not_found", .ceremonyEnded(code: "ceremony_not_found")), ("account_disabled", .accountDisabled),
        ]
        for (code, problem) in table {
            var state = F.signingIn(.requestingOptions)
            _ = Auth.update(&state, .api(.authenticationOptions(.failure(F.refused(400, code)))))
            #expect(state == F.signedOut(problem))
            #expect(problem.code == code)
        }
    }

    @Test("dates are written as each language writes them")
    func dates() {
        let day = Auth.Day(year: 2026, month: 11, day: 2)
        #expect(L.english(.day(day)) == "2 Nov 2026")
        #expect(L.japanese(.day(day)) == "2026年11月2日")
        #expect(L.german(.day(day)) == "2.11.2026")
        #expect(Auth.Day(iso8601: "2026-11-02T10:00:00Z") == day)
        #expect(Auth.Day(iso8601: "2026-13-02") == nil)
        #expect(Auth.Day(iso8601: "yesterday") == nil)
        #expect(Auth.Day(iso8601: "2026-1-02T") == nil)
    }

    @Test("a passkey's details are in the view's language; a time that is not ISO-8601 is shown as it came")
    func details() {
        var state = F.signedIn(passkeys: [F.one, F.two])
        _ = Auth.update(&state, .view(.dismissProblem))
        #expect(Auth.view(state, in: .japanese).account?.passkeys?.map(\.details) == [
            "iCloud Keychain · 同期済み · 2026年11月22日に追加 · 最終使用 2026年11月23日", "このデバイスのみ · 2026年11月24日に追加",
        ])
        #expect(Auth.view(state, in: .german).account?.passkeys?.map(\.details) == [
            "iCloud Keychain · synchronisiert · hinzugefügt am 22.11.2026 · zuletzt verwendet am 23.11.2026",
            "nur dieses Gerät · hinzugefügt am 24.11.2026",
        ])
        var odd = F.three
        odd.createdAt = "soon"
        #expect(Auth.view(F.signedIn(passkeys: [odd]), in: .english).account?.passkeys?.map(\.details) == ["not backed up yet · soon"])
    }

    @Test("progress and problems in the view come in its language")
    func view() {
        #expect(Auth.view(F.signingIn(.waitingForPasskey), in: .german).progress == "Warten auf Ihren Passkey: Wählen Sie einen, wenn Ihr Gerät danach fragt.")
        #expect(Auth.view(F.signedOut(.usernameTaken), in: .japanese).problem
            == "そのユーザー名のアカウントはすでにあります。サインインするか、別のユーザー名を選んでください。")
        #expect(Auth.view(.checkingSession, in: .japanese).progress == "サインインしているか確認しています…")
    }

    @Test("a passkey without a provider is a security key only when it lives on a removable key alone")
    func providerNames() {
        func passkey(_ transports: [String], provider: String? = nil) -> Auth.Passkey {
            var passkey = F.three
            passkey.transports = transports
            passkey.provider = provider
            return passkey
        }
        #expect(passkey(["usb", "nfc"]).providerName(in: .english) == "Security key")
        #expect(passkey(["smart-card"]).providerName(in: .german) == "Sicherheitsschlüssel")
        #expect(passkey(["usb", "internal"]).providerName(in: .english) == "Passkey", "also on the device")
        #expect(passkey(["hybrid"]).providerName(in: .japanese) == "パスキー")
        #expect(passkey([]).providerName(in: .english) == "Passkey")
        #expect(passkey(["usb"], provider: "YubiKey 5").providerName(in: .english) == "YubiKey 5", "the server's name wins")
    }

    @Test("counts are written for the language")
    func counts() {
        #expect(L.english(.passkeyCount(1)) == "1 passkey")
        #expect(L.english(.passkeyCount(3)) == "3 passkeys")
        #expect(L.japanese(.passkeyCount(3)) == "パスキー 3 個")
        #expect(L.german(.passkeyCount(1)) == "1 Passkey")
    }

    static let mailParts: [Auth.Mail] = [
        .yourCode, .orOpenLink, .verificationSubject(site: "S"), .verificationTitle, .verificationIntro(site: "S"),
        .verificationLink, .verificationFooter(validFor: "T"), .recoverySubject(site: "S"), .recoveryTitle,
        .recoveryIntro(site: "S"), .recoveryLink, .recoveryFooter(validFor: "T"),
    ]

    @Test("every part of a mail has its own words in every language, with the site and the time in them")
    func mailInEveryLanguage() {
        for language in L.all {
            let words = Self.mailParts.map { language(.mail($0)) }
            #expect(Set(words).count == words.count, "\(language.code): two parts of a mail read the same")
            for (part, text) in zip(Self.mailParts, words) {
                switch part {
                case .verificationSubject, .verificationIntro, .recoverySubject, .recoveryIntro:
                    #expect(text.contains("S"), "\(language.code): \(part) lost the site")
                case .verificationFooter, .recoveryFooter:
                    #expect(text.contains("T"), "\(language.code): \(part) lost the time")
                default:
                    #expect(!text.isEmpty)
                }
            }
        }
        for part in Self.mailParts {
            #expect(L.japanese(.mail(part)) != L.english(.mail(part)), "\(part) is not in Japanese")
            #expect(L.german(.mail(part)) != L.english(.mail(part)), "\(part) is not in German")
        }
    }

    @Test("how long a mailed code is valid is written in whole hours, minutes or seconds, for the language")
    func mailDurations() {
        let cases: [(Int, String, String, String)] = [
            (600, "10 minutes", "10分", "10 Minuten"), (60, "1 minute", "1分", "1 Minute"),
            (3600, "1 hour", "1時間", "1 Stunde"), (86_400, "24 hours", "24時間", "24 Stunden"),
            (90, "90 seconds", "90秒", "90 Sekunden"), (1, "1 second", "1秒", "1 Sekunde"),
        ]
        for (seconds, english, japanese, german) in cases {
            #expect(L.english(.mail(.duration(seconds: seconds))) == english)
            #expect(L.japanese(.mail(.duration(seconds: seconds))) == japanese)
            #expect(L.german(.mail(.duration(seconds: seconds))) == german)
        }
    }
}
