import Foundation
import Hummingbird
import NIOCore
import WebAuthn

/// The rules every request passes before a handler sees it (``ServerMiddleware`` applies them).
///
/// - The client's address is resolved (``ClientAddress``).
/// - A body over the limit is refused with `413` before it is read in full.
/// - A state-changing request (any method but GET, HEAD, OPTIONS) must carry an `Origin` header
///   naming an allowed origin (`403 forbidden_origin`): with SameSite cookies this stops
///   cross-site request forgery.
/// - A state-changing request with a body must say it is JSON (`403 unsupported_media_type`):
///   HTML forms cannot send that type without a CORS preflight.
/// - A JSON body must be strict RFC 8259 JSON (``StrictJSON``), or `400 malformed`: every
///   endpoint reads the same JSON the same way, whatever decoder it uses. These are rules of the
///   message, so they come before an endpoint's own (`401 unauthenticated` first of those).
///
/// The body is collected here, so handlers read it from memory.
struct RequestGuard: Sendable {
    let allowedOrigins: Set<String>
    let trustedProxies: Set<String>
    let maximumBodySize: Int
    /// Paths that take cross-site form posts and check their callers themselves (the OAuth
    /// endpoints authenticate clients); the `Origin` and JSON rules do not apply to them.
    var crossSitePaths: Set<String> = []

    /// Applies the rules to `request` (whose URI's path is `path`), collecting its body, and
    /// records the client's address in `context`; throws the refusal.
    func admit(_ request: inout Request, path: String, context: inout PasskeyRequestContext) async throws {
        context.maximumBodySize = maximumBodySize
        let fields = Fields(request.headers)
        context.clientAddress = ClientAddress.resolve(
            peer: context.peerAddress,
            forwardedFor: fields.forwardedFor,
            trustedProxies: trustedProxies
        )

        if let declared = fields.contentLength {
            guard let length = Int(declared), length >= 0 else { throw APIError.malformed("Content-Length is not a number") }
            guard length <= maximumBodySize else { throw APIError.payloadTooLarge(maximumBodySize) }
        }
        let changesState = ![.get, .head, .options].contains(request.method) && !crossSitePaths.contains(path)
        if changesState {
            guard let origin = fields.origin, allowedOrigins.contains(origin) else {
                throw APIError.forbiddenOrigin
            }
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodySize)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(maximumBodySize)
        }
        let isJSON = body.readableBytes > 0 && Self.isJSON(fields.contentType)
        if changesState, body.readableBytes > 0, !isJSON {
            throw APIError.unsupportedMediaType
        }
        if isJSON {
            do {
                try StrictJSON.validate(Array(body.readableBytesView))
            } catch {
                throw APIError.malformed("the body is not JSON as RFC 8259 defines it: \(error)")
            }
        }
    }

    /// The fields the rules read, found in one pass over the request's fields (a lookup by name
    /// walks them all and joins the values again each time). A field sent more than once reads
    /// as its values joined with `", "`, as `HTTPFields`' subscript gives it.
    struct Fields {
        var forwardedFor: [String] = []
        var contentLength: String?
        var origin: String?
        var contentType: String?

        init(_ fields: HTTPFields) {
            for field in fields {
                switch field.name {
                case .xForwardedFor: forwardedFor.append(field.value)
                case .contentLength: contentLength = Self.joining(contentLength, field.value)
                case .origin: origin = Self.joining(origin, field.value)
                case .contentType: contentType = Self.joining(contentType, field.value)
                default: continue
                }
            }
        }

        private static func joining(_ earlier: String?, _ value: String) -> String {
            earlier.map { $0 + ", " + value } ?? value
        }
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        var mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while let first = mediaType.first, first == 0x20 || first == 0x09 { mediaType.removeFirst() }
        while let last = mediaType.last, last == 0x20 || last == 0x09 { mediaType.removeLast() }
        // Media types are case-insensitive (RFC 9110 §8.3.1); ASCII letters fold by their 0x20 bit.
        let expected = "application/json".utf8
        return mediaType.count == expected.count
            && zip(mediaType, expected).allSatisfy { $0 == $1 || ($0 | 0x20 == $1 && $1 >= 0x61 && $1 <= 0x7A) }
    }
}
