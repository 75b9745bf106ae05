import Foundation

/// The mails the passkey server sends, in plain text and HTML, with no images, tracking pixels or
/// tracked links: the only link is the page that fills in the code.
public enum AccountMails {
    /// The code that confirms a new account's email address.
    public static func verification(
        to: MailAddress, from: MailAddress, site: String, code: String, link: String, validFor: TimeInterval
    ) -> MailMessage {
        let minutes = describe(validFor)
        let text = """
            Confirm your email address for \(site).

            Your code: \(code)

            Or open this link: \(link)

            The code is valid for \(minutes). If you did not create an account, ignore this mail.
            """
        let html = page(
            title: "Confirm your email address",
            paragraphs: ["Confirm your email address for \(escape(site))."],
            code: code, link: link, linkText: "Confirm my address",
            footer: "The code is valid for \(minutes). If you did not create an account, ignore this mail.")
        return MailMessage(from: from, to: to, subject: "Confirm your email address for \(site)", text: text, html: html)
    }

    /// The code that lets a person who lost their passkeys add a new one.
    public static func recovery(
        to: MailAddress, from: MailAddress, site: String, code: String, link: String, validFor: TimeInterval
    ) -> MailMessage {
        let minutes = describe(validFor)
        let text = """
            Someone asked to recover the \(site) account of this address.

            Your recovery code: \(code)

            Or open this link: \(link)

            With it you can create a new passkey. The code is valid for \(minutes) and works once. \
            If you did not ask for it, ignore this mail: nothing changes without the code.
            """
        let html = page(
            title: "Recover your account",
            paragraphs: ["Someone asked to recover the \(escape(site)) account of this address."],
            code: code, link: link, linkText: "Create a new passkey",
            footer: "The code is valid for \(minutes) and works once. If you did not ask for it, ignore this mail: nothing changes without the code.")
        return MailMessage(from: from, to: to, subject: "Recover your \(site) account", text: text, html: html)
    }

    private static func page(
        title: String, paragraphs: [String], code: String, link: String, linkText: String, footer: String
    ) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title></head>
        <body style="font-family: system-ui, sans-serif; line-height: 1.5">
        <h1 style="font-size: 1.3em">\(escape(title))</h1>
        \(paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n"))
        <p style="font-size: 1.6em; letter-spacing: 0.2em"><strong>\(escape(code))</strong></p>
        <p><a href="\(escape(link))">\(escape(linkText))</a></p>
        <p style="color: #555">\(escape(footer))</p>
        </body></html>
        """
    }

    /// `10 minutes`, `24 hours`, `90 seconds`.
    static func describe(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded())
        if seconds % 3600 == 0 { return seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
        if seconds % 60 == 0 { return seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
        return "\(seconds) seconds"
    }

    /// Text made safe inside HTML elements and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
