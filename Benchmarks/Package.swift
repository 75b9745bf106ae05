// swift-tools-version:6.2
// The benchmarks (ordo-one/benchmark), as a package of their own so that building the main
// package never builds or resolves the benchmark tool. Run from this folder:
//   swift package benchmark                      # every benchmark, with percentiles
//   swift package benchmark thresholds check     # fails when a metric regressed past its tolerance
// See ../docs/performance.md.
import PackageDescription

let package = Package(
    name: "swift-passkeys-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-passkeys", path: ".."),
        // MallocInterposer alone: the default traits also ask for a runtime interposer this
        // machine's package mirror does not have.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "PasskeyBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PasskeyCBOR", package: "swift-passkeys"),
                .product(name: "WebAuthn", package: "swift-passkeys"),
                .product(name: "SoftwareAuthenticator", package: "swift-passkeys"),
                .product(name: "PasskeyStore", package: "swift-passkeys"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/PasskeyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
