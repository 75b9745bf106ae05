import Foundation
import PasskeyClientCore
import PasskeyMail
import Testing

@Suite("Mail messages")
struct MailMessageTests {
    let from: MailAddress
    let to: MailAddress

    init() throws {
        from = try MailAddress(name: "Passkeys", address: "no-reply@example.com")
        to = try MailAddress(address: "ada@example.com")
    }

    @Test("A display name and address are parsed from the --mail-from form")
    func parsesNameAndAddress() throws {
        let address = try MailAddress(parsing: "Passkeys <no-reply@example.com>")
        #expect(address.name == "Passkeys")
        #expect(address.address == "no-reply@example.com")
    }

    @Test("A bare address is parsed without a display name")
    func parsesBareAddress() throws {
        let address = try MailAddress(parsing: " no-reply@example.com ")
        #expect(address.name == nil)
        #expect(address.headerValue == "no-reply@example.com")
    }

    @Test("An address without a domain, with spaces or with a line break is refused", arguments: [
        "no-reply", "a b@example.com", "Name <a@example.com\r\nBcc: x@evil.example>", "a@", "<a@b.c>x",
    ])
    func refusesBadAddresses(_ text: String) {
        #expect(throws: MailError(.invalidAddress, "")) { try MailAddress(parsing: text) }
    }

    @Test("A display name with a line break is refused")
    func refusesNameWithLineBreak() {
        #expect(throws: MailError(.invalidAddress, "")) { try MailAddress(name: "A\r\nBcc: x@y.z", address: "a@b.c") }
    }

    @Test("An ASCII subject is written as it is")
    func asciiSubjectIsPlain() {
        #expect(MailHeader.encodeUnstructured("Your code: 123456") == "Your code: 123456")
    }

    @Test("A non-ASCII subject becomes UTF-8 encoded-words that decode to it")
    func nonASCIISubjectIsEncoded() throws {
        let subject = "Récupérez votre compte — 🔑 " + String(repeating: "é", count: 40)
        let encoded = MailHeader.encodeUnstructured(subject)
        let words = encoded.split(separator: " ")
        #expect(words.count > 1)
        var decoded: [UInt8] = []
        for word in words {
            #expect(word.hasPrefix("=?utf-8?B?") && word.hasSuffix("?="))
            #expect(word.count <= 75)
            let payload = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(payload)))
            // Each word holds whole characters: it decodes on its own.
            #expect(String(data: bytes, encoding: .utf8) != nil)
            decoded += bytes
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
    }

    @Test("A display name with quotes is quoted and escaped, a non-ASCII one encoded")
    func displayNames() throws {
        #expect(try MailAddress(name: "The \"Best\" Site", address: "a@b.c").headerValue == #""The \"Best\" Site" <a@b.c>"#)
        #expect(try MailAddress(name: "Zoë", address: "a@b.c").headerValue == "=?utf-8?B?Wm/Dqw==?= <a@b.c>")
    }

    @Test("A rendered message has CRLF line ends, short ASCII lines and both alternatives")
    func renderedMessage() {
        let message = MailMessage(
            from: from, to: to, subject: "Code", text: "Héllo\n.starts with a dot\n" + String(repeating: "x", count: 200),
            html: "<p>Héllo</p>")
        let rendered = message.rendered(date: Date(timeIntervalSince1970: 0), messageID: "id", boundary: "BOUNDARY")
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(rendered.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(lines.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(lines.contains("Content-Type: multipart/alternative; boundary=\"BOUNDARY\""))
        #expect(lines.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(lines.contains("Content-Type: text/html; charset=utf-8"))
        #expect(lines.contains("H=C3=A9llo"))
        #expect(lines.last == "" && lines.dropLast().last == "--BOUNDARY--")
    }

    @Test("Quoted-printable encodes '=', non-ASCII bytes and trailing spaces, and breaks long lines softly")
    func quotedPrintable() {
        #expect(QuotedPrintable.encode("a=b") == "a=3Db")
        #expect(QuotedPrintable.encode("é") == "=C3=A9")
        #expect(QuotedPrintable.encode("end ") == "end=20")
        let long = QuotedPrintable.encode(String(repeating: "a", count: 100))
        let parts = long.components(separatedBy: "\r\n")
        #expect(parts.count == 2)
        #expect(parts[0].hasSuffix("=") && parts[0].count <= 76)
        #expect(parts.map { $0.hasSuffix("=") ? String($0.dropLast()) : $0 }.joined() == String(repeating: "a", count: 100))
    }

    @Test("The recovery mail carries the code and the link in both alternatives, the HTML escaped")
    func recoveryMail() {
        let mail = AccountMails.recovery(
            to: to, from: from, site: "<Site>", code: "12345678", link: "https://example.com/?recover=1&code=12345678",
            validFor: 600)
        #expect(mail.text.contains("12345678") && mail.text.contains("https://example.com/?recover=1&code=12345678"))
        #expect(mail.text.contains("10 minutes"))
        #expect(mail.html.contains("&lt;Site&gt;") && !mail.html.contains("<Site>"))
        #expect(mail.html.contains("href=\"https://example.com/?recover=1&amp;code=12345678\""))
        #expect(!mail.html.contains("<img"))
    }

    @Test("HTML escaping writes the five characters HTML gives meaning as references and leaves all else")
    func htmlEscaping() {
        #expect(HTMLText.escaped(#"<a href="x" title='y'>&amp;</a>"#)
            == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        #expect(HTMLText.escaped("Grüße, 日本 👋🏽 e\u{301}") == "Grüße, 日本 👋🏽 e\u{301}")
        #expect(HTMLText.escaped("") == "")
    }

    @Test("A mail is in the language it is asked for: subject, both alternatives and <html lang>")
    func mailLanguage() {
        let japanese = AccountMails.recovery(
            to: to, from: from, site: "Example", code: "12345678", link: "https://example.com/#recover=12345678",
            validFor: 600, language: .japanese)
        #expect(japanese.subject == "Example のアカウントの復旧")
        #expect(japanese.text.contains("有効期間は10分") && japanese.text.contains("12345678"))
        #expect(japanese.html.contains("<html lang=\"ja\">") && japanese.html.contains("新しいパスキーを作成する"))
        #expect(japanese.language == "ja")
        #expect(japanese.rendered().contains("\r\nContent-Language: ja\r\n"))
        let german = AccountMails.verification(
            to: to, from: from, site: "Example", code: "12345678", link: "https://example.com/account#verify=12345678",
            validFor: 3600, language: .german)
        #expect(german.subject == "Bestätigen Sie Ihre E-Mail-Adresse für Example")
        #expect(german.text.contains("1 Stunde lang gültig") && german.text.contains("https://example.com/account#verify=12345678"))
        #expect(german.html.contains("<html lang=\"de\">") && german.html.contains("Meine Adresse bestätigen"))
        let english = AccountMails.verification(
            to: to, from: from, site: "Example", code: "12345678", link: "https://example.com/account#verify=12345678",
            validFor: 600)
        #expect(english.subject == "Confirm your email address for Example")
        #expect(english.html.contains("<html lang=\"en\">"))
        #expect(german.language == "de" && english.language == "en")
    }
}
