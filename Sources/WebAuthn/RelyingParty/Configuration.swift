import Crypto
import Foundation

extension RelyingParty {
    /// What the relying party does when a sign-in's signature counter does not increase (§7.2 step 22).
    public enum SignCountPolicy: Sendable, Hashable {
        /// Reject with `sign_count`: the authenticator may have been cloned. The default.
        case reject
        /// Accept, and report it in ``VerifiedAuthentication/signCountRegressed``.
        case allowRegression
    }

    /// The relying party's policy, given once and validated when built.
    public struct Configuration: Sendable {
        /// The RP ID: a registrable domain suffix of (or equal to) the origins' effective domain.
        public let relyingPartyID: String
        /// The name shown by authenticators when a passkey is created.
        public let relyingPartyName: String
        /// Exact origins accepted in client data: `https://example.com`, `http://localhost:8080`,
        /// or `android:apk-key-hash:…` for Android apps.
        public let allowedOrigins: Set<String>
        /// Algorithms offered for new credentials, most preferred first (§7.1 step 19).
        public let algorithms: [COSEAlgorithmIdentifier]
        public let userVerification: UserVerificationRequirement
        public let residentKey: ResidentKeyRequirement
        public let attestation: AttestationConveyancePreference
        public let attestationPolicy: AttestationPolicy
        /// Whether ceremonies may run in a cross-origin iframe (`crossOrigin: true`).
        public let allowCrossOrigin: Bool
        /// When non-empty, the only top-level origins a cross-origin ceremony may run under
        /// (§7.1 step 10, §7.2 step 14). Empty with ``allowCrossOrigin`` means any site may frame
        /// the ceremonies, as a provider embedded everywhere needs; name the sites where you can.
        public let allowedTopOrigins: Set<String>
        public let signCountPolicy: SignCountPolicy
        /// Dangerous: accept authenticator data without the UP flag. For conditional create and
        /// for checking old data only.
        public let dangerouslyAllowMissingUserPresence: Bool
        /// How long the client should wait, in milliseconds.
        public let timeoutMilliseconds: Int
        /// SHA-256 of the RP ID, computed once (§7.1 step 13, §7.2 step 15).
        let relyingPartyIDHash: [UInt8]

        public init(
            relyingPartyID: String,
            relyingPartyName: String,
            allowedOrigins: [String],
            algorithms: [COSEAlgorithmIdentifier] = COSEAlgorithmIdentifier.recommended,
            userVerification: UserVerificationRequirement = .preferred,
            residentKey: ResidentKeyRequirement = .required,
            attestation: AttestationConveyancePreference = .none,
            attestationPolicy: AttestationPolicy = AttestationPolicy(),
            allowCrossOrigin: Bool = false,
            allowedTopOrigins: [String] = [],
            signCountPolicy: SignCountPolicy = .reject,
            dangerouslyAllowMissingUserPresence: Bool = false,
            timeoutMilliseconds: Int = 300_000
        ) throws(WebAuthnError) {
            func invalid(_ reason: String) -> WebAuthnError { WebAuthnError(.invalidConfiguration, reason) }
            let rpID = relyingPartyID
            guard Self.isValidDomain(rpID) else {
                throw invalid("RP ID \"\(rpID)\" must be a domain name such as example.com or localhost (no scheme, port or path)")
            }
            guard !relyingPartyName.isEmpty else { throw invalid("RP name must not be empty") }
            guard !allowedOrigins.isEmpty else { throw invalid("at least one allowed origin is needed") }
            // An origin has no path; a trailing "/" (as URLs print it) is dropped.
            let allowedOrigins = allowedOrigins.map(Self.normalizedOrigin)
            let allowedTopOrigins = allowedTopOrigins.map(Self.normalizedOrigin)
            for origin in allowedOrigins + allowedTopOrigins {
                guard Self.isValidOrigin(origin) else {
                    throw invalid("\"\(origin)\" is not an origin: use scheme://host[:port] (https, or http for localhost) or android:apk-key-hash:…")
                }
            }
            guard !algorithms.isEmpty else { throw invalid("at least one algorithm is needed") }
            for algorithm in algorithms where !COSEAlgorithmIdentifier.implemented.contains(algorithm) {
                throw invalid("algorithm \(algorithm) is not supported")
            }
            guard timeoutMilliseconds > 0 else { throw invalid("timeout must be positive") }
            self.relyingPartyID = rpID
            self.relyingPartyName = relyingPartyName
            self.allowedOrigins = Set(allowedOrigins)
            self.algorithms = algorithms
            self.userVerification = userVerification
            self.residentKey = residentKey
            self.attestation = attestation
            self.attestationPolicy = attestationPolicy
            self.allowCrossOrigin = allowCrossOrigin
            self.allowedTopOrigins = Set(allowedTopOrigins)
            self.signCountPolicy = signCountPolicy
            self.dangerouslyAllowMissingUserPresence = dangerouslyAllowMissingUserPresence
            self.timeoutMilliseconds = timeoutMilliseconds
            self.relyingPartyIDHash = Array(SHA256.hash(data: Array(rpID.utf8)))
        }

        /// The origin as browsers serialise it (HTML "ASCII serialization of an origin"): lower-case
        /// scheme and host, no default port, no path. Client data carries exactly that form, so a
        /// configured `https://Example.com:443/` must become `https://example.com` to ever match.
        public static func normalizedOrigin(_ origin: String) -> String {
            guard !origin.hasPrefix("android:"), let components = URLComponents(string: origin),
                  let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty,
                  components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
                  components.user == nil, components.password == nil
            else { return origin }
            let defaultPort = scheme == "https" ? 443 : scheme == "http" ? 80 : nil
            let port = components.port.flatMap { $0 == defaultPort ? nil : $0 }
            let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            return "\(scheme)://\(bracketed)" + (port.map { ":\($0)" } ?? "")
        }

        static func isValidDomain(_ host: String) -> Bool {
            guard !host.isEmpty, host.count <= 253, host == host.lowercased() else { return false }
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            return labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        }

        static func isValidOrigin(_ origin: String) -> Bool {
            if origin.hasPrefix("android:apk-key-hash:") {
                return origin.count > "android:apk-key-hash:".count
            }
            guard let components = URLComponents(string: origin), let scheme = components.scheme,
                  let host = components.host, !host.isEmpty,
                  components.path.isEmpty, components.query == nil, components.fragment == nil,
                  components.user == nil
            else { return false }
            switch scheme {
            case "https": return true
            case "http": return host == "localhost" || host.hasSuffix(".localhost") || host == "127.0.0.1" || host == "[::1]"
            default: return false
            }
        }
    }
}
