import ArgumentParser
import Crypto
import Foundation
import SoftwareAuthenticator
import WebAuthn

/// `passkeys bench`: what a sign-in costs, in this process (`verify`, the default), against a
/// running server (`http`) and in the store (`store`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure what a sign-in costs (build with -c release).",
        discussion: """
            Without a subcommand it runs `bench verify`: sign-in verification in this process next to \
            the bare signature check. `bench http` drives a running server with whole ceremonies; \
            `bench store` (also `bench-store`) times the store's per-request operations.
            """,
        subcommands: [BenchVerifyCommand.self, BenchHTTPCommand.self, BenchStoreSubcommand.self],
        defaultSubcommand: BenchVerifyCommand.self
    )
}

/// `passkeys bench [verify]`: how much a verified sign-in costs next to the bare signature check.
struct BenchVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Measure sign-in verification against the bare signature check (build with -c release).",
        discussion: """
            Verifies the same ES256 sign-in many times: once as the bare ECDSA check of the signature, \
            once from the raw JSON bytes a browser posts to a verified sign-in (JSON and base64url \
            parsing, client data, authenticator data, COSE key, every §7.2 check). Prints time per \
            operation and the ratio. Numbers from a debug build are not meaningful.
            """
    )

    @Option(help: "Sign-ins per measurement.")
    var iterations: Int = 5000

    @Option(help: "The algorithm: ES256, EdDSA or RS256.")
    var algorithm: String = "ES256"

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard iterations > 0 else { throw ValidationError("--iterations must be positive") }
        guard Self.algorithms[algorithm.uppercased()] != nil else {
            throw ValidationError("--algorithm must be ES256, EdDSA or RS256")
        }
    }

    static let algorithms: [String: COSEAlgorithmIdentifier] = ["ES256": .es256, "EDDSA": .edDSA, "RS256": .rs256]

    func run() async throws {
        let algorithm = Self.algorithms[algorithm.uppercased()] ?? .es256
        let fixture = try await SignInFixture.make(algorithm: algorithm)
        var failures = 0
        // Rounds of the two alternate, so a slower spell of a shared machine slows both alike;
        // each takes its best round.
        var bare = Double.infinity
        var full = Double.infinity
        for _ in 0..<Self.rounds {
            bare = min(bare, Self.measure(iterations, rounds: 1) { if !fixture.checkSignature() { failures += 1 } })
            full = min(full, Self.measure(iterations, rounds: 1) { if !fixture.verifySignIn() { failures += 1 } })
        }
        guard failures == 0 else {
            FileHandle.standardError.write(Data("bench: \(failures) verifications failed\n".utf8))
            throw ExitCode(1)
        }
        let ratio = full / bare
        if json {
            VerifyOutput.print([
                "algorithm": algorithm.name, "iterations": iterations,
                "signatureMicroseconds": bare * 1e6, "signInMicroseconds": full * 1e6, "ratio": ratio,
            ])
        } else {
            print("\(algorithm.name), \(iterations) sign-ins:")
            print(String(format: "  signature check only      %8.1f µs  (%6.0f/s)", bare * 1e6, 1 / bare))
            print(String(format: "  JSON bytes → verified     %8.1f µs  (%6.0f/s)", full * 1e6, 1 / full))
            print(String(format: "  ratio                     %8.2f", ratio))
        }
    }

    /// Rounds of each measurement.
    static let rounds = 7

    /// Seconds per call of `body`, the best of `rounds` rounds.
    static func measure(_ iterations: Int, rounds: Int = 3, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            for _ in 0..<iterations { body() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            best = min(best, seconds / Double(iterations))
        }
        return best
    }
}

/// One signed sign-in, ready to be checked again and again: the bare signature check and the
/// whole verification from the JSON bytes a browser posts.
struct SignInFixture {
    let relyingParty: RelyingParty
    let ceremony: AuthenticationCeremony
    let credential: StoredCredential
    /// The `AuthenticationResponseJSON` as a browser posts it.
    let body: Data
    let key: COSEPublicKey
    let signature: [UInt8]
    /// authenticatorData ‖ SHA-256(clientDataJSON), what the signature covers (§7.2 step 20).
    let signedData: [UInt8]

    static func make(algorithm: COSEAlgorithmIdentifier) async throws -> SignInFixture {
        let origin = "https://example.com"
        let relyingParty = RelyingParty(configuration: try .init(
            relyingPartyID: "example.com", relyingPartyName: "Bench", allowedOrigins: [origin]))
        // A counter that stays zero lets one assertion be verified again and again.
        var authenticator = try SoftwareAuthenticator(algorithms: [algorithm], signCounter: .alwaysZero)
        let user = UserHandle.random()
        let (creation, registrationCeremony) = relyingParty.beginRegistration(
            user: .init(id: user, name: "bench@example.com", displayName: "Bench"))
        let registration = try await relyingParty.finishRegistration(
            response: try authenticator.register(options: creation, origin: origin), ceremony: registrationCeremony)
        let (request, ceremony) = relyingParty.beginAuthentication(userHandle: user)
        let assertion = try authenticator.authenticate(options: request, origin: origin)
        return SignInFixture(
            relyingParty: relyingParty, ceremony: ceremony,
            credential: StoredCredential(
                id: registration.credentialID, userHandle: user, publicKey: registration.publicKey.rawRepresentation,
                signCount: 0, backupEligible: registration.backupEligible, backedUp: registration.backedUp),
            body: try JSONEncoder().encode(assertion), key: registration.publicKey,
            signature: assertion.response.signature.bytes,
            signedData: assertion.response.authenticatorData.bytes
                + Array(SHA256.hash(data: assertion.response.clientDataJSON.bytes)))
    }

    /// The bare signature check: true when it holds.
    func checkSignature() -> Bool {
        (try? key.verify(signature: signature, for: signedData)) != nil
    }

    /// The whole sign-in from the posted bytes: true when it verifies.
    func verifySignIn() -> Bool {
        do {
            let response = try AuthenticationResponseJSON.parse(body)
            _ = try relyingParty.finishAuthentication(response: response, ceremony: ceremony, credential: credential)
            return true
        } catch {
            return false
        }
    }
}
