import Crypto
import WebAuthn

extension SoftwareAuthenticator {
    /// One way for the authenticator (or the client in front of it) to produce bad output, so a
    /// test can show that a relying party rejects it. Each switch makes exactly one fault; every
    /// signature is made over the faulty data, so nothing else is wrong.
    public enum Misbehaviour: String, Sendable, Hashable, Codable, CaseIterable {
        /// clientDataJSON names ``SoftwareAuthenticator/wrongOrigin`` instead of the real origin.
        case wrongOrigin = "wrong-origin"
        /// rpIdHash is the hash of ``SoftwareAuthenticator/wrongRelyingPartyID``.
        case wrongRelyingPartyID = "wrong-rp-id"
        /// The UP flag is clear.
        case noUserPresence = "no-user-presence"
        /// The UV flag is clear.
        case noUserVerification = "no-user-verification"
        /// The signature is flipped in one bit after signing: the assertion's, and the
        /// attestation statement's when it has one (not `none`).
        case corruptedSignature = "corrupted-signature"
        /// A sign-in reports one less than the counter the credential last reported (and the
        /// counter does not advance). Needs an earlier non-zero count to go back from.
        case counterGoingBackwards = "counter-going-backwards"
        /// Returns the previous response of the same kind verbatim, without touching any state.
        case replay
        /// clientDataJSON carries a random challenge instead of the relying party's.
        case wrongChallenge = "wrong-challenge"
        /// clientDataJSON's type is the other ceremony's (`webauthn.get` for a registration).
        case wrongType = "wrong-type"
        /// clientDataJSON says `"crossOrigin":true`, as from a cross-origin iframe.
        case crossOrigin = "cross-origin"
        /// BS is set while BE is clear.
        case backedUpWithoutBackupEligible = "backed-up-without-backup-eligible"
        /// BE is the opposite of the credential's (and BS is clear when BE is): for sign-ins, where
        /// the relying party compares it with the BE it stored.
        case backupEligibilityFlipped = "backup-eligibility-flipped"
        /// Registration puts a random AAGUID in authenticator data, so it no longer matches the
        /// attestation certificate's AAGUID extension (`packed` x5c).
        case wrongAAGUID = "wrong-aaguid"
    }

    /// The origin written by ``Misbehaviour/wrongOrigin``.
    public static let wrongOrigin = "https://attacker.invalid"
    /// The RP ID whose hash ``Misbehaviour/wrongRelyingPartyID`` writes.
    public static let wrongRelyingPartyID = "attacker.invalid"

    /// The client data a browser would build, with the client-side faults applied.
    func collectClientData(type: CollectedClientData.CeremonyType, challenge: Challenge, origin: String) -> [UInt8] {
        var type = type
        if misbehaviour == .wrongType { type = type == .create ? .get : .create }
        return ClientDataBuilder.json(
            type: type.rawValue,
            challenge: misbehaviour == .wrongChallenge ? Challenge.random().bytes : challenge.bytes,
            origin: misbehaviour == .wrongOrigin ? Self.wrongOrigin : origin,
            crossOrigin: misbehaviour == .crossOrigin)
    }

    /// SHA-256 of the RP ID (§6.1), or of the wrong one.
    func relyingPartyIDHash(_ rpID: String) -> [UInt8] {
        let id = misbehaviour == .wrongRelyingPartyID ? Self.wrongRelyingPartyID : rpID
        return Array(SHA256.hash(data: Array(id.utf8)))
    }

    /// The flags with the flag faults applied.
    func faultyFlags(_ flags: AuthenticatorData.Flags) -> AuthenticatorData.Flags {
        var flags = flags
        switch misbehaviour {
        case .noUserPresence:
            flags.remove(.userPresent)
        case .noUserVerification:
            flags.remove(.userVerified)
        case .backedUpWithoutBackupEligible:
            flags.remove(.backupEligible)
            flags.insert(.backedUp)
        case .backupEligibilityFlipped:
            if flags.contains(.backupEligible) {
                flags.subtract([.backupEligible, .backedUp])
            } else {
                flags.insert(.backupEligible)
            }
        default:
            break
        }
        return flags
    }

    /// The signature, corrupted when that is the misbehaviour.
    func faultySignature(_ signature: [UInt8]) -> [UInt8] {
        guard misbehaviour == .corruptedSignature, !signature.isEmpty else { return signature }
        var signature = signature
        signature[signature.count - 1] ^= 0x01
        return signature
    }
}
