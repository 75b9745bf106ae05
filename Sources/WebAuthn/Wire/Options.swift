import Foundation

/// §5.4.2 `PublicKeyCredentialRpEntity`.
public struct PublicKeyCredentialRpEntity: Hashable, Sendable, Codable {
    public var id: String?
    public var name: String
    public init(id: String?, name: String) {
        self.id = id
        self.name = name
    }
}

/// §5.4.3 `PublicKeyCredentialUserEntity`, as JSON.
public struct PublicKeyCredentialUserEntityJSON: Hashable, Sendable, Codable {
    public var id: UserHandle
    public var name: String
    public var displayName: String
    public init(id: UserHandle, name: String, displayName: String) {
        self.id = id
        self.name = name
        self.displayName = displayName
    }
}

/// §5.3 `PublicKeyCredentialParameters`.
public struct PublicKeyCredentialParameters: Hashable, Sendable, Codable {
    public var type: String
    public var alg: COSEAlgorithmIdentifier
    public init(alg: COSEAlgorithmIdentifier) {
        self.type = "public-key"
        self.alg = alg
    }
}

/// §5.8.3 `PublicKeyCredentialDescriptor`, as JSON.
public struct PublicKeyCredentialDescriptorJSON: Hashable, Sendable, Codable {
    public var type: String
    public var id: CredentialID
    public var transports: [AuthenticatorTransport]?
    public init(id: CredentialID, transports: [AuthenticatorTransport]? = nil) {
        self.type = "public-key"
        self.id = id
        self.transports = transports
    }
}

/// §5.4.4 `AuthenticatorSelectionCriteria`.
public struct AuthenticatorSelectionCriteria: Hashable, Sendable, Codable {
    public var authenticatorAttachment: AuthenticatorAttachment?
    public var residentKey: ResidentKeyRequirement?
    public var requireResidentKey: Bool?
    public var userVerification: UserVerificationRequirement?
    public init(
        authenticatorAttachment: AuthenticatorAttachment? = nil,
        residentKey: ResidentKeyRequirement? = nil,
        userVerification: UserVerificationRequirement? = nil
    ) {
        self.authenticatorAttachment = authenticatorAttachment
        self.residentKey = residentKey
        // §5.4.4: kept for Level 1 clients; true exactly when residentKey is required.
        self.requireResidentKey = residentKey.map { $0 == .required }
        self.userVerification = userVerification
    }
}

/// The client extension inputs this library asks for (§9, §10).
public struct AuthenticationExtensionsClientInputsJSON: Hashable, Sendable, Codable {
    /// §10.1.3: ask the client to report whether the credential is discoverable.
    public var credProps: Bool?
    public init(credProps: Bool? = nil) { self.credProps = credProps }
}

/// §5.4 `PublicKeyCredentialCreationOptionsJSON`: what `navigator.credentials.create()` takes,
/// in the JSON form of `PublicKeyCredential.parseCreationOptionsFromJSON`.
public struct PublicKeyCredentialCreationOptionsJSON: Hashable, Sendable, Codable {
    public var rp: PublicKeyCredentialRpEntity
    public var user: PublicKeyCredentialUserEntityJSON
    public var challenge: Challenge
    public var pubKeyCredParams: [PublicKeyCredentialParameters]
    public var timeout: Int?
    public var excludeCredentials: [PublicKeyCredentialDescriptorJSON]
    public var authenticatorSelection: AuthenticatorSelectionCriteria?
    public var hints: [PublicKeyCredentialHint]?
    public var attestation: AttestationConveyancePreference?
    public var extensions: AuthenticationExtensionsClientInputsJSON?

    public init(
        rp: PublicKeyCredentialRpEntity, user: PublicKeyCredentialUserEntityJSON, challenge: Challenge,
        pubKeyCredParams: [PublicKeyCredentialParameters], timeout: Int? = nil,
        excludeCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        authenticatorSelection: AuthenticatorSelectionCriteria? = nil, hints: [PublicKeyCredentialHint]? = nil,
        attestation: AttestationConveyancePreference? = nil, extensions: AuthenticationExtensionsClientInputsJSON? = nil
    ) {
        self.rp = rp
        self.user = user
        self.challenge = challenge
        self.pubKeyCredParams = pubKeyCredParams
        self.timeout = timeout
        self.excludeCredentials = excludeCredentials
        self.authenticatorSelection = authenticatorSelection
        self.hints = hints
        self.attestation = attestation
        self.extensions = extensions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        rp = try c.decode(PublicKeyCredentialRpEntity.self, forKey: .rp)
        user = try c.decode(PublicKeyCredentialUserEntityJSON.self, forKey: .user)
        challenge = try c.decode(Challenge.self, forKey: .challenge)
        pubKeyCredParams = try c.decode([PublicKeyCredentialParameters].self, forKey: .pubKeyCredParams)
        timeout = try c.decodeIfPresent(Int.self, forKey: .timeout)
        excludeCredentials = try c.decodeIfPresent([PublicKeyCredentialDescriptorJSON].self, forKey: .excludeCredentials) ?? []
        authenticatorSelection = try c.decodeIfPresent(AuthenticatorSelectionCriteria.self, forKey: .authenticatorSelection)
        hints = try c.decodeIfPresent([PublicKeyCredentialHint].self, forKey: .hints)
        attestation = try c.decodeIfPresent(AttestationConveyancePreference.self, forKey: .attestation)
        extensions = try c.decodeIfPresent(AuthenticationExtensionsClientInputsJSON.self, forKey: .extensions)
    }
}

/// §5.5 `PublicKeyCredentialRequestOptionsJSON`: what `navigator.credentials.get()` takes.
public struct PublicKeyCredentialRequestOptionsJSON: Hashable, Sendable, Codable {
    public var challenge: Challenge
    public var timeout: Int?
    public var rpId: String?
    public var allowCredentials: [PublicKeyCredentialDescriptorJSON]
    public var userVerification: UserVerificationRequirement?
    public var hints: [PublicKeyCredentialHint]?

    public init(
        challenge: Challenge, timeout: Int? = nil, rpId: String? = nil,
        allowCredentials: [PublicKeyCredentialDescriptorJSON] = [],
        userVerification: UserVerificationRequirement? = nil, hints: [PublicKeyCredentialHint]? = nil
    ) {
        self.challenge = challenge
        self.timeout = timeout
        self.rpId = rpId
        self.allowCredentials = allowCredentials
        self.userVerification = userVerification
        self.hints = hints
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        challenge = try c.decode(Challenge.self, forKey: .challenge)
        timeout = try c.decodeIfPresent(Int.self, forKey: .timeout)
        rpId = try c.decodeIfPresent(String.self, forKey: .rpId)
        allowCredentials = try c.decodeIfPresent([PublicKeyCredentialDescriptorJSON].self, forKey: .allowCredentials) ?? []
        userVerification = try c.decodeIfPresent(UserVerificationRequirement.self, forKey: .userVerification)
        hints = try c.decodeIfPresent([PublicKeyCredentialHint].self, forKey: .hints)
    }
}

extension PublicKeyCredentialRequestOptionsJSON {
    /// Parses sign-in options as a server sent them, or throws `malformed` naming what is wrong.
    /// Reads strictly (RFC 8259, no member twice; see `WireReader`), skips members it does not
    /// know, and takes the same values as decoding with `JSONDecoder` (`init(from:)`) does,
    /// without building a dictionary of every member first. Where `JSONDecoder` is lenient it is
    /// not: a `timeout` is a whole number written as one (`60000`, as `toJSON()` writes it), not
    /// `6e4` or `60000.0`.
    public static func parse(_ json: Data) throws(WebAuthnError) -> PublicKeyCredentialRequestOptionsJSON {
        try WireReader.readObject(Array(json), read)
    }

    /// The options in the member `member` of a top-level object, as servers wrap them
    /// (`{"publicKey": {…}}`); the object's other members are skipped.
    public static func parse(_ json: [UInt8], inMember member: String) throws(WebAuthnError) -> PublicKeyCredentialRequestOptionsJSON {
        try WireReader.readObject(json) { (object) throws(WebAuthnError) -> PublicKeyCredentialRequestOptionsJSON in
            var options: PublicKeyCredentialRequestOptionsJSON??
            while let name = try object.next() {
                if name == member {
                    options = .some(try object.object(name, read))
                } else {
                    try object.skip()
                }
            }
            return try object.required(options, member)
        }
    }

    static func read(_ object: inout WireReader.ObjectReader) throws(WebAuthnError) -> PublicKeyCredentialRequestOptionsJSON {
        var challenge: WireReader.Base64URLText??, timeout: Int?, rpId: String?, userVerification: String?
        var allowCredentials: [PublicKeyCredentialDescriptorJSON]?, hints: [String]?
        while let name = try object.next() {
            switch name {
            case "challenge": challenge = .some(try object.base64URL(name))
            case "timeout": timeout = try object.integer(name)
            case "rpId": rpId = try object.string(name)
            case "allowCredentials": allowCredentials = try object.objects(name, PublicKeyCredentialDescriptorJSON.read)
            case "userVerification": userVerification = try object.string(name)
            case "hints": hints = try object.strings(name)
            default: try object.skip()
            }
        }
        return PublicKeyCredentialRequestOptionsJSON(
            challenge: try object.bytes(try object.required(challenge, "challenge"), "challenge", as: Challenge.self),
            timeout: timeout, rpId: rpId, allowCredentials: allowCredentials ?? [],
            userVerification: userVerification.map(UserVerificationRequirement.init(rawValue:)),
            hints: hints.map { $0.map(PublicKeyCredentialHint.init(rawValue:)) })
    }
}

extension PublicKeyCredentialDescriptorJSON {
    /// One descriptor's members, as its synthesized `Decodable` conformance reads them.
    static func read(_ object: inout WireReader.ObjectReader) throws(WebAuthnError) -> PublicKeyCredentialDescriptorJSON {
        var type: String??, id: WireReader.Base64URLText??, transports: [String]?
        while let name = try object.next() {
            switch name {
            case "type": type = .some(try object.string(name))
            case "id": id = .some(try object.base64URL(name))
            case "transports": transports = try object.strings(name)
            default: try object.skip()
            }
        }
        let kind = try object.required(type, "type")
        var descriptor = PublicKeyCredentialDescriptorJSON(
            id: try object.bytes(try object.required(id, "id"), "id", as: CredentialID.self),
            transports: transports.map { $0.map(AuthenticatorTransport.init(rawValue:)) })
        descriptor.type = kind
        return descriptor
    }
}
