/// The passkey client core: signing up, signing in and managing passkeys, written once as a pure
/// state machine that every client shares (a command line, an iOS or macOS app, a browser through
/// WebAssembly).
///
/// ```swift
/// var state = Auth.State.initial
/// let effects = Auth.update(&state, .view(.signUp(username: "ada@example.com")))
/// // effects == [.api(.registrationOptions(username: "ada@example.com", displayName: nil)), .render]
/// let model = Auth.view(state)
/// ```
///
/// ``update(_:_:)`` takes the current ``State`` and one ``Event`` — a person's intent
/// (``Event/view(_:)``) or the result of an effect (``Event/api(_:)``, ``Event/passkey(_:)``) — and
/// returns the ``Effect``s a shell performs: a request to the server's HTTP API, a request to the
/// platform's passkey provider, or a new ``ViewModel`` to show. It does no I/O, reads no clock and
/// keeps nothing between calls, so a test gives it events and checks the exact effects and the next
/// state.
///
/// The core uses nothing but the Swift standard library (no Foundation, no `Codable`, no
/// existentials, no reflection) so that the same sources compile with Embedded Swift for
/// WebAssembly. JSON lives in the shell: what the core only hands from the server to the
/// authenticator and back stays opaque UTF-8 text (``CreationOptionsJSON`` and friends).
public enum Auth {}
