import Foundation
import Hummingbird

extension StaticFiles {
    /// A file's gzip encoding, made when the module is built (wasm/build.sh), so the server
    /// compresses nothing at run time.
    struct Compressed: Sendable {
        let body: ByteBuffer
        /// Its own validator: the two encodings are different representations (RFC 9110 §8.8.3).
        let eTag: String
    }

    /// Moves each `X.gz` that has an `X` beside it onto `X` as its gzip encoding; it is no longer
    /// served at a path of its own.
    static func attachCompressedVariants(to files: inout [String: File]) {
        for (path, compressed) in files where path.hasSuffix(".gz") {
            let original = String(path.dropLast(3))
            guard files[original] != nil else { continue }
            files[original]?.gzipped = Compressed(body: compressed.body, eTag: compressed.eTag)
            files[path] = nil
        }
    }

    /// Whether `Accept-Encoding` takes gzip (RFC 9110 §12.5.3): named, or `*`, without `q=0`.
    static func acceptsGzip(_ request: Request) -> Bool {
        var accepted = false
        for item in request.headers[values: .acceptEncoding].flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let refused = parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").range(of: #"^q=0(\.0{0,3})?$"#, options: .regularExpression) != nil }
            if coding == "*" {
                accepted = accepted || !refused
            } else {
                return !refused
            }
        }
        return accepted
    }

    /// A file that has a gzip encoding: that one when the client takes it, the plain one otherwise,
    /// both with `Vary: Accept-Encoding` so caches keep them apart.
    static func respond(_ gzipped: Compressed, of file: File, to request: Request) -> Response {
        let compressed = acceptsGzip(request)
        let eTag = compressed ? gzipped.eTag : file.eTag
        let body = compressed ? gzipped.body : file.body
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: eTag, .cacheControl: "no-cache", .vary: "Accept-Encoding",
        ]
        if compressed { headers[.contentEncoding] = "gzip" }
        let matches = request.headers[values: .ifNoneMatch]
            .flatMap { $0.split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces) == eTag || $0.trimmingCharacters(in: .whitespaces) == "*" }
        if matches {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
