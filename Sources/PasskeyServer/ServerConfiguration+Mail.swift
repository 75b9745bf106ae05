import Foundation
import PasskeyMail

extension PasskeyServerConfiguration {
    /// The sender of mails: ``mailFrom``, or `RP-NAME <no-reply@RP-ID>`.
    func mailSender() throws(ConfigurationError) -> MailAddress {
        do {
            if let mailFrom { return try MailAddress(parsing: mailFrom) }
            return try MailAddress(name: relyingPartyName, address: "no-reply@" + relyingPartyID)
        } catch {
            throw ConfigurationError("--mail-from \(mailFrom ?? ""): \(error.reason) (write \"Name <address>\")")
        }
    }

    /// The SMTP server, or `nil` for the log.
    func smtpConfiguration() throws(ConfigurationError) -> SMTPConfiguration? {
        guard let smtpURL else { return nil }
        do {
            return try SMTPConfiguration(url: smtpURL)
        } catch {
            throw ConfigurationError(error.reason)
        }
    }

    /// Checks the mail settings.
    func validateMail() throws(ConfigurationError) {
        _ = try mailSender()
        _ = try smtpConfiguration()
        guard recoveryCodeTTL >= 60, recoveryCodeTTL <= 3600 else {
            throw ConfigurationError("--recovery-code-ttl must be 60 to 3600 seconds, not \(Self.format(recoveryCodeTTL))")
        }
        guard failureFloor.isFinite, failureFloor >= 0, failureFloor <= 10 else {
            throw ConfigurationError("--failure-floor must be at most 10 seconds, not \(Self.format(failureFloor))")
        }
    }
}
