import Foundation
import SQLKit
import WebAuthn

extension Schema {
    /// Migration 6: how each session's person signed in, carried on to the OpenID Provider's codes
    /// and tokens (the ID token's `amr`). Rows from before have none; they read as
    /// ``SignInMethod/legacy(credentialID:recovery:)`` says.
    static func addSignInMethod(_ db: any SQLDatabase) async throws {
        // One column per statement: SQLite alters one column at a time.
        for table in ["sessions", "oauth_codes", "oauth_tokens"] {
            try await db.alter(table: table).column("sign_in_method", type: .text).run()
        }
    }
}

extension SignInMethod {
    /// The method of a row written before migration 6. A session opened by a passkey names it and
    /// a recovery session was opened by a mailed code; any other was a password sign-in. Codes and
    /// tokens were all issued to passkey sessions then (the only `amr` there was).
    static func legacy(credentialID: CredentialID?, recovery: Bool) -> SignInMethod {
        if credentialID != nil { return .passkey }
        return recovery ? .emailCode : .password
    }
}

extension RowReader {
    /// The `sign_in_method` column: `nil` for a row from before migration 6.
    func signInMethod() throws -> SignInMethod? {
        guard let name = try optionalString("sign_in_method") else { return nil }
        guard let method = SignInMethod(rawValue: name) else {
            throw StoreError.failure("column sign_in_method holds an unknown method \(name)")
        }
        return method
    }
}
