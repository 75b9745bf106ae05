/// WebAuthn: a relying-party implementation of W3C Web Authentication Level 3.
///
/// Start with ``RelyingParty``: build a ``RelyingParty/Configuration`` once, then call
/// ``RelyingParty/beginRegistration(user:excludeCredentials:mediation:)`` and
/// ``RelyingParty/finishRegistration(response:ceremony:)`` to add a passkey, and
/// ``RelyingParty/beginAuthentication(allowCredentials:userHandle:)`` and
/// ``RelyingParty/finishAuthentication(response:ceremony:credential:)`` to sign in.
/// Every failure is a ``WebAuthnError`` with a stable code.
public enum WebAuthnLibrary {
    /// The WebAuthn level whose relying-party operations (§7) this library implements.
    public static let specification = "W3C Web Authentication Level 3"
}
