import Foundation
import PasskeyClientCore

/// The mails the passkey server sends, in plain text and HTML, with no images, tracking pixels or
/// tracked links: the only link is the page that fills in the code. Their words are the client
/// core's (``Auth/Mail``), in the language of the person who asked for the mail.
public enum AccountMails {
    /// The code that confirms a new account's email address.
    public static func verification(
        to: MailAddress, from: MailAddress, site: String, code: String, link: String, validFor: TimeInterval,
        language: Auth.Language = .english
    ) -> MailMessage {
        let say = { (mail: Auth.Mail) in language(.mail(mail)) }
        let footer = say(.verificationFooter(validFor: say(.duration(seconds: Int(validFor.rounded())))))
        return message(
            to: to, from: from, language: language, subject: say(.verificationSubject(site: site)),
            title: say(.verificationTitle), intro: (say(.verificationIntro(site: site)), say(.verificationIntro(site: escape(site)))),
            codeLabel: say(.yourCode), code: code, orOpen: say(.orOpenLink), link: link,
            linkText: say(.verificationLink), footer: footer)
    }

    /// The code that lets a person who lost their passkeys add a new one.
    public static func recovery(
        to: MailAddress, from: MailAddress, site: String, code: String, link: String, validFor: TimeInterval,
        language: Auth.Language = .english
    ) -> MailMessage {
        let say = { (mail: Auth.Mail) in language(.mail(mail)) }
        let footer = say(.recoveryFooter(validFor: say(.duration(seconds: Int(validFor.rounded())))))
        return message(
            to: to, from: from, language: language, subject: say(.recoverySubject(site: site)),
            title: say(.recoveryTitle), intro: (say(.recoveryIntro(site: site)), say(.recoveryIntro(site: escape(site)))),
            codeLabel: say(.yourCode), code: code, orOpen: say(.orOpenLink), link: link,
            linkText: say(.recoveryLink), footer: footer)
    }

    /// Both alternatives of a code mail: `intro` as text and as HTML (the site escaped in it).
    private static func message(
        to: MailAddress, from: MailAddress, language: Auth.Language, subject: String, title: String,
        intro: (text: String, html: String), codeLabel: String, code: String, orOpen: String, link: String,
        linkText: String, footer: String
    ) -> MailMessage {
        let text = """
            \(intro.text)

            \(codeLabel) \(code)

            \(orOpen) \(link)

            \(footer)
            """
        let html = """
            <!doctype html>
            <html lang="\(escape(language.code))"><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body style="font-family: system-ui, sans-serif; line-height: 1.5">
            <h1 style="font-size: 1.3em">\(escape(title))</h1>
            <p>\(intro.html)</p>
            <p style="font-size: 1.6em; letter-spacing: 0.2em"><strong>\(escape(code))</strong></p>
            <p><a href="\(escape(link))">\(escape(linkText))</a></p>
            <p style="color: #555">\(escape(footer))</p>
            </body></html>
            """
        return MailMessage(from: from, to: to, subject: subject, text: text, html: html, language: language.code)
    }

    /// Text made safe inside HTML elements and attribute values (``HTMLText/escaped(_:)``).
    private static func escape(_ text: String) -> String { HTMLText.escaped(text) }
}
