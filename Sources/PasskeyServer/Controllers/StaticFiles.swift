import Crypto
import Foundation
import Hummingbird
import WebAuthn

/// The web app (`Public/`), read into memory at start-up and served with validators.
///
/// `/` is `index.html` and `/account` is `account.html`; every other file is served at its path.
/// The set of files is fixed when the server starts, so a request can never name anything else.
struct StaticFiles: Sendable {
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
        let eTag: String
        /// The same file gzipped (`X.gz` beside `X` in the folder), for clients that accept it.
        var gzipped: Compressed?
    }

    typealias Context = PasskeyRequestContext

    /// Files by URL path (`/app.css`, `/js/core-shell.js`).
    let files: [String: File]

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "json": "application/json; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
        "ico": "image/x-icon",
        "webmanifest": "application/manifest+json",
        "txt": "text/plain; charset=utf-8",
        "wasm": "application/wasm",
    ]

    /// The bundled web app's folder.
    static var bundledDirectory: URL? {
        Bundle.module.url(forResource: "Public", withExtension: nil)
    }

    /// Reads every file under `directory`.
    static func load(from directory: URL) throws(ConfigurationError) -> StaticFiles {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { throw ConfigurationError("cannot read the web app folder \(directory.path)") }
        var files: [String: File] = [:]
        for case let url as URL in enumerator {
            let resolved = url.standardizedFileURL.resolvingSymlinksInPath()
            guard (try? resolved.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            guard resolved.path.hasPrefix(root.path + "/") else { continue }
            let relative = String(resolved.path.dropFirst(root.path.count))
            let data: Data
            do {
                data = try Data(contentsOf: resolved)
            } catch {
                throw ConfigurationError("cannot read \(resolved.path): \(error.localizedDescription)")
            }
            let digest = SHA256.hash(data: data)
            files[relative] = File(
                body: ByteBuffer(bytes: data),
                contentType: contentTypes[resolved.pathExtension.lowercased()] ?? "application/octet-stream",
                eTag: "\"" + hexString(Array(digest).prefix(16)) + "\"")
        }
        attachCompressedVariants(to: &files)
        guard files["/index.html"] != nil else {
            throw ConfigurationError("the web app folder \(directory.path) has no index.html")
        }
        return StaticFiles(files: files)
    }

    /// Routes for every file, and the two pages at their clean paths.
    func addRoutes(to router: Router<Context>) {
        var routes = files.map { ($0.key, $0.value) }
        if let index = files["/index.html"] { routes.append(("/", index)) }
        if let account = files["/account.html"] { routes.append(("/account", account)) }
        for (path, file) in routes {
            router.get(RouterPath(path)) { request, _ in Self.respond(file, to: request) }
        }
    }

    static func respond(_ file: File, to request: Request) -> Response {
        if let gzipped = file.gzipped {
            return respond(gzipped, of: file, to: request)
        }
        var headers: HTTPFields = [
            .contentType: file.contentType, .eTag: file.eTag, .cacheControl: "no-cache",
        ]
        let matches = request.headers[values: .ifNoneMatch]
            .flatMap { $0.split(separator: ",") }
            .contains { $0.trimmingCharacters(in: .whitespaces) == file.eTag || $0.trimmingCharacters(in: .whitespaces) == "*" }
        if matches {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(file.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.body))
    }
}
