// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "swift-passkeys",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "PasskeyCBOR", targets: ["PasskeyCBOR"]),
        .library(name: "WebAuthn", targets: ["WebAuthn"]),
        .library(name: "SoftwareAuthenticator", targets: ["SoftwareAuthenticator"]),
        .library(name: "PasskeyStore", targets: ["PasskeyStore"]),
        .library(name: "OpenIDProvider", targets: ["OpenIDProvider"]),
        .library(name: "PasskeyMail", targets: ["PasskeyMail"]),
        .library(name: "PasskeyServer", targets: ["PasskeyServer"]),
        .library(name: "PasskeyClientCore", targets: ["PasskeyClientCore"]),
        .library(name: "PasskeyClient", targets: ["PasskeyClient"]),
        .executable(name: "passkeys", targets: ["passkeys"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(name: "PasskeyCBOR", swiftSettings: strict),
        // ML-DSA-44 from the BoringSSL inside swift-crypto (its Swift API has only ML-DSA-65/87);
        // _CryptoExtras builds that BoringSSL on every platform, Crypto only where CryptoKit is absent.
        .target(name: "CPasskeyMLDSA", dependencies: [.product(name: "_CryptoExtras", package: "swift-crypto")]),
        // ChaCha20-Poly1305 from the same BoringSSL with the key set up once, for the sealed
        // ceremony cookie (docs/performance.md, lever 31).
        .target(name: "CPasskeyAEAD", dependencies: [.product(name: "_CryptoExtras", package: "swift-crypto")]),
        .target(
            name: "WebAuthn",
            dependencies: [
                "PasskeyCBOR", "CPasskeyMLDSA",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SoftwareAuthenticator",
            dependencies: [
                "WebAuthn", "PasskeyCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PasskeyStore",
            dependencies: [
                "WebAuthn",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OpenIDProvider",
            dependencies: [
                "PasskeyStore", "WebAuthn",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PasskeyMail",
            dependencies: [
                "PasskeyClientCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PasskeyServer",
            dependencies: [
                "WebAuthn", "PasskeyStore", "OpenIDProvider", "PasskeyMail", "PasskeyClientCore", "CPasskeyAEAD",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Public"), .copy("openapi.json")],
            swiftSettings: strict
        ),
        // The client core: the standard library only (it also compiles with Embedded Swift for WebAssembly).
        .target(name: "PasskeyClientCore", swiftSettings: strict),
        .target(name: "PasskeyClient", dependencies: ["PasskeyClientCore", "WebAuthn"], swiftSettings: strict),
        .executableTarget(
            name: "passkeys",
            dependencies: [
                "WebAuthn", "SoftwareAuthenticator", "PasskeyStore", "PasskeyServer", "PasskeyMail",
                "PasskeyClient", "PasskeyClientCore", "OpenIDProvider",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PasskeyCBORTests",
            dependencies: [
                "PasskeyCBOR",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "WebAuthnTests",
            dependencies: [
                "WebAuthn", "SoftwareAuthenticator", "PasskeyCBOR",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: [
                "WebAuthn", "PasskeyCBOR",
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(
            name: "PasskeyStoreTests",
            dependencies: [
                "PasskeyStore", "WebAuthn", .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"), .product(name: "PostgresKit", package: "postgres-kit"),
            ]
        ),
        .testTarget(name: "PasskeyClientCoreTests", dependencies: ["PasskeyClientCore"]),
        .testTarget(
            name: "PasskeyClientTests",
            dependencies: [
                "PasskeyClient", "PasskeyClientCore", "PasskeyServer", "PasskeyStore", "WebAuthn", "SoftwareAuthenticator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "PasskeyMailTests",
            dependencies: [
                "PasskeyMail", "PasskeyClientCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .testTarget(
            name: "PasskeyServerTests",
            dependencies: [
                "PasskeyServer", "PasskeyStore", "PasskeyMail", "WebAuthn", "SoftwareAuthenticator", "OpenIDProvider",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
    ]
)
