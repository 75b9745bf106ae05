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
    /// Forward-auth's answer: who the signed-in person is.
    static let remoteUser = Self("Remote-User")!
    static let remoteEmail = Self("Remote-Email")!
    static let remoteName = Self("Remote-Name")!
}
