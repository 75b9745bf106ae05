import Foundation

/// Bytes that travel as base64url in JSON, with no further rules (signatures, client data,
/// attestation objects).
public struct Base64URLData: Base64URLBytes {
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// §5.2.1 `AuthenticatorAttestationResponseJSON`.
public struct AuthenticatorAttestationResponseJSON: Hashable, Sendable, Codable {
    public var clientDataJSON: Base64URLData
    public var attestationObject: Base64URLData
    /// Level 3 clients send these three; older ones do not, so they are optional here and the
    /// verifier reads the same values from `attestationObject`.
    public var authenticatorData: Base64URLData?
    public var publicKeyAlgorithm: COSEAlgorithmIdentifier?
    public var publicKey: Base64URLData?
    public var transports: [AuthenticatorTransport]?

    public init(
        clientDataJSON: Base64URLData, attestationObject: Base64URLData, authenticatorData: Base64URLData? = nil,
        publicKeyAlgorithm: COSEAlgorithmIdentifier? = nil, publicKey: Base64URLData? = nil,
        transports: [AuthenticatorTransport]? = nil
    ) {
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
        self.authenticatorData = authenticatorData
        self.publicKeyAlgorithm = publicKeyAlgorithm
        self.publicKey = publicKey
        self.transports = transports
    }
}

/// §5.2.2 `AuthenticatorAssertionResponseJSON`.
public struct AuthenticatorAssertionResponseJSON: Hashable, Sendable, Codable {
    public var clientDataJSON: Base64URLData
    public var authenticatorData: Base64URLData
    public var signature: Base64URLData
    public var userHandle: UserHandle?

    public init(
        clientDataJSON: Base64URLData, authenticatorData: Base64URLData, signature: Base64URLData,
        userHandle: UserHandle? = nil
    ) {
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clientDataJSON = try c.decode(Base64URLData.self, forKey: .clientDataJSON)
        authenticatorData = try c.decode(Base64URLData.self, forKey: .authenticatorData)
        signature = try c.decode(Base64URLData.self, forKey: .signature)
        // Some clients send "" or null for "no user handle".
        if let string = try c.decodeIfPresent(String.self, forKey: .userHandle), !string.isEmpty {
            guard let handle = UserHandle(base64URL: string) else {
                throw DecodingError.dataCorruptedError(forKey: .userHandle, in: c, debugDescription: "not a user handle")
            }
            userHandle = handle
        } else {
            userHandle = nil
        }
    }
}

extension AuthenticatorAttestationResponseJSON {
    /// The members of `response` (`RegistrationResponseJSON.parse`).
    static func read(_ object: inout WireReader.ObjectReader) throws(WebAuthnError) -> AuthenticatorAttestationResponseJSON {
        var clientData: WireReader.Base64URLText??, attestationObject: WireReader.Base64URLText??, authenticatorData: WireReader.Base64URLText??, publicKey: WireReader.Base64URLText??
        var algorithm: Int??, transports: [String]??
        while let name = try object.next() {
            switch name {
            case "clientDataJSON": clientData = .some(try object.base64URL(name))
            case "attestationObject": attestationObject = .some(try object.base64URL(name))
            case "authenticatorData": authenticatorData = .some(try object.base64URL(name))
            case "publicKey": publicKey = .some(try object.base64URL(name))
            case "publicKeyAlgorithm": algorithm = .some(try object.integer(name))
            case "transports": transports = .some(try object.strings(name))
            default: try object.skip()
            }
        }
        let clientDataJSON = try object.bytes(
            try object.required(clientData, "clientDataJSON"), "clientDataJSON", as: Base64URLData.self)
        let attestation = try object.bytes(
            try object.required(attestationObject, "attestationObject"), "attestationObject", as: Base64URLData.self)
        var authenticator: Base64URLData?
        if let text = authenticatorData ?? nil { authenticator = try object.bytes(text, "authenticatorData", as: Base64URLData.self) }
        var key: Base64URLData?
        if let text = publicKey ?? nil { key = try object.bytes(text, "publicKey", as: Base64URLData.self) }
        return AuthenticatorAttestationResponseJSON(
            clientDataJSON: clientDataJSON, attestationObject: attestation, authenticatorData: authenticator,
            publicKeyAlgorithm: (algorithm ?? nil).map(COSEAlgorithmIdentifier.init(rawValue:)), publicKey: key,
            transports: (transports ?? nil)?.map(AuthenticatorTransport.init(rawValue:)))
    }
}

extension AuthenticatorAssertionResponseJSON {
    /// The members of `response` (`AuthenticationResponseJSON.parse`).
    static func read(_ object: inout WireReader.ObjectReader) throws(WebAuthnError) -> AuthenticatorAssertionResponseJSON {
        var clientData: WireReader.Base64URLText??, authenticatorData: WireReader.Base64URLText??, signature: WireReader.Base64URLText??, userHandle: WireReader.Base64URLText??
        while let name = try object.next() {
            switch name {
            case "clientDataJSON": clientData = .some(try object.base64URL(name))
            case "authenticatorData": authenticatorData = .some(try object.base64URL(name))
            case "signature": signature = .some(try object.base64URL(name))
            case "userHandle": userHandle = .some(try object.base64URL(name))
            default: try object.skip()
            }
        }
        let clientDataJSON = try object.bytes(
            try object.required(clientData, "clientDataJSON"), "clientDataJSON", as: Base64URLData.self)
        let authenticator = try object.bytes(
            try object.required(authenticatorData, "authenticatorData"), "authenticatorData", as: Base64URLData.self)
        let signed = try object.bytes(try object.required(signature, "signature"), "signature", as: Base64URLData.self)
        // Some clients send "" or null for "no user handle".
        var handle: UserHandle?
        if let text = userHandle ?? nil, text != .decoded([]) { handle = try object.bytes(text, "userHandle", as: UserHandle.self) }
        return AuthenticatorAssertionResponseJSON(
            clientDataJSON: clientDataJSON, authenticatorData: authenticator, signature: signed, userHandle: handle)
    }
}

extension AuthenticationExtensionsClientOutputsJSON {
    /// The members of `clientExtensionResults` this library reads; the others are skipped.
    static func read(_ object: inout WireReader.ObjectReader) throws(WebAuthnError) -> AuthenticationExtensionsClientOutputsJSON {
        var outputs = AuthenticationExtensionsClientOutputsJSON()
        while let name = try object.next() {
            guard name == "credProps" else {
                try object.skip()
                continue
            }
            outputs.credProps = try object.object(name) { (properties) throws(WebAuthnError) -> CredentialProperties in
                var rk: Bool?
                while let inner = try properties.next() {
                    if inner == "rk" { rk = try properties.bool(inner) } else { try properties.skip() }
                }
                return CredentialProperties(rk: rk)
            }
        }
        return outputs
    }
}

/// The client extension outputs this library reads (§9, §10).
public struct AuthenticationExtensionsClientOutputsJSON: Hashable, Sendable, Codable {
    /// §10.1.3 credential properties.
    public struct CredentialProperties: Hashable, Sendable, Codable {
        /// Whether the credential is discoverable ("resident key"); absent when the client does not know.
        public var rk: Bool?
        public init(rk: Bool?) { self.rk = rk }
    }
    public var credProps: CredentialProperties?
    public init(credProps: CredentialProperties? = nil) { self.credProps = credProps }
}

/// §5.1 `RegistrationResponseJSON`: what `PublicKeyCredential.toJSON()` gives after `create()`.
public struct RegistrationResponseJSON: Hashable, Sendable, Codable {
    public var id: String
    public var rawId: CredentialID
    public var response: AuthenticatorAttestationResponseJSON
    public var authenticatorAttachment: AuthenticatorAttachment?
    public var clientExtensionResults: AuthenticationExtensionsClientOutputsJSON
    public var type: String

    public init(
        rawId: CredentialID, response: AuthenticatorAttestationResponseJSON,
        authenticatorAttachment: AuthenticatorAttachment? = nil,
        clientExtensionResults: AuthenticationExtensionsClientOutputsJSON = .init(), type: String = "public-key"
    ) {
        self.init(
            id: rawId.base64URL, rawId: rawId, response: response, authenticatorAttachment: authenticatorAttachment,
            clientExtensionResults: clientExtensionResults, type: type)
    }

    /// As read from the wire: `id` as the client sent it (§7.1/§7.2 compare it with `rawId`).
    init(
        id: String, rawId: CredentialID, response: AuthenticatorAttestationResponseJSON,
        authenticatorAttachment: AuthenticatorAttachment?,
        clientExtensionResults: AuthenticationExtensionsClientOutputsJSON, type: String
    ) {
        self.id = id
        self.rawId = rawId
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
        self.clientExtensionResults = clientExtensionResults
        self.type = type
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        rawId = try c.decode(CredentialID.self, forKey: .rawId)
        response = try c.decode(AuthenticatorAttestationResponseJSON.self, forKey: .response)
        authenticatorAttachment = try c.decodeIfPresent(AuthenticatorAttachment.self, forKey: .authenticatorAttachment)
        // Required by Level 3, but clients before it omitted it; an absent value means "no outputs".
        clientExtensionResults = try c.decodeIfPresent(AuthenticationExtensionsClientOutputsJSON.self, forKey: .clientExtensionResults) ?? .init()
        type = try c.decode(String.self, forKey: .type)
    }

    /// Parses the JSON a browser sent, or throws `malformed` naming what is wrong. Reads only the
    /// members it needs, strictly (RFC 8259, no member twice; see `WireReader`), and takes the same
    /// values as decoding with `JSONDecoder` (`init(from:)`) does.
    public static func parse(_ json: Data) throws(WebAuthnError) -> RegistrationResponseJSON {
        let read = try CredentialEnvelope.read(json, response: AuthenticatorAttestationResponseJSON.read)
        return RegistrationResponseJSON(
            id: read.id, rawId: read.rawId, response: read.response, authenticatorAttachment: read.attachment,
            clientExtensionResults: read.extensions, type: read.type)
    }
}

/// §5.1 `AuthenticationResponseJSON`: what `PublicKeyCredential.toJSON()` gives after `get()`.
public struct AuthenticationResponseJSON: Hashable, Sendable, Codable {
    public var id: String
    public var rawId: CredentialID
    public var response: AuthenticatorAssertionResponseJSON
    public var authenticatorAttachment: AuthenticatorAttachment?
    public var clientExtensionResults: AuthenticationExtensionsClientOutputsJSON
    public var type: String

    public init(
        rawId: CredentialID, response: AuthenticatorAssertionResponseJSON,
        authenticatorAttachment: AuthenticatorAttachment? = nil,
        clientExtensionResults: AuthenticationExtensionsClientOutputsJSON = .init(), type: String = "public-key"
    ) {
        self.init(
            id: rawId.base64URL, rawId: rawId, response: response, authenticatorAttachment: authenticatorAttachment,
            clientExtensionResults: clientExtensionResults, type: type)
    }

    /// As read from the wire: `id` as the client sent it (§7.1/§7.2 compare it with `rawId`).
    init(
        id: String, rawId: CredentialID, response: AuthenticatorAssertionResponseJSON,
        authenticatorAttachment: AuthenticatorAttachment?,
        clientExtensionResults: AuthenticationExtensionsClientOutputsJSON, type: String
    ) {
        self.id = id
        self.rawId = rawId
        self.response = response
        self.authenticatorAttachment = authenticatorAttachment
        self.clientExtensionResults = clientExtensionResults
        self.type = type
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        rawId = try c.decode(CredentialID.self, forKey: .rawId)
        response = try c.decode(AuthenticatorAssertionResponseJSON.self, forKey: .response)
        authenticatorAttachment = try c.decodeIfPresent(AuthenticatorAttachment.self, forKey: .authenticatorAttachment)
        clientExtensionResults = try c.decodeIfPresent(AuthenticationExtensionsClientOutputsJSON.self, forKey: .clientExtensionResults) ?? .init()
        type = try c.decode(String.self, forKey: .type)
    }

    /// Parses the JSON a browser sent, or throws `malformed` naming what is wrong. Reads only the
    /// members it needs, strictly (RFC 8259, no member twice; see `WireReader`), and takes the same
    /// values as decoding with `JSONDecoder` (`init(from:)`) does.
    public static func parse(_ json: Data) throws(WebAuthnError) -> AuthenticationResponseJSON {
        let read = try CredentialEnvelope.read(json, response: AuthenticatorAssertionResponseJSON.read)
        return AuthenticationResponseJSON(
            id: read.id, rawId: read.rawId, response: read.response, authenticatorAttachment: read.attachment,
            clientExtensionResults: read.extensions, type: read.type)
    }
}

/// The members every `PublicKeyCredential.toJSON()` has (§5.1), read by `WireReader`, with
/// `response` read by the ceremony's own reader. Missing or `null` required members are told in
/// the order `JSONDecoder` met them: `rawId`, `response`, `type`, `id`.
struct CredentialEnvelope<Response> {
    var id: String
    var rawId: CredentialID
    var response: Response
    var attachment: AuthenticatorAttachment?
    var extensions: AuthenticationExtensionsClientOutputsJSON
    var type: String

    static func read(
        _ json: Data, response readResponse: (inout WireReader.ObjectReader) throws(WebAuthnError) -> Response
    ) throws(WebAuthnError) -> CredentialEnvelope {
        try WireReader.readObject(Array(json)) { (object) throws(WebAuthnError) -> CredentialEnvelope in
            var id: String??, rawId: WireReader.Base64URLText??, type: String??, attachment: String??
            var response: Response??, extensions: AuthenticationExtensionsClientOutputsJSON??
            while let name = try object.next() {
                switch name {
                case "id": id = .some(try object.string(name))
                case "rawId": rawId = .some(try object.base64URL(name))
                case "type": type = .some(try object.string(name))
                case "authenticatorAttachment": attachment = .some(try object.string(name))
                case "response": response = .some(try object.object(name, readResponse))
                case "clientExtensionResults": extensions = .some(try object.object(name, AuthenticationExtensionsClientOutputsJSON.read))
                default: try object.skip()
                }
            }
            let credentialID = try object.bytes(try object.required(rawId, "rawId"), "rawId", as: CredentialID.self)
            let answer = try object.required(response, "response")
            let kind = try object.required(type, "type")
            return CredentialEnvelope(
                id: try object.required(id, "id"), rawId: credentialID, response: answer,
                attachment: (attachment ?? nil).map(AuthenticatorAttachment.init(rawValue:)),
                extensions: (extensions ?? nil) ?? .init(), type: kind)
        }
    }
}

/// JSON decoding that turns `DecodingError` into a `malformed` ``WebAuthnError`` naming the field.
package enum WireJSON {
    package static func decode<T: Decodable>(_ type: T.Type, from json: Data) throws(WebAuthnError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: json)
        } catch let error as DecodingError {
            throw WebAuthnError(.malformed, describe(error))
        } catch {
            throw WebAuthnError(.malformed, "invalid JSON")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        let path = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        return path.isEmpty ? "the top level" : path
    }

    /// The JSON a Swift type is read from, in words (not the Swift type's name).
    static func jsonType(_ type: Any.Type) -> String {
        if type == String.self || type == Substring.self { return "a string" }
        if type == Bool.self { return "true or false" }
        if type is any BinaryInteger.Type { return "a whole number" }
        if type is any BinaryFloatingPoint.Type { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Dictionary<") { return "an object" }
        if name.hasPrefix("Array<") { return "an array" }
        return "another type"
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : path(context.codingPath) + "."
            return "missing required field \(parent)\(key.stringValue)"
        case .valueNotFound(_, let context):
            return "missing value for \(path(context.codingPath))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) has the wrong type (expected \(jsonType(type)))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "invalid JSON" }
            return "\(path(context.codingPath)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "invalid JSON"
        }
    }
}
