import Hummingbird

/// Where a request comes from, as sessions and the activity log keep it: the client address and
/// the `User-Agent`, both only for people to recognise their own devices.
struct ClientDetails: Sendable, Hashable {
    /// The most characters of a `User-Agent` kept.
    static let maximumUserAgentLength = 256

    var ip: String?
    var userAgent: String?

    init(ip: String?, userAgent: String?) {
        self.ip = ip
        self.userAgent = userAgent
    }

    /// The request's client address (as the request guard resolved it) and its `User-Agent`,
    /// cut to ``maximumUserAgentLength`` characters with control characters escaped.
    init(_ request: Request, context: PasskeyRequestContext) {
        self.ip = context.clientAddress
        self.userAgent = request.headers[.userAgent].map {
            String(ServerServices.loggable(String($0.prefix(Self.maximumUserAgentLength))).prefix(Self.maximumUserAgentLength))
        }
    }
}
