import Foundation
import PasskeyClient
import PasskeyClientCore
import SoftwareAuthenticator
import WebAuthn

/// ``PasskeyProvider`` over the software authenticator, for the command line and the runtime's
/// tests (which compile this same file). It answers at once, as a person who always picks the
/// first passkey that fits would.
actor SoftwarePasskeyProvider: PasskeyProvider {
    /// The authenticator with every credential made so far: save it after each run.
    private(set) var authenticator: SoftwareAuthenticator
    /// The web origin it writes into client data, as a browser on that origin would.
    let origin: String

    init(authenticator: SoftwareAuthenticator, origin: String) {
        self.authenticator = authenticator
        self.origin = origin
    }

    func create(_ json: Auth.CreationOptionsJSON) async -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure> {
        guard !Task.isCancelled else { return .failure(.cancelled) }
        let options: PublicKeyCredentialCreationOptionsJSON
        do {
            options = try PasskeyJSON.creationOptions(json)
        } catch {
            return .failure(.failed("the server's options cannot be read: \(error.reason)"))
        }
        do {
            return .success(PasskeyJSON.credential(try authenticator.register(options: options, origin: origin)))
        } catch {
            return .failure(Self.failure(error))
        }
    }

    func get(_ json: Auth.RequestOptionsJSON, mediation: Auth.Mediation) async -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure> {
        guard !Task.isCancelled else { return .failure(.cancelled) }
        let options: PublicKeyCredentialRequestOptionsJSON
        do {
            options = try PasskeyJSON.requestOptions(json)
        } catch {
            return .failure(.failed("the server's options cannot be read: \(error.reason)"))
        }
        do {
            return .success(PasskeyJSON.credential(try authenticator.authenticate(options: options, origin: origin)))
        } catch {
            return .failure(Self.failure(error))
        }
    }

    /// Forgets a credential the relying party no longer holds, as a credential manager may.
    func signalUnknownCredential(rpID: String, credentialID: String) async {
        guard let bytes = Base64URL.decode(credentialID) else { return }
        let id = CredentialID(uncheckedBytes: bytes)
        if authenticator.credentials.contains(where: { $0.id == id && $0.rpID == rpID }) {
            authenticator.removeCredential(id: id)
        }
    }

    private static func failure(_ error: SoftwareAuthenticatorError) -> Auth.PasskeyFailure {
        switch error.code {
        case .noCredentials: .noCredentials
        case .excludedCredentialExists: .excludedCredentialExists
        default: .failed(error.message)
        }
    }
}
