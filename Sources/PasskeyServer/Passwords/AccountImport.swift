import Foundation
import PasskeyStore
import WebAuthn

/// Imports accounts from another system: JSON Lines of
/// `{"username", "displayName"?, "passwordHash"?, "emailVerified"?}` (docs/migration.md).
///
/// Each line is one account, checked whole before anything of it is stored: a line with an unknown
/// field, a refused or too costly hash, a bad name or a username that exists is reported with its
/// number and stores nothing; the other lines are imported.
public struct AccountImport: Sendable {
    /// One line that was not imported.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// 1-based.
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// What an import did.
    public struct Report: Sendable, Hashable {
        public var imported = 0
        public var withPassword = 0
        public var failures: [Failure] = []
        /// Lines with nothing but white space, skipped.
        public var blank = 0
    }

    static let fields: Set<String> = ["username", "displayName", "passwordHash", "emailVerified"]

    let store: any PasskeyStore
    let now: @Sendable () -> Date

    public init(store: any PasskeyStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    /// Imports every line of `text`.
    public func run(_ text: String) async throws -> Report {
        var report = Report()
        // A line ends at LF or CRLF (a file written on Windows): in a Swift string CRLF is one
        // character, which a split on "\n" alone would never find.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                report.blank += 1
                continue
            }
            do {
                let (user, hash) = try parse(trimmed)
                // The account and its event, in one transaction.
                try await store.importUser(
                    user, passwordHash: hash?.encoded,
                    audit: AuditEvent(
                        userID: user.id, kind: "account_imported",
                        detail: hash.map { "imported with a \($0.kind.rawValue) password" } ?? "imported without a password",
                        at: now()))
                report.imported += 1
                if hash != nil { report.withPassword += 1 }
            } catch let error as ImportLineError {
                report.failures.append(Failure(line: index + 1, reason: error.reason))
            } catch let error as StoreError where error.code == .usernameTaken {
                report.failures.append(Failure(line: index + 1, reason: "an account with this username exists"))
            }
        }
        return report
    }

    /// One line's fields.
    struct Line: Decodable {
        var username: String
        var displayName: String?
        var passwordHash: String?
        var emailVerified: Bool?
    }

    /// One line as an account and its checked hash.
    func parse(_ line: String) throws(ImportLineError) -> (UserRecord, PasswordHash?) {
        let data = Data(line.utf8)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ImportLineError("not a JSON object")
        }
        // The API's rule for JSON (RFC 8259, no member twice): a line that names a field twice
        // would otherwise import whichever value the parser kept.
        do {
            try StrictJSON.validate(Array(line.utf8))
        } catch {
            throw ImportLineError("not strict JSON: \(error)")
        }
        let unknown = Set(object.keys).subtracting(Self.fields).sorted()
        guard unknown.isEmpty else {
            throw ImportLineError(
                "unknown field \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (known: username, displayName, passwordHash, emailVerified)")
        }
        let fields: Line
        do {
            fields = try JSONDecoder().decode(Line.self, from: data)
        } catch {
            throw ImportLineError("username must be a string, displayName and passwordHash strings, emailVerified true or false")
        }
        let username: String
        let displayName: String
        do {
            username = try NameRules.username(fields.username)
            displayName = try NameRules.name(fields.displayName ?? username, what: "display name")
        } catch let error as APIError {
            throw ImportLineError(error.message)
        } catch {
            throw ImportLineError("\(error)")
        }
        var hash: PasswordHash?
        if let text = fields.passwordHash {
            do {
                hash = try PasswordHash(text)
            } catch {
                throw ImportLineError(error.reason)
            }
        }
        let user = UserRecord(
            id: .random(), username: username, displayName: displayName, createdAt: now(),
            emailVerified: fields.emailVerified ?? false)
        return (user, hash)
    }
}

/// Why one import line was refused.
struct ImportLineError: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
