import Foundation

/// One connection to an SMTP server, as the session needs it: send a command line, read a reply,
/// switch to TLS. ``NIOSMTPConnection`` is the real one; tests script one.
public protocol SMTPConnection {
    /// Sends `line` followed by CRLF.
    func send(_ line: String) async throws
    /// Sends bytes as they are (the message body).
    func sendRaw(_ text: String) async throws
    /// The next complete reply.
    func readReply() async throws -> SMTPReply
    /// Starts TLS on the connection (after the server's `220` to STARTTLS).
    func startTLS() async throws
    /// Whether the connection is encrypted now.
    var isSecure: Bool { get }
}

/// The client's side of one mail transaction (RFC 5321 §3.3): greeting, EHLO, STARTTLS when it is
/// offered or required (RFC 3207), AUTH PLAIN or LOGIN when credentials are configured (RFC 4954),
/// MAIL, RCPT, DATA with dot-stuffing (§4.5.2), QUIT.
public struct SMTPSession: Sendable {
    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// Delivers `message` (rendered) from `from` to `to` over `connection`.
    ///
    /// - Throws: ``MailError``: an unexpected reply (with its text), STARTTLS required and not
    ///   offered, credentials without a mechanism we speak or without TLS to a remote server.
    public func deliver(
        _ rendered: String, from: MailAddress, to: MailAddress, over connection: some SMTPConnection
    ) async throws {
        // §4.3.1: the greeting.
        try expect(220, try await connection.readReply(), step: "greeting")
        var extensions = try await ehlo(connection)

        if configuration.security != .implicitTLS {
            if extensions["STARTTLS"] != nil {
                try await connection.send("STARTTLS")
                try expect(220, try await connection.readReply(), step: "STARTTLS")
                try await connection.startTLS()
                // RFC 3207 §4.2: forget what the server said before TLS and ask again.
                extensions = try await ehlo(connection)
            } else if configuration.security == .startTLSRequired {
                throw MailError(.startTLSUnavailable, "\(configuration.host) does not offer STARTTLS, and the SMTP URL requires it")
            }
        }

        if let username = configuration.username, let password = configuration.password {
            // Credentials never cross a network in the clear.
            guard connection.isSecure || configuration.isLoopback else {
                throw MailError(
                    .authenticationUnavailable,
                    "\(configuration.host) offers no TLS: the password is not sent in clear text (use smtps:// or a server with STARTTLS)")
            }
            try await authenticate(username: username, password: password, mechanisms: extensions["AUTH"] ?? [], connection)
        }

        try await connection.send("MAIL FROM:<\(from.address)>")
        try expect(250, try await connection.readReply(), step: "MAIL FROM")
        try await connection.send("RCPT TO:<\(to.address)>")
        let recipient = try await connection.readReply()
        guard recipient.code == 250 || recipient.code == 251 else {
            throw MailError((500..<600).contains(recipient.code) ? .rejected : .unexpectedReply, "RCPT TO was answered \(recipient.summary)")
        }
        try await connection.send("DATA")
        try expect(354, try await connection.readReply(), step: "DATA")
        try await connection.sendRaw(Self.dataPayload(rendered))
        try expect(250, try await connection.readReply(), step: "end of data")
        // The message is accepted; a failed QUIT changes nothing.
        try? await connection.send("QUIT")
        _ = try? await connection.readReply()
    }

    private func ehlo(_ connection: some SMTPConnection) async throws -> [String: [String]] {
        try await connection.send("EHLO \(configuration.clientName)")
        let reply = try await connection.readReply()
        try expect(250, reply, step: "EHLO")
        return reply.extensions
    }

    private func authenticate(
        username: String, password: String, mechanisms: [String], _ connection: some SMTPConnection
    ) async throws {
        if mechanisms.contains("PLAIN") {
            // RFC 4616 §2: authzid NUL authcid NUL passwd, with an empty authzid.
            let response = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await connection.send("AUTH PLAIN \(response)")
            try expect(235, try await connection.readReply(), step: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try await connection.send("AUTH LOGIN")
            try expect(334, try await connection.readReply(), step: "AUTH LOGIN")
            try await connection.send(Data(username.utf8).base64EncodedString())
            try expect(334, try await connection.readReply(), step: "AUTH LOGIN user name")
            try await connection.send(Data(password.utf8).base64EncodedString())
            try expect(235, try await connection.readReply(), step: "AUTH LOGIN password")
        } else {
            throw MailError(
                .authenticationUnavailable,
                "\(configuration.host) offers no AUTH PLAIN or LOGIN (it offers: \(mechanisms.joined(separator: " ")))")
        }
    }

    private func expect(_ code: Int, _ reply: SMTPReply, step: String) throws(MailError) {
        guard reply.code == code else {
            throw MailError((500..<600).contains(reply.code) ? .rejected : .unexpectedReply, "\(step) was answered \(reply.summary)")
        }
    }

    /// The DATA payload (RFC 5321 §4.5.2): CRLF line ends, a `.` doubled at the start of any line,
    /// and the terminating `CRLF.CRLF`.
    public static func dataPayload(_ message: String) -> String {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let stuffed = lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }
        return stuffed.map { $0 + "\r\n" }.joined() + ".\r\n"
    }
}
