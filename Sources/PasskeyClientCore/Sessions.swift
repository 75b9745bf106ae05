extension Auth {
    /// A session of the account: a browser or app signed in to it (docs/api.md, "Session").
    public struct SessionInfo: Equatable, Sendable {
        /// Names the session; it does not sign anyone in.
        public var id: String
        /// ISO-8601 UTC.
        public var createdAt: String
        /// ISO-8601 UTC.
        public var lastSeenAt: String
        public var ip: String?
        public var userAgent: String?
        /// The passkey the session was opened with, if one was.
        public var passkeyID: PasskeyID?
        /// The session of the request that listed it: this browser or app.
        public var current: Bool

        public init(
            id: String, createdAt: String, lastSeenAt: String, ip: String? = nil, userAgent: String? = nil,
            passkeyID: PasskeyID? = nil, current: Bool = false
        ) {
            self.id = id
            self.createdAt = createdAt
            self.lastSeenAt = lastSeenAt
            self.ip = ip
            self.userAgent = userAgent
            self.passkeyID = passkeyID
            self.current = current
        }
    }

    /// One entry of the account's activity log (docs/api.md, "Event").
    public struct ActivityEntry: Equatable, Sendable {
        /// `sign_in`, `passkey_added`, …; a type the core does not know is shown as it is.
        public var type: String
        /// ISO-8601 UTC.
        public var at: String
        public var ip: String?
        public var userAgent: String?
        /// The passkey concerned, if one was.
        public var passkeyID: PasskeyID?

        public init(type: String, at: String, ip: String? = nil, userAgent: String? = nil, passkeyID: PasskeyID? = nil) {
            self.type = type
            self.at = at
            self.ip = ip
            self.userAgent = userAgent
            self.passkeyID = passkeyID
        }
    }

    /// A page of the activity log, newest first, and the cursor of the next (older) page.
    public struct ActivityPage: Equatable, Sendable {
        public var events: [ActivityEntry]
        /// `nil` on the last page.
        public var next: String?

        public init(events: [ActivityEntry], next: String? = nil) {
            self.events = events
            self.next = next
        }
    }
}

extension Auth {
    /// An app the person allowed to sign them in with the account (OpenID Connect consent).
    public struct AppAccess: Equatable, Sendable {
        /// The app's OAuth client ID.
        public var clientID: String
        public var name: String
        /// The scopes allowed (`openid`, `profile`, `email`).
        public var scopes: [String]
        /// ISO-8601 UTC.
        public var grantedAt: String

        public init(clientID: String, name: String, scopes: [String], grantedAt: String) {
            self.clientID = clientID
            self.name = name
            self.scopes = scopes
            self.grantedAt = grantedAt
        }
    }
}

extension Auth.AppAccess {
    /// `{"clientId", "name", "scopes", "grantedAt"}` (docs/api.md, `GET /api/oidc/apps`).
    init?(json: Auth.JSON) {
        guard let clientID = json["clientId"]?.string, let name = json["name"]?.string,
              let items = json["scopes"]?.array, let grantedAt = json["grantedAt"]?.string
        else { return nil }
        let scopes = items.compactMap { $0.string }
        guard scopes.count == items.count else { return nil }
        self.init(clientID: clientID, name: name, scopes: scopes, grantedAt: grantedAt)
    }
}

extension Auth.SessionInfo {
    /// docs/api.md, "Session"; `null` and missing are the same for the optional members.
    init?(json: Auth.JSON) {
        guard let id = json["id"]?.string, let createdAt = json["createdAt"]?.string,
              let lastSeenAt = json["lastSeenAt"]?.string, let current = json["current"]?.bool
        else { return nil }
        self.init(
            id: id, createdAt: createdAt, lastSeenAt: lastSeenAt, ip: json["ip"]?.string,
            userAgent: json["userAgent"]?.string, passkeyID: json["passkeyId"]?.string.map { Auth.PasskeyID($0) },
            current: current)
    }
}

extension Auth.ActivityEntry {
    /// docs/api.md, "Event".
    init?(json: Auth.JSON) {
        guard let type = json["type"]?.string, let at = json["at"]?.string else { return nil }
        self.init(
            type: type, at: at, ip: json["ip"]?.string, userAgent: json["userAgent"]?.string,
            passkeyID: json["passkeyId"]?.string.map { Auth.PasskeyID($0) })
    }
}

extension Auth.ActivityPage {
    /// `{"events": [Event], "next": cursor or null}`.
    init?(json: Auth.JSON) {
        guard let items = json["events"]?.array else { return nil }
        let events = items.compactMap(Auth.ActivityEntry.init(json:))
        guard events.count == items.count else { return nil }
        self.init(events: events, next: json["next"]?.string)
    }
}
