import Foundation
import PasskeyClient
import PasskeyClientCore
import Synchronization
import Testing

/// The loop itself, with stand-ins for the server and the passkey provider.
@Suite("The runtime loop")
struct AuthClientTests {
    static let options = Auth.RequestOptionsJSON(#"{"challenge":"AAAA"}"#)
    static let assertion = Auth.AuthenticationCredentialJSON(#"{"id":"AQ"}"#)
    static let ada = Auth.User(id: "AQID", username: "ada", displayName: "Ada")

    /// Answers each request with a fixed response and remembers what it was asked.
    final class ScriptedServer: APITransport {
        let asked = Mutex<[Auth.APIRequest]>([])

        func perform(_ request: Auth.APIRequest) async -> Auth.APIResponse {
            asked.withLock { $0.append(request) }
            switch request {
            case .authenticationOptions: return .authenticationOptions(.success(AuthClientTests.options))
            case .authentication: return .authentication(.success(Auth.Session(user: AuthClientTests.ada)))
            case .listPasskeys: return .listPasskeys(.success([]))
            default: return Auth.APIResponse(answering: request, failure: .offline)
            }
        }
    }

    /// A passkey sheet the person never answers: it ends only when cancelled, and then (like a
    /// platform might) still reports a result, which must be dropped.
    final class UnansweredSheet: PasskeyProvider {
        let cancelled = Mutex(false)

        func create(_ options: Auth.CreationOptionsJSON) async -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure> {
            .failure(.cancelled)
        }

        func get(_ options: Auth.RequestOptionsJSON, mediation: Auth.Mediation) async -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure> {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(1)) }
            cancelled.withLock { $0 = true }
            return .success(AuthClientTests.assertion)
        }
    }

    /// Answers at once with an assertion.
    struct InstantPasskey: PasskeyProvider {
        func create(_ options: Auth.CreationOptionsJSON) async -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure> {
            .failure(.cancelled)
        }

        func get(_ options: Auth.RequestOptionsJSON, mediation: Auth.Mediation) async -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure> {
            .success(AuthClientTests.assertion)
        }
    }

    @Test("a sign-in runs every effect and ends signed in once settled")
    func runsEffects() async {
        let server = ScriptedServer()
        let client = AuthClient(state: .signedOut(Auth.SignedOut()), transport: server, passkeys: InstantPasskey())
        let state = await client.run(.signIn(username: "ada"))
        #expect(state == .signedIn(Auth.Account(user: Self.ada, passkeys: [])))
        #expect(server.asked.withLock { $0 } == [.authenticationOptions(username: "ada"), .authentication(Self.assertion), .listPasskeys])
    }

    @Test("the view models stream starts with the current one and follows every render")
    func publishesViewModels() async {
        let client = AuthClient(state: .signedOut(Auth.SignedOut()), transport: ScriptedServer(), passkeys: InstantPasskey())
        let stream = await client.viewModels(bufferingPolicy: .unbounded)
        await client.run(.signIn(username: "ada"))
        var seen: [Auth.ViewModel] = []
        for await model in stream {
            seen.append(model)
            if model.screen == .signedIn, model.canStart { break }
        }
        #expect(seen.map(\.progress) == [
            nil, "Contacting the server…", "Waiting for your passkey: choose one when your device asks.", "Signing in…", "Loading your passkeys…", nil,
        ])
        #expect(seen.last == Auth.ViewModel(
            screen: .signedIn, canStart: true,
            account: Auth.AccountRow(username: "ada", displayName: "Ada", passkeys: [], offers: Auth.AccountOffers(createPasskey: Auth.CreatePasskeyOffer(
                heading: "Create a passkey", text: "Sign in faster and safer next time: create a passkey for this account.",
                button: "Create a passkey")))))
    }

    @Test("cancel stops the passkey request and drops what it answers afterwards")
    func cancelStopsThePasskeyRequest() async throws {
        let sheet = UnansweredSheet()
        let client = AuthClient(state: .signedOut(Auth.SignedOut()), transport: ScriptedServer(), passkeys: sheet)
        let stream = await client.viewModels(bufferingPolicy: .unbounded)
        await client.send(.signIn(username: "ada"))
        for await model in stream where model.canCancel { break }
        await client.send(.cancel)
        await client.settled()
        #expect(sheet.cancelled.withLock { $0 })
        #expect(await client.state == .signedOut(Auth.SignedOut()))
    }

    @Test("an intent that does not apply changes nothing and starts nothing")
    func ignoredIntent() async {
        let server = ScriptedServer()
        let client = AuthClient(state: .signedOut(Auth.SignedOut()), transport: server, passkeys: InstantPasskey())
        #expect(await client.run(.addPasskey) == .signedOut(Auth.SignedOut()))
        #expect(server.asked.withLock { $0 } == [])
    }
}
