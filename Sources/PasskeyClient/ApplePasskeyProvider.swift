#if canImport(AuthenticationServices)
import AuthenticationServices
import Foundation
import PasskeyClientCore
import WebAuthn

/// ``PasskeyProvider`` over AuthenticationServices: passkeys in the platform's credential manager
/// (iCloud Keychain, or another the person chose), passkeys on a nearby phone, and security keys;
/// sign-in requests can wait in the username field's autofill (``Auth/Mediation/conditional``).
///
/// The app needs the associated-domains entitlement `webcredentials:<RP ID>`, served back by the
/// server's `/.well-known/apple-app-site-association` (docs/apple.md).
///
/// CI runs on Linux and cannot build this file: keep it small. Every path through
/// ``AuthorizationRun`` resumes its continuation exactly once.
@MainActor
public final class ApplePasskeyProvider: PasskeyProvider {
    private let presentationAnchor: @MainActor () -> ASPresentationAnchor

    /// - Parameter presentationAnchor: the window the system sheet is shown over.
    public init(presentationAnchor: @escaping @MainActor () -> ASPresentationAnchor) {
        self.presentationAnchor = presentationAnchor
    }

    public func create(_ json: Auth.CreationOptionsJSON) async -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure> {
        let options: PublicKeyCredentialCreationOptionsJSON
        do {
            options = try PasskeyJSON.creationOptions(json)
        } catch {
            return .failure(.failed("the server's options cannot be read: \(error.reason)"))
        }
        guard let rpID = options.rp.id else { return .failure(.failed("the server's options name no relying party")) }
        let challenge = Data(options.challenge.bytes)
        let userID = Data(options.user.id.bytes)
        let excluded = options.excludeCredentials.map { Data($0.id.bytes) }
        let selection = options.authenticatorSelection
        let userVerification = ASAuthorizationPublicKeyCredentialUserVerificationPreference(
            rawValue: (selection?.userVerification ?? .preferred).rawValue)

        let platform = ASAuthorizationPlatformPublicKeyCredentialProvider(relyingPartyIdentifier: rpID)
            .createCredentialRegistrationRequest(challenge: challenge, name: options.user.name, userID: userID)
        platform.displayName = options.user.displayName
        platform.userVerificationPreference = userVerification
        platform.excludedCredentials = excluded.map { ASAuthorizationPlatformPublicKeyCredentialDescriptor(credentialID: $0) }

        let securityKey = ASAuthorizationSecurityKeyPublicKeyCredentialProvider(relyingPartyIdentifier: rpID)
            .createCredentialRegistrationRequest(
                challenge: challenge, displayName: options.user.displayName, name: options.user.name, userID: userID)
        securityKey.credentialParameters = options.pubKeyCredParams.map {
            ASAuthorizationPublicKeyCredentialParameters(algorithm: ASCOSEAlgorithmIdentifier(rawValue: $0.alg.rawValue))
        }
        securityKey.userVerificationPreference = userVerification
        securityKey.residentKeyPreference = ASAuthorizationPublicKeyCredentialResidentKeyPreference(
            rawValue: (selection?.residentKey ?? .preferred).rawValue)
        securityKey.excludedCredentials = excluded.map {
            ASAuthorizationSecurityKeyPublicKeyCredentialDescriptor(credentialID: $0, transports: ASAuthorizationSecurityKeyPublicKeyCredentialDescriptor.Transport.allSupported)
        }

        let run = AuthorizationRun(requests: [platform, securityKey], anchor: presentationAnchor(), convert: Self.registration)
        return await run.perform(autofill: false)
    }

    public func get(
        _ json: Auth.RequestOptionsJSON, mediation: Auth.Mediation
    ) async -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure> {
        let options: PublicKeyCredentialRequestOptionsJSON
        do {
            options = try PasskeyJSON.requestOptions(json)
        } catch {
            return .failure(.failed("the server's options cannot be read: \(error.reason)"))
        }
        guard let rpID = options.rpId else { return .failure(.failed("the server's options name no relying party")) }
        let challenge = Data(options.challenge.bytes)
        let allowed = options.allowCredentials.map { Data($0.id.bytes) }
        let userVerification = ASAuthorizationPublicKeyCredentialUserVerificationPreference(
            rawValue: (options.userVerification ?? .preferred).rawValue)

        let platform = ASAuthorizationPlatformPublicKeyCredentialProvider(relyingPartyIdentifier: rpID)
            .createCredentialAssertionRequest(challenge: challenge)
        platform.allowedCredentials = allowed.map { ASAuthorizationPlatformPublicKeyCredentialDescriptor(credentialID: $0) }
        platform.userVerificationPreference = userVerification
        var requests: [ASAuthorizationRequest] = [platform]
        // Autofill offers platform passkeys only; a modal request also offers security keys.
        if mediation == .modal {
            let securityKey = ASAuthorizationSecurityKeyPublicKeyCredentialProvider(relyingPartyIdentifier: rpID)
                .createCredentialAssertionRequest(challenge: challenge)
            securityKey.allowedCredentials = allowed.map {
                ASAuthorizationSecurityKeyPublicKeyCredentialDescriptor(credentialID: $0, transports: ASAuthorizationSecurityKeyPublicKeyCredentialDescriptor.Transport.allSupported)
            }
            securityKey.userVerificationPreference = userVerification
            requests.append(securityKey)
        }

        let run = AuthorizationRun(requests: requests, anchor: presentationAnchor(), convert: Self.assertion)
        return await run.perform(autofill: mediation == .conditional)
    }

    public func signalUnknownCredential(rpID: String, credentialID: String) async {
        #if compiler(>=6.2)
        if #available(iOS 26.0, macOS 26.0, *), let id = Base64URL.decode(credentialID) {
            // The credential manager may hide or remove it; there is nothing to do if it cannot.
            try? await ASCredentialUpdater().reportUnknownPublicKeyCredential(relyingPartyIdentifier: rpID, credentialID: Data(id))
        }
        #endif
    }

    public func signalAllAcceptedCredentials(rpID: String, userID: String, credentialIDs: [String]) async {
        #if compiler(>=6.2)
        if #available(iOS 26.0, macOS 26.0, *), let user = Base64URL.decode(userID) {
            let accepted = credentialIDs.compactMap(Base64URL.decode).map { Data($0) }
            try? await ASCredentialUpdater().reportAllAcceptedPublicKeyCredentials(
                relyingPartyIdentifier: rpID, userHandle: Data(user), acceptedCredentialIDs: accepted)
        }
        #endif
    }

    public func signalCurrentUserDetails(rpID: String, userID: String, name: String, displayName: String) async {
        #if compiler(>=6.2)
        if #available(iOS 26.0, macOS 26.0, *), let user = Base64URL.decode(userID) {
            // The system's passkey list shows the account's username.
            try? await ASCredentialUpdater().reportPublicKeyCredentialUpdate(
                relyingPartyIdentifier: rpID, userHandle: Data(user), newName: name)
        }
        #endif
    }

    // MARK: Credentials as the server reads them

    private static func registration(_ authorization: ASAuthorization) -> Result<Auth.RegistrationCredentialJSON, Auth.PasskeyFailure> {
        guard let credential = authorization.credential as? any ASAuthorizationPublicKeyCredentialRegistration else {
            return .failure(.failed("the system answered with another kind of credential"))
        }
        guard let attestationObject = credential.rawAttestationObject else {
            return .failure(.failed("the new passkey came without its attestation object"))
        }
        let crossPlatform = credential is ASAuthorizationSecurityKeyPublicKeyCredentialRegistration
            || (credential as? ASAuthorizationPlatformPublicKeyCredentialRegistration)?.attachment == .crossPlatform
        let response = RegistrationResponseJSON(
            rawId: CredentialID(uncheckedBytes: Array(credential.credentialID)),
            response: AuthenticatorAttestationResponseJSON(
                clientDataJSON: Base64URLData(Array(credential.rawClientDataJSON)),
                attestationObject: Base64URLData(Array(attestationObject)),
                transports: crossPlatform ? nil : [.internal, .hybrid]),
            authenticatorAttachment: crossPlatform ? .crossPlatform : .platform)
        return .success(PasskeyJSON.credential(response))
    }

    private static func assertion(_ authorization: ASAuthorization) -> Result<Auth.AuthenticationCredentialJSON, Auth.PasskeyFailure> {
        guard let credential = authorization.credential as? any ASAuthorizationPublicKeyCredentialAssertion else {
            return .failure(.failed("the system answered with another kind of credential"))
        }
        // Imported as implicitly unwrapped: read them as optionals, never force them.
        guard let authenticatorData = credential.rawAuthenticatorData as Data?, let signature = credential.signature as Data? else {
            return .failure(.failed("the assertion came without its authenticator data or signature"))
        }
        let userID = (credential.userID as Data?).flatMap { $0.isEmpty ? nil : UserHandle(uncheckedBytes: Array($0)) }
        let crossPlatform = credential is ASAuthorizationSecurityKeyPublicKeyCredentialAssertion
            || (credential as? ASAuthorizationPlatformPublicKeyCredentialAssertion)?.attachment == .crossPlatform
        let response = AuthenticationResponseJSON(
            rawId: CredentialID(uncheckedBytes: Array(credential.credentialID)),
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: Base64URLData(Array(credential.rawClientDataJSON)),
                authenticatorData: Base64URLData(Array(authenticatorData)),
                signature: Base64URLData(Array(signature)),
                userHandle: userID),
            authenticatorAttachment: crossPlatform ? .crossPlatform : .platform)
        return .success(PasskeyJSON.credential(response))
    }
}

/// One `ASAuthorizationController` request, as an async call. Its continuation is resumed exactly
/// once: by the delegate's success, by its error, or by cancellation, whichever comes first.
@MainActor
private final class AuthorizationRun<Output: Sendable>: NSObject,
    @preconcurrency ASAuthorizationControllerDelegate,
    @preconcurrency ASAuthorizationControllerPresentationContextProviding
{
    private let controller: ASAuthorizationController
    private let anchor: ASPresentationAnchor
    private let convert: (ASAuthorization) -> Result<Output, Auth.PasskeyFailure>
    private var continuation: CheckedContinuation<Result<Output, Auth.PasskeyFailure>, Never>?

    init(
        requests: [ASAuthorizationRequest], anchor: ASPresentationAnchor,
        convert: @escaping (ASAuthorization) -> Result<Output, Auth.PasskeyFailure>
    ) {
        self.controller = ASAuthorizationController(authorizationRequests: requests)
        self.anchor = anchor
        self.convert = convert
    }

    func perform(autofill: Bool) async -> Result<Output, Auth.PasskeyFailure> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard !Task.isCancelled else {
                    continuation.resume(returning: .failure(.cancelled))
                    return
                }
                self.continuation = continuation
                controller.delegate = self
                controller.presentationContextProvider = self
                if autofill {
                    controller.performAutoFillAssistedRequests()
                } else {
                    controller.performRequests()
                }
            }
        } onCancel: {
            Task { @MainActor in self.cancel() }
        }
    }

    private func cancel() {
        guard continuation != nil else { return }
        controller.cancel()
        // cancel() normally ends in the delegate's error; resume here too in case it does not.
        resume(.failure(.cancelled))
    }

    private func resume(_ result: Result<Output, Auth.PasskeyFailure>) {
        continuation?.resume(returning: result)
        continuation = nil
    }

    func authorizationController(controller: ASAuthorizationController, didCompleteWithAuthorization authorization: ASAuthorization) {
        resume(convert(authorization))
    }

    func authorizationController(controller: ASAuthorizationController, didCompleteWithError error: any Error) {
        resume(.failure(Self.failure(error)))
    }

    func presentationAnchor(for controller: ASAuthorizationController) -> ASPresentationAnchor {
        anchor
    }

    private static func failure(_ error: any Error) -> Auth.PasskeyFailure {
        guard let error = error as? ASAuthorizationError else { return .failed(error.localizedDescription) }
        switch error.code {
        case .canceled: return .cancelled
        case .matchedExcludedCredential: return .excludedCredentialExists
        // With nothing to offer, the system reports the request as not interactive.
        case .notInteractive: return .noCredentials
        default: return .failed(error.localizedDescription)
        }
    }
}
#endif
