import Foundation

extension PasskeyServerConfiguration {
    /// Checks `--allowed-redirect-host` and `--cookie-domain`.
    func validateForwardAuth() throws(ConfigurationError) {
        for host in allowedRedirectHosts where !RedirectPolicy.isAllowedHostEntry(host) {
            throw ConfigurationError("--allowed-redirect-host \(host) is not a host name or host:port (no scheme, path or wildcard)")
        }
        guard let cookieDomain else { return }
        guard RedirectPolicy.isHostName(cookieDomain), cookieDomain.contains(where: \.isLetter),
              !cookieDomain.hasSuffix(".")
        else {
            throw ConfigurationError("--cookie-domain \(cookieDomain) is not a domain name such as example.com (lower case, no leading dot)")
        }
        // A browser refuses a cookie whose Domain does not cover the page that sets it.
        for origin in effectiveOrigins {
            guard let host = URLComponents(string: origin)?.host?.lowercased() else { continue }
            guard host == cookieDomain || host.hasSuffix("." + cookieDomain) else {
                throw ConfigurationError("--cookie-domain \(cookieDomain) does not cover the origin \(origin): use its host or a parent domain of it")
            }
        }
    }
}
