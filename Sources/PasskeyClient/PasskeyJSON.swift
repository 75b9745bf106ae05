import Foundation
import PasskeyClientCore
import WebAuthn

/// The JSON a ``PasskeyProvider`` reads and writes, as WebAuthn's wire types: for providers that
/// need the options' fields (AuthenticationServices, a software authenticator).
public enum PasskeyJSON {
    /// The creation options the server sent.
    public static func creationOptions(_ json: Auth.CreationOptionsJSON) throws(WebAuthnError) -> PublicKeyCredentialCreationOptionsJSON {
        try WireJSON.decode(PublicKeyCredentialCreationOptionsJSON.self, from: Data(json.utf8))
    }

    /// The request options the server sent.
    public static func requestOptions(_ json: Auth.RequestOptionsJSON) throws(WebAuthnError) -> PublicKeyCredentialRequestOptionsJSON {
        try WireJSON.decode(PublicKeyCredentialRequestOptionsJSON.self, from: Data(json.utf8))
    }

    /// A new credential as the server reads it.
    public static func credential(_ response: RegistrationResponseJSON) -> Auth.RegistrationCredentialJSON {
        Auth.RegistrationCredentialJSON(utf8: Array(encode(response)))
    }

    /// An assertion as the server reads it.
    public static func credential(_ response: AuthenticationResponseJSON) -> Auth.AuthenticationCredentialJSON {
        Auth.AuthenticationCredentialJSON(utf8: Array(encode(response)))
    }

    private static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Wire types hold strings, numbers, Booleans and base64url bytes: encoding cannot fail.
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
