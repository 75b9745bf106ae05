import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PasskeyStore
import SoftwareAuthenticator
import Synchronization
import Testing
import WebAuthn

@testable import PasskeyServer

/// What operators rely on: a disabled account stays out, and every request can be traced.
@Suite struct OperatorTests {
    static let ada = "ada@example.com"

    @Test(arguments: StoreKind.allCases)
    func aDisabledAccountCannotSignInAndItsSessionsAreOver(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let user = try #require(try await harness.store.user(username: Self.ada))
            _ = try await harness.store.setDisabled(userID: user.id, true)
            expectError(try await browser.get("/api/session"), .unauthorized, "unauthenticated")
            harness.clock.advance(by: 1)
            let refused = try await browser.signIn(Self.ada)
            expectError(refused, .forbidden, "account_disabled")
            #expect(refused.setCookie("passkeys_session") == nil, "no session is handed out")
            #expect(try await harness.store.sessions(userID: user.id).isEmpty)
            let events = try await harness.store.auditEvents(userID: user.id, limit: 1)
            #expect(events.map(\.kind) == [.signInFailed])

            _ = try await harness.store.setDisabled(userID: user.id, false)
            #expect(try await browser.signIn(Self.ada).status == .ok)
        }
    }

    @Test("An account disabled between a sign-in's read and its write gets no session", arguments: StoreKind.allCases)
    func anAccountDisabledDuringASignInGetsNoSession(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let user = try #require(try await harness.store.user(username: Self.ada))
            let store = harness.store
            try await browser.send(.delete, "/api/session")
            harness.clock.advance(by: 1)
            // A usernameless sign-in reads the passkey and its account at the answer.
            store.afterNextSignInRead { _ = try await store.setDisabled(userID: user.id, true) }
            let refused = try await browser.signIn()
            expectError(refused, .forbidden, "account_disabled")
            #expect(refused.setCookie("passkeys_session") == nil)
            #expect(try await store.sessions(userID: user.id).isEmpty)
            #expect(try await store.auditEvents(userID: user.id, limit: 1).map(\.kind) == [.signInFailed])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aSessionOfADisabledAccountIsRefusedEvenIfOneWasLeft(kind: StoreKind) async throws {
        try await Harness.run(kind) { harness, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            let user = try #require(try await harness.store.user(username: Self.ada))
            _ = try await harness.store.setDisabled(userID: user.id, true)
            // A session stored after the account was disabled (a sign-in racing the operator).
            var late = try Browser(client)
            let token = randomBytes(32)
            try await harness.store.insertSession(SessionRecord(
                tokenHash: CookieToken.sha256(token), userID: user.id, createdAt: harness.clock.now,
                lastSeenAt: harness.clock.now, expiresAt: harness.clock.now.addingTimeInterval(3600), method: .passkey))
            late.cookies["passkeys_session"] = Base64URL.encode(token)
            expectError(try await late.get("/api/passkeys"), .unauthorized, "unauthenticated")
        }
    }

    @Test func everyAnswerCarriesItsOwnRequestID() async throws {
        try await Harness.run(.sqliteMemory) { harness, client in
            var browser = try Browser(client)
            let responses = [
                try await browser.get("/healthz"), try await browser.get("/"), try await browser.get("/nowhere"),
                try await browser.get("/api/session"),
                try await browser.send(.post, "/api/authentication/options", body: Data("{,}".utf8)),
                try await browser.send(.post, "/api/session", headers: [.origin: "https://evil.example"]),
            ]
            let ids = responses.compactMap { $0.headers[.xRequestID] }
            #expect(ids.count == responses.count)
            #expect(Set(ids).count == ids.count, "one ID per request")
            #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
            let sent = try await browser.send(.get, "/healthz", headers: [.xRequestID: "chosen-by-the-client"])
            #expect(sent.headers[.xRequestID] != "chosen-by-the-client")
        }
    }

    @Test func aCeremonyStepIsToldOnItsRequestsOneLineAndAFailureOnALineOfItsOwn() async throws {
        let lines = Mutex<[String]>([])
        var handler = TextLogHandler(label: "passkeys.test") { line in
            lines.withLock { $0.append(String(decoding: line, as: UTF8.self)) }
        }
        handler.logLevel = .info
        try await Harness.run(.sqliteMemory, logger: Logger(label: "passkeys.test") { _ in handler }) { _, client in
            var browser = try Browser(client)
            try await browser.signUp(Self.ada)
            lines.withLock { $0.removeAll() }
            #expect(try await browser.signIn(Self.ada).status == .ok)
            let signIn = lines.withLock { $0 }
            #expect(signIn.count == 2, "one line per request: \(signIn)")
            for (line, step) in zip(signIn, ["options", "finish"]) {
                #expect(line.contains(" info passkeys.test: "))
                for field in ["ceremony=authentication", "step=\(step)", "outcome=success", "status=200", "request_id=", "user=", "client="] {
                    #expect(line.contains(field), "\(field) in \(line)")
                }
                #expect(line.hasSuffix("] request\n"))
                // One ID per request: the server's own, not also Hummingbird's.
                #expect(line.components(separatedBy: "request_id=").count == 2, "\(line)")
                #expect(!line.contains("hb.request.id"), "\(line)")
            }

            lines.withLock { $0.removeAll() }
            var stranger = try Browser(client)
            let refused = try await stranger.send(.post, "/api/authentication", body: Data("{}".utf8))
            #expect(refused.status.code >= 400 && refused.status.code < 500)
            let failed = lines.withLock { $0 }
            #expect(failed.count == 2, "\(failed)")
            #expect(failed.first?.contains(" notice passkeys.test: ") == true)
            #expect(failed.first?.contains("outcome=failure") == true)
            #expect(failed.first?.contains("] ceremony finish failed\n") == true)
            #expect(failed.last?.contains("status=\(refused.status.code)") == true)
            #expect(failed.last?.contains("outcome=") == false, "a failure is not also told as the request's outcome")
        }
    }

    @Test func jsonLogsAreOneObjectPerLineWithTheirMetadata() throws {
        let lines = Mutex<[Data]>([])
        var handler = JSONLogHandler(label: "passkeys.test") { data in lines.withLock { $0.append(data) } }
        handler.logLevel = .info
        handler[metadataKey: "request_id"] = "abc123"
        let logger = Logger(label: "passkeys.test") { _ in handler }
        logger.info("a message\nwith a forged line", metadata: ["code": "bad_signature"])
        logger.debug("below the level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line.last == 0x0A)
        #expect(line.dropLast().contains(0x0A) == false, "a newline in the message stays inside the JSON string")
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        #expect(object["message"] == "a message\nwith a forged line")
        #expect(object["level"] == "info")
        #expect(object["label"] == "passkeys.test")
        #expect(object["request_id"] == "abc123")
        #expect(object["code"] == "bad_signature")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }

    @Test func textLogsAreOneLineInTheStreamFormatWithControlsEscaped() throws {
        let lines = Mutex<[[UInt8]]>([])
        var handler = TextLogHandler(label: "passkeys.test") { line in lines.withLock { $0.append(line) } }
        handler.logLevel = .info
        handler[metadataKey: "request_id"] = "abc123"
        let logger = Logger(label: "passkeys.test") { _ in handler }
        logger.info("a message\nwith a forged line", metadata: ["code": "bad_signature", "agent": "x\u{1B}[2Jy"])
        logger.debug("below the level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let bytes = try #require(written.first)
        #expect(bytes.last == 0x0A)
        #expect(bytes.contains(0x1B) == false, "an escape character in a value is escaped")
        let text = String(decoding: bytes.dropLast(), as: UTF8.self)
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(parts.count == 2, "the message's line break goes on to a second line")
        #expect(parts.last == "    with a forged line", "indented, so it cannot pass for an entry")
        let line = String(parts.first ?? "")
        // 2026-12-04T05:30:17+0000 info passkeys.test: agent=… code=… request_id=… [source] message
        let match = try #require(line.wholeMatch(of: /(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}) info passkeys\.test: (.*) \[(\w+)\] (.*)/))
        #expect(match.output.2 == #"agent=x\u{1B}[2Jy code=bad_signature request_id=abc123"#, "metadata sorted by key")
        #expect(match.output.3 == "PasskeyServerTests")
        #expect(match.output.4 == "a message")
    }

    @Test func aLinesFieldsAreEachKeyOnceTheLaterSourceWinning() {
        struct Failure: Error, CustomStringConvertible { var description: String { "it broke" } }
        let provider = Logger.MetadataProvider { ["shared": "provider", "from_provider": "p", "error.type": "provided"] }
        let fields = LogOutput.fields(
            ["shared": "handler", "from_handler": "h", "explicit_wins": "handler", "count": .stringConvertible(3)],
            provider: provider,
            explicit: ["explicit_wins": "call", "from_call": "c", "shared": "call too", "error.message": "from the call"],
            error: Failure())
        #expect(fields.map(\.key) == [
            "count", "error.message", "error.type", "explicit_wins", "from_call", "from_handler", "from_provider", "shared",
        ])
        let values = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) })
        #expect(values["shared"] == "call too")
        #expect(values["explicit_wins"] == "call")
        #expect(values["count"] == "3")
        #expect(values["error.message"] == "it broke", "the error's own fields win")
        #expect(values["error.type"]?.hasSuffix("Failure") == true)
        #expect(LogOutput.fields([:], provider: nil, explicit: nil, error: nil).isEmpty)

        let lines = Mutex<[[UInt8]]>([])
        var handler = TextLogHandler(label: "t") { line in lines.withLock { $0.append(line) } }
        handler[metadataKey: "request_id"] = "handler"
        handler[metadataKey: "a"] = "1"
        Logger(label: "t") { _ in handler }.info("m", metadata: ["request_id": "call", "b": "2"])
        let line = String(decoding: lines.withLock { $0.first } ?? [], as: UTF8.self)
        #expect(line.contains(": a=1 b=2 request_id=call [PasskeyServerTests] m\n"), "\(line)")
    }

    /// The request's line goes to the server's handlers as text fields (`RequestLine`): the same
    /// line as through `Logger.Metadata`, the handler's own metadata merged in (the line's fields
    /// winning), nothing below the level; any other handler gets the fields as metadata.
    @Test func theRequestLineIsTheSameLineWithoutMetadataValues() throws {
        let fields: [(key: String, value: String)] = [
            ("step", "finish"), ("request_id", "line"), ("path", "/a\u{1B}b"), ("status", "200"),
        ]
        let metadata: Logger.Metadata = ["step": "finish", "request_id": "line", "path": "/a\u{1B}b", "status": "200"]

        let text = Mutex<[String]>([])
        var textHandler = TextLogHandler(label: "t") { line in text.withLock { $0.append(String(decoding: line, as: UTF8.self)) } }
        textHandler[metadataKey: "request_id"] = "handler"
        textHandler[metadataKey: "zone"] = "z"
        var textLogger = Logger(label: "t") { _ in textHandler }
        RequestLine.log(fields, to: textLogger)
        textLogger.info("request", metadata: metadata)
        let textLines = text.withLock { $0 }
        #expect(textLines.count == 2)
        // The same line after the timestamp.
        let tails = textLines.map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        #expect(tails.first == tails.last, "\(textLines)")
        #expect(tails.first == #"info t: path=/a\u{1B}b request_id=line status=200 step=finish zone=z [PasskeyServerTests] request"# + "\n")
        textLogger.logLevel = .notice
        RequestLine.log(fields, to: textLogger)
        #expect(text.withLock { $0.count } == 2, "below the level: no line")

        let json = Mutex<[Data]>([])
        var jsonHandler = JSONLogHandler(label: "j") { data in json.withLock { $0.append(data) } }
        jsonHandler[metadataKey: "request_id"] = "handler"
        let jsonLogger = Logger(label: "j") { _ in jsonHandler }
        RequestLine.log(fields, to: jsonLogger)
        jsonLogger.info("request", metadata: metadata)
        let objects = try json.withLock { $0 }.map { try #require(try JSONSerialization.jsonObject(with: $0) as? [String: String]) }
        #expect(objects.count == 2)
        for object in objects {
            #expect(object["request_id"] == "line")
            #expect(object["path"] == "/a\u{1B}b")
            #expect(object["message"] == "request")
            #expect(object["level"] == "info")
            #expect(object["source"] == "PasskeyServerTests")
            #expect(object["file"] == "PasskeyServerTests/OperatorTests.swift")
        }
        #expect(Set(objects[0].keys) == Set(objects[1].keys))

        // A handler of someone else's gets the fields as metadata.
        let recorder = Mutex<[(String, Logger.Metadata?)]>([])
        struct Other: LogHandler {
            let record: @Sendable (String, Logger.Metadata?) -> Void
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .info
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) { record("\(event.message)", event.metadata) }
        }
        let other = Logger(label: "o") { _ in Other { message, metadata in recorder.withLock { $0.append((message, metadata)) } } }
        RequestLine.log(fields, to: other)
        let recorded = recorder.withLock { $0 }
        #expect(recorded.count == 1)
        #expect(recorded.first?.0 == "request")
        #expect(recorded.first?.1 == metadata)
    }

    @Test func eventLoopsAreHalfTheCoresAndAtLeastOne() {
        #expect([1, 2, 3, 4, 5, 8, 64].map(EventLoops.defaultCount(cores:)) == [1, 1, 1, 2, 2, 4, 32])
        #expect(EventLoops.defaultCount(cores: 0) == 1)
    }

    @Test func aMailWrittenToTheTextLogStaysReadable() {
        var line: [UInt8] = []
        TextLogHandler.appendMessage("\r\nSubject: Your code\r\n\r\nCode: 123456\r\nbare\rreturn\u{1B}[2J\ttab", to: &line)
        #expect(String(decoding: line, as: UTF8.self)
            == "\n    Subject: Your code\n    \n    Code: 123456\n    bare\\rreturn\\u{1B}[2J\ttab")
    }

    @Test func jsonLogTimesAreUTCWithMilliseconds() throws {
        let lines = Mutex<[Data]>([])
        let handler = JSONLogHandler(label: "passkeys.test") { data in lines.withLock { $0.append(data) } }
        Logger(label: "passkeys.test") { _ in handler }.error("failed", error: APIError.payloadTooLarge(1))
        let line = try #require(lines.withLock { $0.first })
        let object = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        let time = try #require(object["time"])
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        let parsed = try #require(try? Date(time, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
        #expect(object["error.type"]?.hasSuffix("APIError") == true)
    }

    @Test func jsonContentTypesAreRecognisedWhateverTheirCaseAndParameters() {
        for accepted in ["application/json", "Application/JSON", " application/json ; charset=utf-8", "application/json;charset=UTF-8"] {
            #expect(RequestGuard.isJSON(accepted), "\(accepted)")
        }
        for refused in [nil, "", "application/jsonx", "text/json", "application/json-patch+json", "application/jso", "application\u{0F}json"] {
            #expect(!RequestGuard.isJSON(refused), "\(refused ?? "nil")")
        }
    }

    @Test func theGuardReadsItsFieldsAsLookupsByNameWould() throws {
        let lists: [[(String, String)]] = [
            [],
            [("Host", "localhost"), ("Content-Type", "application/json"), ("Origin", "https://a.example")],
            [("content-length", "12"), ("ORIGIN", "https://a.example"), ("X-Forwarded-For", "10.0.0.1")],
            [("Content-Length", "12"), ("content-length", "13"), ("Origin", "https://a.example"), ("origin", "https://b.example")],
            [("X-Forwarded-For", "10.0.0.1, 10.0.0.2"), ("Accept", "*/*"), ("x-forwarded-for", "10.0.0.3"), ("Content-Type", "text/plain"), ("content-type", "application/json")],
        ]
        for list in lists {
            var headers = HTTPFields()
            for (name, value) in list { headers.append(HTTPField(name: try #require(HTTPField.Name(name)), value: value)) }
            let fields = RequestGuard.Fields(headers)
            #expect(fields.forwardedFor == headers[values: .xForwardedFor], "\(list)")
            #expect(fields.contentLength == headers[.contentLength], "\(list)")
            #expect(fields.origin == headers[.origin], "\(list)")
            #expect(fields.contentType == headers[.contentType], "\(list)")
        }
    }

    @Test func durationsAreLoggedInMillisecondsWithOneDecimal() {
        #expect(ServerMiddleware.milliseconds(.milliseconds(54) + .microseconds(870)) == "54.8")
        #expect(ServerMiddleware.milliseconds(.seconds(2) + .microseconds(50)) == "2000.0")
        #expect(ServerMiddleware.milliseconds(.zero) == "0.0")
    }
}
