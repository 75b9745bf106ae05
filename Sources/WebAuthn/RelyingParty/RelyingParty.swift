import Crypto
import Foundation

/// A WebAuthn relying party: begins and finishes registration and authentication ceremonies.
///
/// Begin returns options for the client and a ceremony value the caller keeps on the server
/// (never trusting the client with it); finish takes the client's response with that value and
/// returns a verified result or throws a ``WebAuthnError``. The relying party does no I/O and
/// holds no state between calls.
public struct RelyingParty: Sendable {
    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    // MARK: Shared client data checks

    /// The checks on collected client data shared by both ceremonies (§7.1 steps 7–10,
    /// §7.2 steps 11–14).
    func verifyClientData(
        _ clientData: CollectedClientData, expectedType: CollectedClientData.CeremonyType, challenge: Challenge
    ) throws(WebAuthnError) {
        // §7.1 step 7 / §7.2 step 11: the type.
        guard clientData.type == expectedType else {
            throw WebAuthnError(.typeMismatch, "clientDataJSON.type is \"\(clientData.type)\", expected \"\(expectedType)\"")
        }
        // §7.1 step 8 / §7.2 step 12: the challenge, compared in constant time.
        guard challenge.matches(clientData.challenge) else {
            throw WebAuthnError(.challengeMismatch, "the challenge in clientDataJSON is not the one issued")
        }
        // §7.1 step 9 / §7.2 step 13: the origin is one the relying party expects.
        guard configuration.allowedOrigins.contains(clientData.origin) else {
            throw WebAuthnError(.originMismatch, "origin \"\(clientData.origin)\" is not allowed")
        }
        // §7.1 step 10 / §7.2 step 14: cross-origin iframes and their top origin.
        if clientData.crossOrigin == true, !configuration.allowCrossOrigin {
            throw WebAuthnError(.crossOriginNotAllowed, "the ceremony ran in a cross-origin iframe")
        }
        if let topOrigin = clientData.topOrigin {
            // §5.8.1: topOrigin is set only when the call came from a context that is not
            // same-origin with its ancestors, that is when crossOrigin is true.
            guard clientData.crossOrigin == true else {
                throw WebAuthnError(.crossOriginNotAllowed, "topOrigin \"\(topOrigin)\" given without crossOrigin true")
            }
            guard configuration.allowCrossOrigin else {
                throw WebAuthnError(.crossOriginNotAllowed, "topOrigin \"\(topOrigin)\" given but cross-origin use is not allowed")
            }
            if !configuration.allowedTopOrigins.isEmpty, !configuration.allowedTopOrigins.contains(topOrigin) {
                throw WebAuthnError(.crossOriginNotAllowed, "topOrigin \"\(topOrigin)\" is not allowed")
            }
        }
    }

    /// The checks on authenticator data shared by both ceremonies (§7.1 steps 13–16,
    /// §7.2 steps 15–18).
    ///
    /// `userPresenceRequired` is false only for a conditional create (WebAuthn L3 §7.1 step 14:
    /// "If options.mediation is not set to conditional, verify that the UP bit of the flags in
    /// authData is set").
    func verifyAuthenticatorData(
        _ authenticatorData: AuthenticatorData, userVerification: UserVerificationRequirement,
        userPresenceRequired: Bool = true
    ) throws(WebAuthnError) {
        // §7.1 step 13 / §7.2 step 15: rpIdHash is SHA-256 of the RP ID.
        guard authenticatorData.rpIDHash == configuration.relyingPartyIDHash else {
            throw WebAuthnError(.rpIDMismatch, "authenticator data is for another RP ID than \"\(configuration.relyingPartyID)\"")
        }
        // §7.1 step 14 / §7.2 step 16: the user was present.
        if userPresenceRequired, !configuration.dangerouslyAllowMissingUserPresence,
           !authenticatorData.flags.contains(.userPresent) {
            throw WebAuthnError(.userPresenceRequired, "the authenticator did not report user presence (UP)")
        }
        // §7.1 step 15 / §7.2 step 17: the user was verified when the ceremony required it.
        if userVerification == .required, !authenticatorData.flags.contains(.userVerified) {
            throw WebAuthnError(.userVerificationRequired, "user verification was required but UV is not set")
        }
        // §7.1 step 16 / §7.2 step 18: BS may only be set when BE is.
        if authenticatorData.flags.contains(.backedUp), !authenticatorData.flags.contains(.backupEligible) {
            throw WebAuthnError(.backupStateInvalid, "BS is set without BE")
        }
    }
}
