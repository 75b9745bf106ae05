import Foundation
import PasskeyClient
import PasskeyClientCore
import SoftwareAuthenticator
import Testing

/// The core's flows through the runtime against the real server application, over HTTP, with
/// the software authenticator as the passkey provider.
@Suite("The runtime against the server")
struct RuntimeFlowTests {
    @Test("sign up, sign out, sign in with and without a username")
    func signUpSignOutSignIn() async throws {
        try await LiveServer.run { server in
            let device = try Device(server: server)
            let account = try await device.signUp("ada@example.com")
            #expect(account.user.username == "ada@example.com")
            #expect(account.user.displayName == "ada@example.com")
            #expect(account.passkeys?.count == 1)
            #expect(account.problem == nil)

            #expect(await device.client.run(.signOut) == .signedOut(Auth.SignedOut()))
            #expect(await device.client.run(.refresh) == .signedOut(Auth.SignedOut()), "no session after signing out")

            let withUsername = await device.client.run(.signIn(username: "ada@example.com"))
            #expect(withUsername.account?.user == account.user)
            #expect(withUsername.account?.passkeys?.map(\.id) == account.passkeys?.map(\.id))
            #expect(withUsername.account?.passkeys?.first?.lastUsedAt != nil)

            #expect(await device.client.run(.signOut) == .signedOut(Auth.SignedOut()))
            let anyPasskey = await device.client.run(.signIn(username: nil))
            #expect(anyPasskey.account?.user == account.user)
        }
    }

    @Test("an app that starts with a saved session is signed in, with its passkeys")
    func sessionSurvivesInCookies() async throws {
        try await LiveServer.run { server in
            let first = try Device(server: server)
            try await first.signUp("ada@example.com")
            let cookies = await first.transport.cookies
            #expect(cookies.cookies["passkeys_session"] != nil)
            #expect(cookies.cookies["passkeys_ceremony"] == nil, "the finished ceremony's cookie is forgotten")

            let later = try Device(server: server, state: .initial, cookies: cookies)
            let state = await later.client.run(.refresh)
            #expect(state.account?.user.username == "ada@example.com")
            #expect(state.account?.passkeys?.count == 1)
        }
    }

    @Test("add a passkey, rename it, delete it; the only passkey cannot be deleted")
    func managePasskeys() async throws {
        try await LiveServer.run { server in
            let device = try Device(server: server)
            let first = try #require(try await device.signUp("ada@example.com").passkeys?.first)

            // A second authenticator (a security key, say) in the same signed-in session: this
            // device's own holds the account's passkey, which the options exclude.
            let securityKey = try Device(server: server, state: .initial, cookies: await device.transport.cookies)
            #expect(await securityKey.client.run(.refresh).account != nil)
            let added = await securityKey.client.run(.addPasskey)
            let passkeys = try #require(added.account?.passkeys)
            #expect(passkeys.count == 2)
            let second = try #require(passkeys.last)
            #expect(second.id != first.id)

            #expect(await device.client.run(.refresh).account?.passkeys?.map(\.id) == [first.id, second.id])
            let renamed = await device.client.run(.renamePasskey(second.id, name: "Work laptop"))
            #expect(renamed.account?.passkeys?.map(\.name) == [first.name, "Work laptop"])

            let deleted = await device.client.run(.deletePasskey(second.id))
            #expect(deleted.account?.passkeys?.map(\.id) == [first.id])

            let last = await device.client.run(.deletePasskey(first.id))
            #expect(last.problem == .lastPasskey)
            #expect(last.account?.passkeys?.map(\.id) == [first.id])
            #expect(await device.client.viewModel.problem == "This is your only passkey. Deleting it would lock you out of your account: add another passkey first.")

            let missing = await device.client.run(.renamePasskey(second.id, name: "Gone"))
            #expect(missing.problem == .passkeyNotFound)
            #expect(missing.account?.passkeys?.map(\.id) == [first.id], "the list is reloaded")
        }
    }

    @Test("the display name can be changed and the account deleted")
    func accountChanges() async throws {
        try await LiveServer.run { server in
            let device = try Device(server: server)
            try await device.signUp("ada@example.com")
            let renamed = await device.client.run(.changeDisplayName("Ada L."))
            #expect(renamed.account?.user.displayName == "Ada L.")
            #expect(await device.client.run(.deleteAccount) == .signedOut(Auth.SignedOut()))
            let again = await device.client.run(.signIn(username: nil))
            #expect(again.problem == .deletedPasskey, "the account's passkeys are gone with it")
            #expect(await device.client.run(.signIn(username: nil)).problem == .noPasskey, "and the authenticator forgot it")
        }
    }

    @Test("a taken username is refused in plain words")
    func usernameTaken() async throws {
        try await LiveServer.run { server in
            try await Device(server: server).signUp("ada@example.com")
            let other = try Device(server: server)
            let state = await other.client.run(.signUp(username: "ada@example.com"))
            #expect(state == .signedOut(Auth.SignedOut(problem: .usernameTaken)))
            #expect(await other.client.viewModel.problem == "An account with that username already exists. Sign in instead, or choose another username.")
        }
    }

    @Test("a deleted passkey is refused, the authenticator forgets it, and the next sign-in uses another")
    func deletedPasskey() async throws {
        try await LiveServer.run { server in
            // One authenticator with two accounts' passkeys: Ada's (older) and Bob's.
            let device = try Device(server: server)
            try await device.signUp("ada@example.com")
            _ = await device.client.run(.signOut)
            try await device.signUp("bob@example.com")
            _ = await device.client.run(.signOut)
            #expect(await device.passkeys.authenticator.credentials.map(\.userName) == ["ada@example.com", "bob@example.com"])

            // Ada's account goes, and her passkey with it; the authenticator still holds it.
            #expect(await device.client.run(.signIn(username: "ada@example.com")).account != nil)
            #expect(await device.client.run(.deleteAccount) == .signedOut(Auth.SignedOut()))

            // The authenticator offers its oldest passkey first: Ada's.
            let refused = await device.client.run(.signIn(username: nil))
            #expect(refused == .signedOut(Auth.SignedOut(problem: .deletedPasskey)))
            #expect(await device.client.viewModel.problem == "That passkey was deleted from its account. Choose another passkey, or sign up again.")
            #expect(await device.passkeys.authenticator.credentials.map(\.userName) == ["bob@example.com"], "told to forget it")

            let signedIn = await device.client.run(.signIn(username: nil))
            #expect(signedIn.account?.user.username == "bob@example.com")
        }
    }

    @Test("a device without a passkey for the account says so")
    func noPasskey() async throws {
        try await LiveServer.run { server in
            try await Device(server: server).signUp("ada@example.com")
            let stranger = try Device(server: server)
            #expect(await stranger.client.run(.signIn(username: "ada@example.com")) == .signedOut(Auth.SignedOut(problem: .noPasskey)))
            #expect(await stranger.client.run(.signIn(username: nil)) == .signedOut(Auth.SignedOut(problem: .noPasskey)))
        }
    }

    @Test("adding a passkey with the authenticator that holds the account's passkey is refused in plain words")
    func passkeyExists() async throws {
        try await LiveServer.run { server in
            let device = try Device(server: server)
            try await device.signUp("ada@example.com")
            let state = await device.client.run(.addPasskey)
            // The options exclude the account's passkeys; this authenticator holds one, so it
            // refuses, as a browser does with InvalidStateError.
            #expect(state.problem == .passkeyExists)
            #expect(state.account?.passkeys?.count == 1)
        }
    }

    @Test("a server that cannot be reached is offline, in plain words")
    func offline() async throws {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let device = try Device(server: try #require(URL(string: "http://127.0.0.1:1")))
        #expect(await device.client.run(.signIn(username: "ada@example.com")) == .signedOut(Auth.SignedOut(problem: .offline)))
        #expect(await device.client.viewModel.problem == "Can’t reach the server. Check your connection and try again.")
    }

    @Test("a session that ended on the server signs the person out with a reason")
    func sessionEnded() async throws {
        try await LiveServer.run { server in
            let device = try Device(server: server)
            try await device.signUp("ada@example.com")
            // The same session ended from a second copy of the cookies.
            let copy = try Device(server: server, state: .initial, cookies: await device.transport.cookies)
            #expect(await copy.client.run(.refresh).account != nil)
            _ = await copy.client.run(.signOut)
            #expect(await device.client.run(.refresh) == .signedOut(Auth.SignedOut(problem: .sessionEnded)))
        }
    }
}
