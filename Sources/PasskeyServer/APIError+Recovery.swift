import Hummingbird

extension APIError {
    // MARK: Email verification, recovery and passwords

    /// A recovery session tried something other than reading the account or adding a passkey.
    static let recoverySession = APIError(
        .forbidden, "recovery_session", "this recovery session can only add a passkey: add one first")
    /// A wrong, used, expired or exhausted code: the same answer for each, so none can be told apart.
    static let invalidCode = APIError(.badRequest, "invalid_code", "the code is wrong or no longer valid: ask for a new one")
    /// Unknown user, no password or wrong password: one answer for all three.
    static let invalidCredentials = APIError(.unauthorized, "invalid_credentials", "the username or password is wrong")
    /// Removing the password would leave the account without a way to sign in.
    static let noPasskey = APIError(.conflict, "no_passkey", "add a passkey before removing the password")
    /// The account has no password to remove.
    static let noPassword = APIError(.notFound, "no_password", "this account has no password")
    /// The address is verified already.
    static let emailAlreadyVerified = APIError(.conflict, "email_verified", "the email address is verified already")
    /// Forward-auth for an account whose address is not confirmed yet: the apps behind the proxy
    /// take the address as the person's.
    static let emailUnverified = APIError(
        .forbidden, "email_unverified", "confirm your email address with the mailed code first")
    static func invalidEmail(_ message: String) -> APIError { APIError(.badRequest, "invalid_email", message) }
}
