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
            case .invalidUsername: "Geben Sie einen Benutzernamen mit höchstens 64 Zeichen ein, ohne unsichtbare Zeichen."
            case .invalidName: "Verwenden Sie einen sichtbaren Namen mit 1 bis 64 Zeichen, ohne Steuer- oder unsichtbare Zeichen."
            case .credentialExists: "Dieser Passkey ist bereits registriert."
            case .ceremonyEnded: "Das hat zu lange gedauert oder wurde unterbrochen. Bitte versuchen Sie es erneut."
            case .accountDisabled: "Dieses Konto ist deaktiviert. Bitten Sie die Betreiber der Website, es wieder zu aktivieren."
            case .offline: "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut."
            case .sessionEnded: "Sie wurden abgemeldet. Melden Sie sich erneut an."
            case .lastPasskey: "Das ist der einzige Passkey des Kontos. Fügen Sie einen weiteren hinzu, bevor Sie ihn löschen."
            case .passkeyNotFound: "Dieser Passkey gehört nicht mehr zu Ihrem Konto."
            case .rateLimited(let seconds?): "Zu viele Versuche. Versuchen Sie es in \(seconds) Sekunden erneut."
            case .rateLimited(nil): "Zu viele Versuche. Versuchen Sie es in einer Minute erneut."
            case .refused(let code, let message): "Der Server hat abgelehnt: \(message) (\(code))."
            case .passkeyFailed(let message): "Der Passkey konnte nicht verwendet werden: \(message)."
            case .unreadableResponse: "Die Antwort des Servers ist unverständlich. Versuchen Sie es später erneut."
            }
        case .checkingSession: "Es wird geprüft, ob Sie angemeldet sind…"
        case .contactingServer: "Verbindung zum Server…"
        case .createPasskeyFor(let username): "Erstellen Sie einen Passkey für „\(username)“, wenn Ihr Gerät danach fragt."
        case .creatingAccount: "Ihr Konto wird erstellt…"
        case .choosePasskey: "Wählen Sie einen Passkey, wenn Ihr Gerät danach fragt."
        case .signingIn: "Anmeldung…"
        case .loadingPasskeys: "Ihre Passkeys werden geladen…"
        case .createPasskey: "Erstellen Sie einen Passkey, wenn Ihr Gerät danach fragt."
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
        case .mail(let mail): germanMail(mail)
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
}
