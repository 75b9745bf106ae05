import Foundation
import Hummingbird
import HummingbirdTesting
import PasskeyStore
import Synchronization
import Testing

@testable import PasskeyServer

/// `GET /api/openapi.json` describes the API the router serves, and docs/api.md describes the same.
@Suite struct OpenAPITests {
    /// `METHOD /path` for every API route of the real router (the web app's files aside), the
    /// OpenID Provider's and `/continue` included, with `{name}` for a captured path segment as
    /// OpenAPI writes it.
    static func routerOperations() throws -> Set<String> {
        var configuration = PasskeyServerConfiguration()
        configuration.rateLimit = 0
        let services = try makeServices(
            configuration: configuration, store: MemoryPasskeyStore(), registry: .init(), logger: .init(label: "test"),
            now: { Date() })
        let router = try buildRouter(services: services)
        var operations: Set<String> = []
        for route in router.routes where route.method != .head && route.method != .options {
            let path = "/" + String(describing: route.path).split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
            }.joined(separator: "/")
            guard path.hasPrefix("/api/") || path.hasPrefix("/.well-known/") || path.hasPrefix("/oauth2/")
                || path == "/healthz" || path == "/metrics" || path == "/continue"
            else { continue }
            operations.insert("\(route.method.rawValue) \(path)")
        }
        return operations
    }

    /// `METHOD /path` for every operation of the document.
    static func documentOperations(_ document: [String: Any]) throws -> Set<String> {
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in item.keys { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    static func fetchDocument() async throws -> [String: Any] {
        let body = Mutex<Data>(Data())
        try await Harness.run(.sqliteMemory) { harness, client in
            let response = try await client.execute(uri: "/api/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            body.withLock { $0 = Data(response.body.readableBytesView) }
        }
        return try #require(try JSONSerialization.jsonObject(with: body.withLock { $0 }) as? [String: Any])
    }

    @Test func theDocumentIsOpenAPI31AndCoversEveryRouteAndNoOther() async throws {
        let document = try await Self.fetchDocument()
        #expect(document["openapi"] as? String == "3.1.0")
        let router = try Self.routerOperations()
        let documented = try Self.documentOperations(document)
        #expect(router.subtracting(documented).isEmpty, "routes missing from the document: \(router.subtracting(documented).sorted())")
        #expect(documented.subtracting(router).isEmpty, "documented routes the server lacks: \(documented.subtracting(router).sorted())")
        #expect(router.contains("GET /api/account/activity") && router.contains("DELETE /api/sessions/{id}"))
    }

    @Test func everyOperationSaysHowItSucceedsAndHowItFails() async throws {
        let document = try await Self.fetchDocument()
        let paths = try #require(document["paths"] as? [String: [String: [String: Any]]])
        for (path, item) in paths {
            for (method, operation) in item {
                let responses = try #require(operation["responses"] as? [String: Any], "\(method) \(path)")
                // A redirect is how the authorization endpoint and /continue succeed.
                #expect(responses.keys.contains { $0.hasPrefix("2") || $0.hasPrefix("3") }, "\(method) \(path) has no success")
                // The OAuth endpoints take cross-site form posts: the Origin rule is not theirs.
                if method != "get" && !OpenIDController.crossSitePaths.contains(path) {
                    #expect(responses["403"] != nil, "\(method) \(path): the Origin rule (403) is not documented")
                }
                if path.hasPrefix("/api/passkeys") || path.hasPrefix("/api/sessions") || path.hasPrefix("/api/account") {
                    #expect(responses["401"] != nil, "\(method) \(path): 401 unauthenticated is not documented")
                }
                // What acts for a signed-in account takes Passkeys-User, and says it may be 409 session_changed.
                if path.hasPrefix("/api/passkeys") || path.hasPrefix("/api/session") || path.hasPrefix("/api/account")
                    || path.hasPrefix("/api/oidc/")
                {
                    let parameters = operation["parameters"] as? [[String: Any]] ?? []
                    #expect(parameters.contains { $0["$ref"] as? String == "#/components/parameters/PasskeysUser" },
                            "\(method) \(path): the Passkeys-User header is not documented")
                    #expect(responses["409"] != nil, "\(method) \(path): 409 session_changed is not documented")
                }
            }
        }
    }

    @Test func docsAPIMarkdownListsTheSameAPIOperations() async throws {
        let document = try await Self.fetchDocument()
        let markdown = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/api.md")
        let text = try String(contentsOf: markdown, encoding: .utf8)
        // The tables' first column: | `POST /api/registration/options` |
        let pattern = try Regex(#"^\| `(GET|POST|PATCH|PUT|DELETE) (/api/[^`?]*)`"#).anchorsMatchLineEndings()
        let inMarkdown = Set(text.matches(of: pattern).map { "\($0.output[1].substring ?? "") \($0.output[2].substring ?? "")" })
        let inDocument = try Self.documentOperations(document).filter { $0.contains(" /api/") }
        #expect(inMarkdown == inDocument, "only in docs/api.md: \(inMarkdown.subtracting(inDocument).sorted()); only in openapi.json: \(inDocument.subtracting(inMarkdown).sorted())")
    }
}
