/// Why a ``SoftwareAuthenticator`` refused a request: a stable ``Code`` for programs and tests,
/// and a message for people. Two errors are equal when their codes are equal.
///
/// The codes stand for what a browser would report as a `DOMException`: ``Code/noCredentials``
/// and ``Code/unsupportedOption`` for `NotAllowedError`, ``Code/excludedCredentialExists`` for
/// `InvalidStateError`, ``Code/unsupportedAlgorithm`` for `NotSupportedError`,
/// ``Code/invalidOptions`` for `SecurityError` and `TypeError`.
public struct SoftwareAuthenticatorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, machine-readable error code (`snake_case` as text).
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible, Codable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No credential this authenticator holds fits the request (allowCredentials, RP ID).
        public static let noCredentials = Code(rawValue: "no_credentials")
        /// A credential in `excludeCredentials` is one this authenticator holds.
        public static let excludedCredentialExists = Code(rawValue: "excluded_credential_exists")
        /// None of the offered `pubKeyCredParams` is an algorithm this authenticator can use.
        public static let unsupportedAlgorithm = Code(rawValue: "unsupported_algorithm")
        /// The options or the origin cannot be used: an origin that is not one, an RP ID that is
        /// not a suffix of the origin's host.
        public static let invalidOptions = Code(rawValue: "invalid_options")
        /// The options require something this authenticator is configured not to do (user
        /// verification, a discoverable credential).
        public static let unsupportedOption = Code(rawValue: "unsupported_option")
        /// The ``SoftwareAuthenticator/Misbehaviour/replay`` switch is on but no earlier response
        /// of that kind exists.
        public static let nothingToReplay = Code(rawValue: "nothing_to_replay")
        /// Exported authenticator JSON that cannot be read back.
        public static let invalidKeychain = Code(rawValue: "invalid_keychain")
        /// A key could not be generated or could not sign (not expected to happen).
        public static let cryptoFailure = Code(rawValue: "crypto_failure")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: SoftwareAuthenticatorError, rhs: SoftwareAuthenticatorError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
