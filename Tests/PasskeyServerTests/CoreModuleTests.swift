import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import PasskeyServer

/// The client core's WebAssembly module (wasm/build.sh) as the web app serves it: gzipped to
/// clients that take gzip, each encoding with its own validator.
@Suite struct CoreModuleTests {
    static let public_ = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/PasskeyServer/Public")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: public_.appendingPathComponent(name)))
    }

    @Test func theModuleIsServedGzippedToAClientThatTakesGzip() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            let response = try await client.execute(uri: "/core.wasm", method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/wasm")
            #expect(response.headers[.contentEncoding] == "gzip")
            #expect(response.headers[.vary] == "Accept-Encoding")
            #expect(Array(buffer: response.body) == (try Self.bytes("core.wasm.gz")))
            let eTag = try #require(response.headers[.eTag])
            let cached = try await client.execute(
                uri: "/core.wasm", method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: eTag])
            #expect(cached.status == .notModified)
            #expect(cached.body.readableBytes == 0)
        }
    }

    @Test func aClientWithoutGzipGetsThePlainModuleWithAnotherValidator() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            let gzipped = try await client.execute(uri: "/core.wasm", method: .get, headers: [.acceptEncoding: "gzip"])
            for headers: HTTPFields in [[:], [.acceptEncoding: "gzip;q=0"], [.acceptEncoding: "identity"], [.acceptEncoding: "*;q=0, br"]] {
                let plain = try await client.execute(uri: "/core.wasm", method: .get, headers: headers)
                #expect(plain.status == .ok)
                #expect(plain.headers[.contentEncoding] == nil)
                #expect(plain.headers[.vary] == "Accept-Encoding")
                #expect(Array(buffer: plain.body) == (try Self.bytes("core.wasm")))
                #expect(Array(buffer: plain.body).prefix(4) == [0, 0x61, 0x73, 0x6D], "the wasm magic number")
                #expect(plain.headers[.eTag] != gzipped.headers[.eTag])
                // The gzip validator does not revalidate the plain representation.
                var revalidation = headers
                revalidation[.ifNoneMatch] = gzipped.headers[.eTag] ?? ""
                let stale = try await client.execute(uri: "/core.wasm", method: .get, headers: revalidation)
                #expect(stale.status == .ok)
            }
            let star = try await client.execute(uri: "/core.wasm", method: .get, headers: [.acceptEncoding: "*"])
            #expect(star.headers[.contentEncoding] == "gzip")
        }
    }

    @Test func theGzipFileHasNoPathOfItsOwn() async throws {
        try await Harness.run(.sqliteMemory) { _, client in
            let response = try await client.execute(uri: "/core.wasm.gz", method: .get)
            #expect(response.status == .notFound)
        }
    }

    @Test func theModuleIsWithinItsSizeBudget() throws {
        #expect(try Self.bytes("core.wasm").count <= 400 * 1024)
    }
}
