import HTTPTypes

/// The header names the server uses that HTTPTypes does not name. Each literal is a valid field
/// name, so the initializer cannot fail on them.
extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let xForwardedHost = Self("X-Forwarded-Host")!
    static let xForwardedURI = Self("X-Forwarded-Uri")!
    static let xRequestID = Self("X-Request-ID")!
    /// The account a page acts for (its user ID): a request made with another account's session,
    /// signed in from another tab since, is refused (`409 session_changed`).
    static let passkeysUser = Self("Passkeys-User")!
    /// `Pragma` (RFC 9111 §5.4): OAuth's token answers carry `no-cache` (RFC 6749 §5.1).
    static let pragma = Self("Pragma")!
    /// Forward-auth's answer: who the signed-in person is.
    static let remoteUser = Self("Remote-User")!
    static let remoteEmail = Self("Remote-Email")!
    static let remoteName = Self("Remote-Name")!
}
