import Foundation
import PasskeyMail
import Testing

/// A server that answers from a script and records what the client sends.
final class ScriptedConnection: SMTPConnection, @unchecked Sendable {
    var replies: [SMTPReply]
    var sent: [String] = []
    var isSecure: Bool
    var startedTLS = false

    init(secure: Bool = false, _ replies: [(Int, [String])]) {
        self.isSecure = secure
        self.replies = replies.map { SMTPReply(code: $0.0, lines: $0.1) }
    }

    func send(_ line: String) async throws { sent.append(line) }
    func sendRaw(_ text: String) async throws { sent.append(text) }
    func readReply() async throws -> SMTPReply {
        guard !replies.isEmpty else { throw MailError(.protocolViolation, "script ended") }
        return replies.removeFirst()
    }
    func startTLS() async throws {
        startedTLS = true
        isSecure = true
    }
}

@Suite("SMTP protocol")
struct SMTPProtocolTests {
    let from: MailAddress
    let to: MailAddress

    init() throws {
        from = try MailAddress(name: "Passkeys", address: "no-reply@example.com")
        to = try MailAddress(address: "ada@example.com")
    }

    // MARK: Replies

    @Test("A single-line reply is read with its code and text")
    func singleLineReply() throws {
        var reader = SMTPReplyReader()
        #expect(try reader.read(Array("220 mail.example.com ESMTP\r\n".utf8)) == [SMTPReply(code: 220, lines: ["mail.example.com ESMTP"])])
    }

    @Test("A multi-line reply is complete only at its last line, even across reads")
    func multiLineReply() throws {
        var reader = SMTPReplyReader()
        #expect(try reader.read(Array("250-mail.example.com\r\n250-STARTTLS\r\n25".utf8)) == [])
        #expect(reader.hasBufferedData)
        let replies = try reader.read(Array("0 AUTH PLAIN LOGIN\r\n".utf8))
        #expect(replies == [SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS", "AUTH PLAIN LOGIN"])])
        #expect(replies.first?.extensions == ["STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"]])
        #expect(!reader.hasBufferedData)
    }

    @Test("Two replies in one read are both returned, a bare LF ends a line too")
    func twoReplies() throws {
        var reader = SMTPReplyReader()
        #expect(try reader.read(Array("250 OK\n354 go\r\n".utf8)).map(\.code) == [250, 354])
    }

    @Test("A reply that does not start with a code, changes its code or has a bad separator is refused", arguments: [
        "hello\r\n", "250-a\r\n251 b\r\n", "250_x\r\n", "999 no\r\n",
    ])
    func malformedReplies(_ text: String) {
        var reader = SMTPReplyReader()
        #expect(throws: MailError(.protocolViolation, "")) { try reader.read(Array(text.utf8)) }
    }

    @Test("A reply line longer than the limit is refused before it ends")
    func overlongLine() {
        var reader = SMTPReplyReader()
        #expect(throws: MailError(.protocolViolation, "")) {
            try reader.read(Array(("250 " + String(repeating: "x", count: SMTPReplyReader.maximumLineLength + 10)).utf8))
        }
    }

    // MARK: Data

    @Test("Lines starting with a dot are dot-stuffed and the data ends with CRLF.CRLF")
    func dotStuffing() {
        #expect(SMTPSession.dataPayload("a\n.b\r\n..c\nd") == "a\r\n..b\r\n...c\r\nd\r\n.\r\n")
        #expect(SMTPSession.dataPayload(".\r\n") == "..\r\n.\r\n")
    }

    // MARK: URLs

    @Test("An smtp URL gives host, port 587, STARTTLS when offered and percent-decoded credentials")
    func smtpURL() throws {
        let configuration = try SMTPConfiguration(url: "smtp://user%40example.com:p%3Ass@mail.example.com")
        #expect(configuration.host == "mail.example.com")
        #expect(configuration.port == 587)
        #expect(configuration.security == .startTLSWhenOffered)
        #expect(configuration.username == "user@example.com" && configuration.password == "p:ss")
        #expect(configuration.description == "smtp://user@example.com@mail.example.com:587")
    }

    @Test("smtps means TLS from the start on port 465; starttls=required is kept")
    func smtpsAndRequired() throws {
        let implicit = try SMTPConfiguration(url: "smtps://mail.example.com")
        #expect(implicit.security == .implicitTLS && implicit.port == 465)
        let required = try SMTPConfiguration(url: "smtp://mail.example.com:2525?starttls=required")
        #expect(required.security == .startTLSRequired && required.port == 2525)
    }

    @Test("Other schemes, no host, unknown parameters and a user without a password are refused", arguments: [
        "http://mail.example.com", "smtp://", "smtp://mail.example.com?tls=yes", "smtp://user@mail.example.com",
        "smtps://mail.example.com?starttls=required", "smtp://mail.example.com/path",
    ])
    func badURLs(_ url: String) {
        #expect(throws: MailError(.invalidURL, "")) { try SMTPConfiguration(url: url) }
    }

    // MARK: Sessions

    @Test("A plain session sends EHLO, MAIL, RCPT, DATA with the stuffed message and QUIT")
    func plainSession() async throws {
        let connection = ScriptedConnection([
            (220, ["ready"]), (250, ["hi", "SIZE 1000"]), (250, ["ok"]), (250, ["ok"]), (354, ["go"]), (250, ["queued"]), (221, ["bye"]),
        ])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1:2525"))
        try await session.deliver(".hidden\r\nbody\r\n", from: from, to: to, over: connection)
        #expect(connection.sent == [
            "EHLO localhost", "MAIL FROM:<no-reply@example.com>", "RCPT TO:<ada@example.com>", "DATA",
            "..hidden\r\nbody\r\n.\r\n", "QUIT",
        ])
        #expect(!connection.startedTLS)
    }

    @Test("STARTTLS is used when offered, and EHLO is sent again over TLS")
    func startTLSWhenOffered() async throws {
        let connection = ScriptedConnection([
            (220, ["ready"]), (250, ["hi", "STARTTLS"]), (220, ["go ahead"]), (250, ["hi"]),
            (250, ["ok"]), (250, ["ok"]), (354, ["go"]), (250, ["queued"]), (221, ["bye"]),
        ])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://mail.example.com"))
        try await session.deliver("x", from: from, to: to, over: connection)
        #expect(connection.startedTLS)
        #expect(Array(connection.sent.prefix(3)) == ["EHLO localhost", "STARTTLS", "EHLO localhost"])
    }

    @Test("Credentials are not sent without TLS to a host that only looks like loopback", arguments: [
        "127.relay.example.com", "127.0.0.1.example.com", "127.0.0.256", "127.0.0", "127..0.1",
    ])
    func credentialsNeedTLSUnlessLoopback(host: String) async throws {
        let connection = ScriptedConnection([(220, ["ready"]), (250, ["hi", "AUTH PLAIN"])])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://ada:secret@\(host):2525"))
        await #expect(throws: MailError(.authenticationUnavailable, "")) {
            try await session.deliver("x", from: from, to: to, over: connection)
        }
        #expect(connection.sent == ["EHLO localhost"])
    }

    @Test("Credentials may cross without TLS to this machine's loopback addresses", arguments: ["127.0.0.1", "127.1.2.3", "localhost", "[::1]"])
    func credentialsOnLoopback(host: String) async throws {
        let connection = ScriptedConnection([(220, ["ready"]), (250, ["hi", "AUTH PLAIN"]), (235, ["ok"])])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://ada:secret@\(host):2525"))
        // The script ends after AUTH: what matters is that AUTH was sent.
        _ = try? await session.deliver("x", from: from, to: to, over: connection)
        #expect(connection.sent.count >= 2 && connection.sent[1].hasPrefix("AUTH PLAIN "))
    }

    @Test("A server that does not offer STARTTLS is refused when the URL requires it, before any address is sent")
    func startTLSRequiredButMissing() async throws {
        let connection = ScriptedConnection([(220, ["ready"]), (250, ["hi", "AUTH PLAIN"])])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://mail.example.com?starttls=required"))
        await #expect(throws: MailError(.startTLSUnavailable, "")) {
            try await session.deliver("x", from: from, to: to, over: connection)
        }
        #expect(connection.sent == ["EHLO localhost"])
    }

    @Test("AUTH PLAIN sends the user and password from the URL, base64 encoded")
    func authPlain() async throws {
        let connection = ScriptedConnection(secure: true, [
            (220, ["ready"]), (250, ["hi", "AUTH LOGIN PLAIN"]), (235, ["ok"]),
            (250, ["ok"]), (250, ["ok"]), (354, ["go"]), (250, ["queued"]), (221, ["bye"]),
        ])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtps://ada:secret@mail.example.com"))
        try await session.deliver("x", from: from, to: to, over: connection)
        #expect(connection.sent[1] == "AUTH PLAIN " + Data("\0ada\0secret".utf8).base64EncodedString())
    }

    @Test("AUTH LOGIN is used when PLAIN is not offered")
    func authLogin() async throws {
        let connection = ScriptedConnection(secure: true, [
            (220, ["ready"]), (250, ["hi", "AUTH LOGIN"]), (334, ["VXNlcm5hbWU6"]), (334, ["UGFzc3dvcmQ6"]), (235, ["ok"]),
            (250, ["ok"]), (250, ["ok"]), (354, ["go"]), (250, ["queued"]), (221, ["bye"]),
        ])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtps://ada:secret@mail.example.com"))
        try await session.deliver("x", from: from, to: to, over: connection)
        #expect(Array(connection.sent[1...3]) == ["AUTH LOGIN", "YWRh", "c2VjcmV0"])
    }

    @Test("A password is not sent to a remote server without TLS")
    func noPasswordInClearText() async throws {
        let connection = ScriptedConnection([(220, ["ready"]), (250, ["hi", "AUTH PLAIN"])])
        let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://ada:secret@mail.example.com"))
        await #expect(throws: MailError(.authenticationUnavailable, "")) {
            try await session.deliver("x", from: from, to: to, over: connection)
        }
        #expect(!connection.sent.contains { $0.hasPrefix("AUTH") })
    }

    @Test("A refused recipient stops the delivery with the server's reply: for good on 5yz, for now on 4yz")
    func refusedRecipient() async throws {
        for (code, expected) in [(550, MailError.Code.rejected), (450, .unexpectedReply)] {
            let connection = ScriptedConnection([(220, ["ready"]), (250, ["hi"]), (250, ["ok"]), (code, ["no such user"])])
            let session = SMTPSession(configuration: try SMTPConfiguration(url: "smtp://127.0.0.1"))
            let error = await #expect(throws: MailError.self) {
                try await session.deliver("x", from: from, to: to, over: connection)
            }
            #expect(error?.code == expected)
            #expect(error?.isPermanent == (code == 550))
            #expect(!connection.sent.contains("DATA"))
        }
    }
}
