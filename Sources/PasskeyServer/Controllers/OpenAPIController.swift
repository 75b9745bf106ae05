import Foundation
import Hummingbird

/// `GET /api/openapi.json`: the API as an OpenAPI 3.1 document, the file bundled with the server
/// (`Sources/PasskeyServer/openapi.json`). A test holds it to the router: every route is in it.
struct OpenAPIController {
    typealias Context = PasskeyRequestContext

    /// The bundled document, read once.
    static let document: ByteBuffer? = Bundle.module.url(forResource: "openapi", withExtension: "json")
        .flatMap { try? Data(contentsOf: $0) }
        .map { ByteBuffer(bytes: $0) }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get { _, _ in
            guard let document = Self.document else { throw APIError.notFound }
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: document))
        }
        return routes
    }
}
