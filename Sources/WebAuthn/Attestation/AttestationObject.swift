import PasskeyCBOR

/// §6.5.4 the attestation object: a format name, its statement, and the authenticator data.
public struct AttestationObject: Sendable {
    public let format: AttestationFormat
    /// The statement (`attStmt`); empty for `compound`, whose statements are in `compoundStatements`.
    public let statement: CBORMap
    /// §8.9 a `compound` object's statements, at least two, none of them `compound`; empty for
    /// every other format.
    public let compoundStatements: [AttestationStatement]
    public let authenticatorData: AuthenticatorData

    /// The most statements a §8.9 `compound` object may hold here (the format sets no bound; each
    /// costs at least one signature check, and a certificate chain's validation).
    public static let maximumCompoundStatements = 4

    /// Parses the CBOR attestation object (§7.1 step 12).
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        let value: CBOR
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw WebAuthnError(.malformed, "attestationObject is not valid CBOR: \(error.message)")
        }
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject is not a CBOR map")
        }
        guard let fmt = map["fmt"]?.textValue else {
            throw WebAuthnError(.malformed, "attestationObject has no fmt")
        }
        let format = AttestationFormat(rawValue: fmt)
        if format == .compound {
            // §8.9 syntax: attStmt is an array of two or more statements, each a map of its own
            // fmt (not "compound") and attStmt.
            guard let items = map["attStmt"]?.arrayValue else {
                throw WebAuthnError(.malformed, "compound attestation: attStmt is not an array")
            }
            guard items.count >= 2 else {
                throw WebAuthnError(.malformed, "compound attestation: attStmt holds \(items.count) statement(s), not at least 2")
            }
            // This relying party's bound: each statement costs a signature check or more.
            guard items.count <= Self.maximumCompoundStatements else {
                throw WebAuthnError(.malformed, "compound attestation: attStmt holds \(items.count) statements, more than \(Self.maximumCompoundStatements)")
            }
            var statements: [AttestationStatement] = []
            statements.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                let statement = try AttestationStatement(compoundItem: item, index: index)
                // A statement repeated proves nothing more, and would cost its checks again.
                if let earlier = statements.firstIndex(where: { $0.format == statement.format && $0.statement == statement.statement }) {
                    throw WebAuthnError(.malformed, "compound attestation: statement \(index) repeats statement \(earlier)")
                }
                statements.append(statement)
            }
            self.statement = CBORMap([])
            self.compoundStatements = statements
        } else {
            guard let statement = map["attStmt"]?.mapValue else {
                throw WebAuthnError(.malformed, "attestationObject has no attStmt map")
            }
            self.statement = statement
            self.compoundStatements = []
        }
        guard let authData = map["authData"]?.bytesValue else {
            throw WebAuthnError(.malformed, "attestationObject has no authData")
        }
        self.format = format
        self.authenticatorData = try AuthenticatorData(bytes: authData)
    }
}

/// One attestation statement and its format: an item of a §8.9 `compound` statement.
public struct AttestationStatement: Sendable {
    public let format: AttestationFormat
    public let statement: CBORMap

    /// Reads item `index` of a compound `attStmt` array: a map of exactly `fmt` (text, not
    /// "compound") and `attStmt` (a map), as §8.9's `nonCompoundAttStmt` is defined.
    init(compoundItem item: CBOR, index: Int) throws(WebAuthnError) {
        guard let map = item.mapValue else {
            throw WebAuthnError(.malformed, "compound attestation: statement \(index) is not a map")
        }
        guard let fmt = map["fmt"]?.textValue else {
            throw WebAuthnError(.malformed, "compound attestation: statement \(index) has no fmt")
        }
        let format = AttestationFormat(rawValue: fmt)
        guard format != .compound else {
            throw WebAuthnError(.malformed, "compound attestation: statement \(index) is itself compound")
        }
        guard let statement = map["attStmt"]?.mapValue else {
            throw WebAuthnError(.malformed, "compound attestation: statement \(index) has no attStmt map")
        }
        guard map.count == 2 else {
            throw WebAuthnError(.malformed, "compound attestation: statement \(index) holds entries other than fmt and attStmt")
        }
        self.format = format
        self.statement = statement
    }
}

/// §8 attestation statement format identifiers (IANA "WebAuthn Attestation Statement Format Identifiers").
public struct AttestationFormat: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let none = Self(rawValue: "none")
    public static let packed = Self(rawValue: "packed")
    public static let fidoU2F = Self(rawValue: "fido-u2f")
    public static let tpm = Self(rawValue: "tpm")
    public static let androidKey = Self(rawValue: "android-key")
    public static let androidSafetyNet = Self(rawValue: "android-safetynet")
    public static let apple = Self(rawValue: "apple")
    /// §8.9: two or more statements of other formats in one object.
    public static let compound = Self(rawValue: "compound")
}

/// §6.5.3 what an attestation proves about the authenticator.
public struct AttestationType: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// No attestation: nothing is proven about the authenticator's model.
    public static let none = Self(rawValue: "none")
    /// Self attestation: signed with the credential's own key; proves only possession.
    public static let `self` = Self(rawValue: "self")
    /// Basic attestation: signed by a key shared by a batch of authenticators.
    public static let basic = Self(rawValue: "basic")
    /// Attestation CA: signed by a key certified for this authenticator by a CA (TPM AIK).
    public static let attCA = Self(rawValue: "attCA")
    /// Anonymization CA: a per-credential certificate from the vendor's CA (Apple).
    public static let anonCA = Self(rawValue: "anonCA")
}
