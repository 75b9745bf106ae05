extension Auth.Language {
    /// Deutsch.
    public static let german = Auth.Language(code: "de", name: "Deutsch") { phrase in
        switch phrase {
        case .problem(let problem):
            switch problem {
            case .cancelled: "Die Passkey-Anfrage wurde abgebrochen. Versuchen Sie es erneut, wenn Sie bereit sind."
            case .noPasskey: "Dieses Gerät hat keinen Passkey für dieses Konto. Registrieren Sie sich, oder melden Sie sich auf einem Gerät an, das einen hat."
            case .passkeyExists: "Dieses Gerät hat bereits einen Passkey für dieses Konto."
            case .deletedPasskey: "Dieser Passkey wurde aus seinem Konto gelöscht. Wählen Sie einen anderen Passkey, oder registrieren Sie sich neu."
            case .usernameTaken: "Ein Konto mit diesem Benutzernamen gibt es bereits. Melden Sie sich an, oder wählen Sie einen anderen Benutzernamen."
            case .usernameRequired: "Geben Sie einen Benutzernamen ein."
            case .emailRequired: "Geben Sie zuerst Ihre E-Mail-Adresse ein und wählen Sie dann „Konto erstellen“."
            case .invalidEmail: "Geben Sie eine gültige E-Mail-Adresse ein, etwa ada@example.com."
            case .signInCancelled: "Die Anmeldung wurde abgebrochen, oder dieses Gerät hat keinen Passkey für diese Website."
            case .invalidUsername: "Geben Sie einen Benutzernamen mit höchstens 64 Zeichen ein, ohne unsichtbare Zeichen."
            case .invalidName: "Verwenden Sie einen sichtbaren Namen mit 1 bis 64 Zeichen, ohne Steuer- oder unsichtbare Zeichen."
            case .credentialExists: "Dieser Passkey ist bereits registriert."
            case .ceremonyEnded: "Das hat zu lange gedauert oder wurde unterbrochen. Bitte versuchen Sie es erneut."
            case .accountDisabled: "Dieses Konto ist deaktiviert. Bitten Sie die Betreiber der Website, es wieder zu aktivieren."
            case .invalidCode: "Dieser Code ist falsch, schon benutzt oder abgelaufen. Prüfen Sie die Mail, oder fordern Sie einen neuen Code an."
            case .offline: "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut."
            case .sessionEnded: "Sie wurden abgemeldet. Melden Sie sich erneut an."
            case .lastPasskey: "Das ist Ihr einziger Passkey. Ohne ihn könnten Sie sich nicht mehr anmelden: Fügen Sie zuerst einen weiteren hinzu."
            case .passkeyNotFound: "Dieser Passkey gehört nicht mehr zu Ihrem Konto."
            case .accountChanged: "Dieser Browser wurde in einem anderen Fenster mit einem anderen Konto angemeldet. Prüfen Sie das hier gezeigte Konto, bevor Sie fortfahren."
            case .rateLimited(let seconds?): "Zu viele Versuche. Versuchen Sie es in \(seconds) Sekunden erneut."
            case .rateLimited(nil): "Zu viele Versuche. Versuchen Sie es in einer Minute erneut."
            case .refused(let code, let message): "Der Server hat abgelehnt: \(message) (\(code))."
            case .passkeyFailed(let message): "Der Passkey konnte nicht verwendet werden: \(message)."
            case .unreadableResponse: "Die Antwort des Servers ist unverständlich. Versuchen Sie es später erneut."
            case .passkeyFirst: "Erstellen Sie zuerst einen Passkey: Ohne ihn könnten Sie sich nicht mehr anmelden."
            case .recoverySession: "Erstellen Sie zuerst Ihren neuen Passkey: Bis dahin kann diese Wiederherstellungssitzung nichts anderes."
            case .noPassword: "Dieses Konto hat kein Passwort mehr."
            case .emailAlreadyConfirmed: "Ihre E-Mail-Adresse ist bereits bestätigt."
            case .invalidCredentials: "Die E-Mail-Adresse oder das Passwort ist falsch."
            case .passwordRequired: "Geben Sie Ihre E-Mail-Adresse und Ihr Passwort ein, oder melden Sie sich mit einem Passkey an."
            case .recoveryEmailRequired: "Geben Sie die E-Mail-Adresse Ihres Kontos ein."
            }
        case .checkingSession: "Es wird geprüft, ob Sie angemeldet sind…"
        case .contactingServer: "Verbindung zum Server…"
        case .createPasskeyFor(let username): "Warten auf Ihren Passkey: Erstellen Sie einen für „\(username)“, wenn Ihr Gerät danach fragt."
        case .creatingAccount: "Ihr Konto wird erstellt…"
        case .choosePasskey: "Warten auf Ihren Passkey: Wählen Sie einen, wenn Ihr Gerät danach fragt."
        case .signingIn: "Anmeldung…"
        case .loadingPasskeys: "Ihre Passkeys werden geladen…"
        case .createPasskey: "Warten auf Ihren neuen Passkey: Erstellen Sie ihn, wenn Ihr Gerät danach fragt."
        case .savingPasskey: "Ihr neuer Passkey wird gespeichert…"
        case .renamingPasskey(let name): "Der Passkey wird in „\(name)“ umbenannt…"
        case .deletingPasskey: "Der Passkey wird gelöscht…"
        case .savingName: "Ihr Name wird gespeichert…"
        case .deletingAccount: "Ihr Konto wird gelöscht…"
        case .signingOut: "Abmeldung…"
        case .synced: "synchronisiert"
        case .notBackedUp: "noch nicht gesichert"
        case .thisDeviceOnly: "nur dieses Gerät"
        case .added(let day): "hinzugefügt am " + germanDay(day)
        case .lastUsed(let day): "zuletzt verwendet am " + germanDay(day)
        case .securityKey: "Sicherheitsschlüssel"
        case .genericPasskey: "Passkey"
        case .passkeyCount(let count): count == 1 ? "1 Passkey" : "\(count) Passkeys"
        case .day(let day): germanDay(day)
        case .greeting(let name): "Hallo, \(name)"
        case .notice(.added(let name)): "Der Passkey „\(name)“ wurde hinzugefügt."
        case .notice(.renamed(let name)): "Der Passkey heißt jetzt „\(name)“."
        case .notice(.deleted(let name)): "Der Passkey „\(name)“ wurde gelöscht."
        case .notice(.savedDisplayName): "Ihr Anzeigename wurde gespeichert."
        case .confirmDeletePasskey(let name): "„\(name)“ löschen?"
        case .confirmDeleteAccount(let username): "Damit werden \(username) und alle seine Passkeys von dieser Website gelöscht. Das lässt sich nicht rückgängig machen."
        case .label(let label):
            switch label {
            case .signInTitle: "Anmelden · Passkeys"
            case .signInHeading: "Anmelden"
            case .signInLede: "Mit einem Passkey: Fingerabdruck, Gesicht, Bildschirmsperre oder Sicherheitsschlüssel. Kein Passwort nötig."
            case .email: "E-Mail"
            case .emailHint: "Ihre gespeicherten Passkeys erscheinen hier als Vorschläge."
            case .password: "Passwort"
            case .passwordNote: "(nur für Konten, die mit einem Passwort hierher umgezogen sind)"
            case .signInWithPassword: "Mit Passwort anmelden"
            case .signInWithPasskey: "Mit einem Passkey anmelden"
            case .newHere: "Neu hier?"
            case .createAccount: "Konto erstellen"
            case .createAccountHint: "Erstellt ein Konto für die E-Mail-Adresse oben und einen Passkey auf diesem Gerät."
            case .lostPasskey: "Passkey verloren?"
            case .recoverHeading: "Konto wiederherstellen"
            case .recoveryEmail: "Die E-Mail-Adresse Ihres Kontos"
            case .emailMeACode: "Code per E-Mail senden"
            case .recoveryCode: "Der 8-stellige Code aus der E-Mail"
            case .recoveryContinue: "Weiter"
            case .accountTitle: "Ihr Konto · Passkeys"
            case .signOut: "Abmelden"
            case .yourAccount: "Ihr Konto"
            case .signedInAs: "Angemeldet als"
            case .displayName: "Anzeigename"
            case .save: "Speichern"
            case .displayNameHint: "Ihre Geräte zeigen ihn neben Ihren Passkeys für diese Website."
            case .passkeys: "Passkeys"
            case .addPasskey: "Passkey hinzufügen"
            case .deleteAccountHeading: "Konto löschen"
            case .deleteAccountText: "Entfernt Ihr Konto und alle seine Passkeys von dieser Website. Das lässt sich nicht rückgängig machen."
            case .deleteAccountButton: "Konto löschen…"
            case .newNameFor: "Neuer Name für"
            case .cancel: "Abbrechen"
            case .created: "Erstellt"
            case .lastUsed: "Zuletzt verwendet"
            case .rename: "Umbenennen"
            case .delete: "Löschen"
            case .synced: "Synchronisiert"
            case .thisDeviceOnly: "Nur dieses Gerät"
            case .notBackedUp: "Noch nicht gesichert"
            case .never: "Nie"
            case .deletePasskeyText: "Sie können sich mit diesem Passkey nicht mehr anmelden, und jeder damit angemeldete Browser wird abgemeldet, auch dieser, wenn Sie sich hier damit angemeldet haben. Ihr Gerät zeigt ihn eventuell weiter an, bis es von der Löschung erfährt."
            case .deletePasskeyConfirm: "Passkey löschen"
            case .deleteAccountTitle: "Ihr Konto löschen?"
            case .deleteAccountConfirm: "Konto löschen"
            case .sessionsHeading: "Wo Sie angemeldet sind"
            case .activityHeading: "Letzte Aktivitäten"
            case .endSession: "Abmelden"
            case .endOtherSessions: "Überall sonst abmelden"
            case .moreActivity: "Ältere Aktivitäten anzeigen"
            case .appsHeading: "Apps"
            case .appsIntro: "Apps, denen Sie die Anmeldung mit diesem Konto erlaubt haben."
            case .noApps: "Noch keine Apps."
            case .removeApp: "Zugriff entfernen"
            case .consentPageTitle: "Zugriff erlauben · Passkeys"
            case .allow: "Erlauben"
            case .deny: "Ablehnen"
            case .consentHint: "Sie können diesen Zugriff jederzeit auf Ihrer Kontoseite entfernen."
            }
        case .mail(let mail): germanMail(mail)
        case .security(let phrase): germanSecurity(phrase)
        case .consent(let phrase): germanConsent(phrase)
        case .account(let phrase), .notice(.account(let phrase)): germanAccount(phrase)
        }
    }

    private static func germanAccount(_ phrase: Auth.AccountPhrase) -> String {
        switch phrase {
        case .upgradeHeading: "Passkey erstellen"
        case .upgradeText: "Melden Sie sich künftig schneller und sicherer an: Erstellen Sie einen Passkey für dieses Konto."
        case .upgradeButton: "Passkey erstellen"
        case .recoveryHeading: "Neuen Passkey erstellen"
        case .recoveryText: "Sie haben sich mit einem Wiederherstellungscode angemeldet. Erstellen Sie auf diesem Gerät einen neuen Passkey, um abzuschließen; danach können Sie den verlorenen Passkey unten löschen."
        case .recoveryTextNoPasskeys: "Sie haben sich mit einem Wiederherstellungscode angemeldet. Erstellen Sie auf diesem Gerät einen neuen Passkey, um abzuschließen."
        case .recoveryButton: "Neuen Passkey erstellen"
        case .verifyHeading: "E-Mail-Adresse bestätigen"
        case .verifyText: "Bestätigen Sie Ihre Adresse mit einem 8-stelligen Code, den wir an sie senden: Geben Sie den Code aus der Mail ein, oder fordern Sie einen an, wenn Sie keinen haben. Mit einer bestätigten Adresse können Sie Ihr Konto wiederherstellen, wenn Sie Ihre Passkeys verlieren."
        case .verifyCode: "Code"
        case .verifyConfirm: "Bestätigen"
        case .verifyResend: "Neuen Code senden"
        case .passwordHeading: "Passwort"
        case .passwordText: "Dieses Konto hat noch das Passwort, mit dem es hierher umgezogen ist. Mit Ihren Passkeys brauchen Sie es nicht mehr."
        case .removePassword: "Passwort entfernen"
        case .confirmingEmail: "Ihre E-Mail-Adresse wird bestätigt…"
        case .sendingCode: "Ein neuer Code wird gesendet…"
        case .removingPassword: "Ihr Passwort wird entfernt…"
        case .emailConfirmed: "Ihre E-Mail-Adresse ist bestätigt."
        case .codeSent: "Ein neuer Code ist unterwegs. Sehen Sie in Ihre Mails."
        case .passwordRemoved: "Ihr Passwort ist entfernt. Sie melden sich jetzt mit Ihren Passkeys an."
        case .sendingRecoveryCode: "Ein Code wird gesendet…"
        case .recoveryCodeSent: "Falls ein Konto diese Adresse hat, ist ein Code unterwegs. Er gilt einige Minuten."
        case .checkingRecoveryCode: "Der Code wird geprüft…"
        case .upgraded(let name): "Ihr Browser hat den Passkey „\(name)“ erstellt. Melden Sie sich nächstes Mal damit an."
        }
    }

    private static func germanDay(_ day: Auth.Day) -> String {
        "\(day.day).\(day.month).\(day.year)"
    }

    private static func germanMail(_ mail: Auth.Mail) -> String {
        switch mail {
        case .yourCode: "Ihr Code:"
        case .orOpenLink: "Oder öffnen Sie diesen Link:"
        case .duration(let seconds):
            if seconds % 3600 == 0 { seconds == 3600 ? "1 Stunde" : "\(seconds / 3600) Stunden" }
            else if seconds % 60 == 0 { seconds == 60 ? "1 Minute" : "\(seconds / 60) Minuten" }
            else { seconds == 1 ? "1 Sekunde" : "\(seconds) Sekunden" }
        case .verificationSubject(let site): "Bestätigen Sie Ihre E-Mail-Adresse für \(site)"
        case .verificationTitle: "Bestätigen Sie Ihre E-Mail-Adresse"
        case .verificationIntro(let site): "Bestätigen Sie Ihre E-Mail-Adresse für \(site)."
        case .verificationLink: "Meine Adresse bestätigen"
        case .verificationFooter(let validFor):
            "Der Code ist \(validFor) lang gültig. Wenn Sie kein Konto angelegt haben, ignorieren Sie diese E-Mail."
        case .recoverySubject(let site): "Ihr Konto bei \(site) wiederherstellen"
        case .recoveryTitle: "Ihr Konto wiederherstellen"
        case .recoveryIntro(let site): "Jemand hat darum gebeten, das Konto dieser Adresse bei \(site) wiederherzustellen."
        case .recoveryLink: "Einen neuen Passkey erstellen"
        case .recoveryFooter(let validFor):
            "Damit können Sie einen neuen Passkey erstellen. Der Code ist \(validFor) lang gültig und funktioniert einmal. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne den Code ändert sich nichts."
        }
    }

    private static func germanSecurity(_ phrase: Auth.Security.Phrase) -> String {
        func with(_ passkey: Auth.Security.PasskeyMention) -> String {
            switch passkey {
            case .none: ""
            case .named(let name): " mit „\(name)“"
            case .deleted: " mit einem inzwischen gelöschten Passkey"
            }
        }
        switch phrase {
        case .event(let type, let passkey): return (germanEvents.first { $0.type == type }?.words ?? type) + with(passkey)
        case .unknownDevice: return "Unbekanntes Gerät"
        case .thisBrowser: return "Dieser Browser"
        case .session(let signedIn, let passkey, let lastSeen): return "Angemeldet am \(signedIn)\(with(passkey)) · zuletzt gesehen am \(lastSeen)"
        case .onlyThisBrowser: return "Nur dieser Browser ist angemeldet."
        case .thisBrowserAndOthers(let count): return "Dieser Browser und \(count == 1 ? "1 weiterer" : "\(count) weitere")."
        case .endedSession(let device): return "\(device) abgemeldet."
        case .endedOtherSessions: return "Überall sonst abgemeldet."
        case .loading: return "Angemeldete Geräte und letzte Aktivitäten werden geladen…"
        case .endingSession: return "Das Gerät wird abgemeldet…"
        case .endingOtherSessions: return "Überall sonst wird abgemeldet…"
        case .loadingMore: return "Ältere Aktivitäten werden geladen…"
        case .moment(let moment): return germanDay(moment.day) + ", " + moment.clock
        case .appAllowed(let at, let scopes): return "Erlaubt am \(at): " + scopes.joined(separator: ", ")
        case .removeAppFor(let name): return "Zugriff für \(name) entfernen"
        case .removedApp(let name): return "Der Zugriff von \(name) wurde entfernt."
        case .removingApp: return "Der Zugriff der App wird entfernt…"
        }
    }

    /// The activity log's kinds of event, in the words of this language.
    private static let germanEvents: [(type: String, words: String)] = [
        ("sign_up", "Konto erstellt"),
        ("sign_in", "Angemeldet"),
        ("sign_in_failed", "Eine Anmeldung ist fehlgeschlagen"),
        ("passkey_added", "Passkey hinzugefügt"),
        ("passkey_renamed", "Passkey umbenannt"),
        ("passkey_deleted", "Passkey gelöscht"),
        ("display_name_changed", "Anzeigename geändert"),
        ("session_ended", "Abgemeldet"),
        ("account_disabled", "Konto von der Website deaktiviert"),
        ("account_enabled", "Konto von der Website aktiviert"),
        ("sessions_revoked", "Von der Website überall abgemeldet"),
        ("account_imported", "Konto hierher umgezogen"),
        ("verification_code_sent", "Bestätigungscode gesendet"),
        ("verification_code_capped", "Kein Bestätigungscode gesendet (zu viele in dieser Stunde)"),
        ("email_verified", "E-Mail-Adresse bestätigt"),
        ("email_verification_failed", "Ein Bestätigungscode war falsch"),
        ("recovery_code_sent", "Wiederherstellungscode gesendet"),
        ("recovery_code_capped", "Kein Wiederherstellungscode gesendet (zu viele in dieser Stunde)"),
        ("recovery_started", "Mit einem Wiederherstellungscode angemeldet"),
        ("recovery_failed", "Ein Wiederherstellungscode war falsch"),
        ("recovery_completed", "Wiederherstellung mit einem neuen Passkey abgeschlossen"),
        ("password_sign_in", "Mit Passwort angemeldet"),
        ("password_sign_in_failed", "Eine Anmeldung mit Passwort ist fehlgeschlagen"),
        ("password_removed", "Passwort entfernt"),
        ("passkey_upgrade", "Passkey automatisch erstellt"),
        ("oauth_consent_granted", "App erlaubt"),
        ("oauth_access_removed", "Zugriff der App entfernt"),
    ]

    private static func germanConsent(_ phrase: Auth.Consent.Phrase) -> String {
        switch phrase {
        case .title(let app?): "\(app) erlauben?"
        case .title(nil): "Zugriff erlauben?"
        case .ledeBeforeClient: ""
        case .ledeBeforeUser: " möchte Sie anmelden als "
        case .ledeAfterUser: ". Die App sieht:"
        case .scope("openid"): "Eine Kennung Ihres Kontos (nicht Ihre E-Mail-Adresse)"
        case .scope("profile"): "Ihren Benutzernamen und Anzeigenamen"
        case .scope("email"): "Ihre E-Mail-Adresse"
        case .scope("offline_access"): "Zugriff, während Sie nicht da sind: Die App bleibt angemeldet, bis Sie den Zugriff entfernen"
        case .scope: ""
        case .loading: "Die Anfrage wird geladen…"
        case .deciding: "Ihre Antwort wird gesendet…"
        }
    }
}
