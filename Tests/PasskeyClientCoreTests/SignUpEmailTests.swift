import PasskeyClientCore
import Testing

/// A sign-up from a web form's email field: the username must be an email address as the HTML
/// standard defines one for `<input type=email>`, checked before the server is asked.
@Suite("Signing up with an email address")
struct SignUpEmailTests {
    static func signUp(_ username: String) -> (effects: [Effect], state: State) {
        var state = Fixture.signedOut()
        let effects = Auth.update(&state, .view(.signUp(username: username, email: true)))
        return (effects, state)
    }

    @Test("an email address goes to the server", arguments: [
        "ada@example.com", "a.b+c@mail.example.co.uk", "x@localhost", "o'brien@example.com", "ADA@EXAMPLE.COM", "a@b-c.d",
    ])
    func accepted(_ address: String) {
        let (effects, state) = Self.signUp(address)
        #expect(effects == [.api(.registrationOptions(username: address, displayName: nil)), .render])
        #expect(state == .signingUp(Auth.SignUp(username: address, step: .requestingOptions)))
    }

    @Test("anything else is refused without a request", arguments: [
        "not an email", "ada", "@example.com", "ada@", "ada@@example.com", "ada@example..com", "ada@-example.com",
        "ada@example-.com", "ada@.example.com", "ada@example.com.", "a da@example.com", "ada@exa_mple.com", "adä@example.com",
        "ada@" + String(repeating: "a", count: 64) + ".com",
    ])
    func refused(_ text: String) {
        let (effects, state) = Self.signUp(text)
        #expect(effects == [.render])
        #expect(state == Fixture.signedOut(.invalidEmail))
    }

    @Test("an empty email field asks for the email first")
    func empty() {
        let (effects, state) = Self.signUp("")
        #expect(effects == [.render])
        #expect(state == Fixture.signedOut(.emailRequired))
        #expect(Auth.view(state).problem == "Type your email first, then choose Create account.")
    }

    @Test("a label of 63 characters is an email address's longest")
    func longestLabel() {
        let address = "ada@" + String(repeating: "a", count: 63) + ".com"
        #expect(Self.signUp(address).effects == [.api(.registrationOptions(username: address, displayName: nil)), .render])
    }

    @Test("without the email rule, any username goes to the server")
    func usernames() {
        var state = Fixture.signedOut()
        #expect(Auth.update(&state, .view(.signUp(username: "ada"))) == [.api(.registrationOptions(username: "ada", displayName: nil)), .render])
    }
}
