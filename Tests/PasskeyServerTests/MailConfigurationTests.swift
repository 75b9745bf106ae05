import Foundation
import PasskeyMail
import Testing

@testable import PasskeyServer

/// `--smtp-url`, `--mail-from`, `--recovery-code-ttl` and `--failure-floor`.
@Suite struct MailConfigurationTests {
    @Test("Without --mail-from the sender is the RP name at no-reply@RP-ID")
    func defaultSender() throws {
        var configuration = PasskeyServerConfiguration()
        configuration.relyingPartyName = "Example"
        #expect(try configuration.mailSender() == MailAddress(name: "Example", address: "no-reply@localhost"))
        #expect(try configuration.smtpConfiguration() == nil)
    }

    @Test("A valid SMTP URL and sender are accepted")
    func validMailSettings() throws {
        var configuration = PasskeyServerConfiguration()
        configuration.smtpURL = "smtps://mailer:secret@mail.example.com"
        configuration.mailFrom = "Example <no-reply@example.com>"
        try configuration.validate()
        #expect(try configuration.smtpConfiguration()?.security == .implicitTLS)
        #expect(try configuration.mailSender().address == "no-reply@example.com")
    }

    @Test("A bad SMTP URL, sender, recovery code lifetime or failure floor stops start-up with a message naming the option", arguments: [
        ("smtp", "--smtp-url"), ("from", "--mail-from"), ("ttl", "--recovery-code-ttl"), ("floor", "--failure-floor"),
        ("nan", "--failure-floor"),
    ])
    func badMailSettings(_ setting: String, _ message: String) {
        var configuration = PasskeyServerConfiguration()
        switch setting {
        case "smtp": configuration.smtpURL = "http://mail.example.com"
        case "from": configuration.mailFrom = "Example <not an address>"
        case "floor": configuration.failureFloor = 11
        case "nan": configuration.failureFloor = .nan
        default: configuration.recoveryCodeTTL = 5
        }
        #expect {
            try configuration.validate()
        } throws: { error in
            (error as? ConfigurationError)?.message.contains(message) == true
        }
    }
}
