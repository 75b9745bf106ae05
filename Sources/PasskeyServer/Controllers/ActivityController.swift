import Foundation
import Hummingbird
import Logging
import PasskeyStore
import WebAuthn

/// The signed-in account's activity log: `GET /api/account/activity`, newest first, in pages.
///
/// `?limit=N` (1 to 100, default 20) sets the page size; `?before=CURSOR` (the `next` of the page
/// before) continues after it. `next` is `null` on the last page.
struct ActivityController {
    typealias Context = PasskeyRequestContext

    let services: ServerServices

    static let defaultPageSize = 20
    static let maximumPageSize = 100

    /// One event as the API shows it. `passkeyId` is left out when no passkey was concerned.
    struct EventJSON: Encodable, Equatable {
        var type: String
        var at: Date
        var ip: String?
        var userAgent: String?
        var passkeyId: String?

        enum CodingKeys: String, CodingKey {
            case type, at, ip, userAgent, passkeyId
        }

        init(_ event: AuditEvent) {
            self.type = event.kind.rawValue
            self.at = event.at
            self.ip = event.ip
            self.userAgent = event.userAgent
            self.passkeyId = event.credentialID?.base64URL
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(at, forKey: .at)
            try container.encode(ip, forKey: .ip)
            try container.encode(userAgent, forKey: .userAgent)
            try container.encodeIfPresent(passkeyId, forKey: .passkeyId)
        }
    }

    struct Page: Encodable {
        var events: [EventJSON]
        /// The cursor of the next page, or `null` when this is the last.
        var next: String?

        enum CodingKeys: String, CodingKey {
            case events, next
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(events, forKey: .events)
            try container.encode(next, forKey: .next)
        }
    }

    var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get(use: activity)
        return routes
    }

    @Sendable func activity(_ request: Request, context: Context) async throws -> Response {
        let signedIn = try await services.sessions.require(request, allowRecovery: true)
        let query = request.uri.queryParameters
        var limit = Self.defaultPageSize
        if let text = query["limit"] {
            guard let value = Int(text), (1...Self.maximumPageSize).contains(value) else {
                throw APIError.malformed("limit must be a whole number from 1 to \(Self.maximumPageSize)")
            }
            limit = value
        }
        var before: AuditEvent.Cursor?
        if let text = query["before"] {
            guard let cursor = Self.cursor(String(text)) else { throw APIError.malformed("before is not a cursor this server gave") }
            before = cursor
        }
        // One more than the page, to know whether another page follows.
        let events = try await services.store.auditEvents(userID: signedIn.user.id, limit: limit + 1, before: before)
        let page = Array(events.prefix(limit))
        let next = events.count > limit ? page.last.map { Self.cursorText($0.cursor) } : nil
        return try ServerServices.json(Page(events: page.map(EventJSON.init), next: next))
    }

    /// A cursor as text: the moment's exact bits and the event ID, base64url.
    static func cursorText(_ cursor: AuditEvent.Cursor) -> String {
        var bytes = withUnsafeBytes(of: cursor.at.timeIntervalSince1970.bitPattern.bigEndian) { Array($0) }
        bytes += withUnsafeBytes(of: cursor.id.uuid) { Array($0) }
        return Base64URL.encode(bytes)
    }

    static func cursor(_ text: String) -> AuditEvent.Cursor? {
        guard let bytes = Base64URL.decode(text), bytes.count == 24 else { return nil }
        let bits = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let seconds = Double(bitPattern: bits)
        // Only a moment the store can hold (microseconds since 1970, up to the year 9999): the
        // server writes no other, and another would fail in the store rather than be refused here.
        guard seconds.isFinite, seconds >= 0, seconds <= 253_402_300_799 else { return nil }
        let id = Array(bytes[8..<24])
        let uuid = UUID(uuid: (
            id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]
        ))
        return AuditEvent.Cursor(at: Date(timeIntervalSince1970: seconds), id: uuid)
    }
}

extension ServerServices {
    /// Appends an event to the account's activity log. The change it records is made already, so a
    /// failure to write it is logged as an error and does not fail the request.
    func recordActivity(
        _ kind: AuditEvent.Kind, userID: UserHandle?, client: ClientDetails?, credentialID: CredentialID? = nil,
        detail: String = "", logger: Logger
    ) async {
        let event = activityEvent(kind, userID: userID, client: client, credentialID: credentialID, detail: detail)
        do {
            try await store.appendAudit(event)
        } catch {
            logger.error(
                "the activity log could not be written",
                metadata: ["kind": .string(kind.rawValue), "error": .string(String(describing: error))])
        }
    }

    /// An event for the account's activity log, happening now; for an operation that stores it
    /// with the change it records (``recordActivity(_:userID:client:credentialID:detail:logger:)``
    /// stores one on its own).
    func activityEvent(
        _ kind: AuditEvent.Kind, userID: UserHandle?, client: ClientDetails?, credentialID: CredentialID? = nil,
        detail: String = ""
    ) -> AuditEvent {
        AuditEvent(
            userID: userID, kind: kind, detail: detail, at: now(), ip: client?.ip, userAgent: client?.userAgent,
            credentialID: credentialID)
    }
}
