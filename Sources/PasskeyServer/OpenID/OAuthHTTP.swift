import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OpenIDProvider
import PasskeyMail

/// The HTTP forms of the OAuth endpoints: form and query parameters, Basic client credentials,
/// OAuth error bodies and the server's own HTML pages.
enum OAuthHTTP {
    /// `application/x-www-form-urlencoded` pairs (a query string or a form body), or `nil` when
    /// a name or value is not valid percent-encoding.
    static func formPairs(_ text: String) -> [(String, String)]? {
        var pairs: [(String, String)] = []
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0]), let value = decode(pieces.count > 1 ? pieces[1] : "") else { return nil }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The query's parameters, or `invalid_request`.
    static func query(_ request: Request) throws(OAuthError) -> OAuthParameters {
        guard let pairs = formPairs(request.uri.query ?? "") else { throw .invalidRequest("the query is not valid percent-encoding") }
        return OAuthParameters(pairs)
    }

    /// The form body's parameters (RFC 6749 §3.2: `application/x-www-form-urlencoded`), or `invalid_request`.
    static func form(_ request: Request) async throws -> OAuthParameters {
        let buffer = try await request.body.collect(upTo: .max)
        guard buffer.readableBytes > 0 else { return OAuthParameters([]) }
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first?
            .trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else {
            throw OAuthError.invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self), let pairs = formPairs(text) else {
            throw OAuthError.invalidRequest("the body is not valid form encoding")
        }
        return OAuthParameters(pairs)
    }

    /// RFC 6749 §2.3.1: the client ID and secret of an `Authorization: Basic` header, each
    /// form-decoded; `nil` without such a header.
    static func basicCredentials(_ request: Request) throws(OAuthError) -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization] else { return nil }
        guard header.count > 6, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":"),
              let id = decode(text[..<colon]), let secret = decode(text[text.index(after: colon)...])
        else { throw .invalidClient("the Authorization header is not valid Basic credentials") }
        return (id, secret)
    }

    /// RFC 6750 §2.1: the token of an `Authorization: Bearer` header.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer "
        else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// RFC 6749 §5.1/§5.2: JSON that no cache keeps. §5.1: an answer with tokens or credentials
    /// MUST carry `Cache-Control: no-store` and `Pragma: no-cache` (for HTTP/1.0 caches, which
    /// know no `Cache-Control`); every JSON answer of the OAuth endpoints carries both.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store", .pragma: "no-cache"]
        for field in extra { headers[field.name] = field.value }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    struct ErrorBody: Encodable {
        var error: String
        var error_description: String
    }

    /// RFC 6749 §5.2: `{"error", "error_description"}` with the error's status.
    static func error(_ error: OAuthError, headers: HTTPFields = [:]) -> Response {
        let body = ErrorBody(error: error.code, error_description: error.description)
        return (try? json(body, status: .init(code: error.status), headers: headers))
            ?? Response(status: .init(code: error.status))
    }

    /// A client authentication's error (token, revocation): RFC 6749 §5.2, a `401` to a client
    /// that tried the `Authorization` header names the scheme it should use.
    static func clientError(_ error: OAuthError, _ request: Request) -> Response {
        let challenged = error.status == 401 && request.headers[.authorization] != nil
        return self.error(error, headers: challenged ? [.wwwAuthenticate: "Basic realm=\"passkeys\""] : [:])
    }

    // MARK: Pages

    /// A small page of the server's own (an error, a sign-out), every text escaped.
    static func page(title: String, message: String, link: (text: String, href: String)? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var html = """
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>\(escape(title)) · Passkeys</title>
              <link rel="stylesheet" href="/app.css">
            </head>
            <body>
              <main class="card" id="main">
                <h1>\(escape(title))</h1>
                <p class="lede" id="message">\(escape(message))</p>
            """
        if let link { html += "\n    <p><a href=\"\(escape(link.href))\">\(escape(link.text))</a></p>" }
        html += "\n  </main>\n</body>\n</html>\n"
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Text made safe for HTML content and attribute values.
    static func escape(_ text: String) -> String { HTMLText.escaped(text) }

    /// A redirect: `302 Found` for GET, `303 See Other` after a POST.
    static func redirect(_ location: String, after method: HTTPRequest.Method, cookies: [SetCookie] = []) -> Response {
        var response = Response(
            status: method == .post ? .seeOther : .found, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }
}

