import Foundation
import X509

/// A FIDO Metadata Service (MDS3) BLOB: the signed list of authenticator models, their
/// attestation roots and their certification and compromise status.
///
/// Download the BLOB (a JWS) from the FIDO Alliance yourself and hand it to
/// ``MetadataBLOB/verify(jws:roots:at:)``; keep the current one in ``AuthenticatorMetadata``,
/// which refuses to go back to an older BLOB.
public struct MetadataBLOB: Sendable {
    /// The BLOB's serial number (`no`); each new BLOB has a higher one.
    public let number: Int
    /// When the next BLOB is due (`nextUpdate`, a date such as `2026-12-01`).
    public let nextUpdate: String
    public let legalHeader: String?
    public let entries: [MetadataEntry]

    /// The root of the FIDO Alliance's MDS3 signing chain: GlobalSign Root CA - R3
    /// (SHA-256 CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B,
    /// from the Mozilla CA list).
    public static let fidoRootPEM = """
        -----BEGIN CERTIFICATE-----
        MIIDXzCCAkegAwIBAgILBAAAAAABIVhTCKIwDQYJKoZIhvcNAQELBQAwTDEgMB4G
        A1UECxMXR2xvYmFsU2lnbiBSb290IENBIC0gUjMxEzARBgNVBAoTCkdsb2JhbFNp
        Z24xEzARBgNVBAMTCkdsb2JhbFNpZ24wHhcNMDkwMzE4MTAwMDAwWhcNMjkwMzE4
        MTAwMDAwWjBMMSAwHgYDVQQLExdHbG9iYWxTaWduIFJvb3QgQ0EgLSBSMzETMBEG
        A1UEChMKR2xvYmFsU2lnbjETMBEGA1UEAxMKR2xvYmFsU2lnbjCCASIwDQYJKoZI
        hvcNAQEBBQADggEPADCCAQoCggEBAMwldpB5BngiFvXAg7aEyiie/QV2EcWtiHL8
        RgJDx7KKnQRfJMsuS+FggkbhUqsMgUdwbN1k0ev1LKMPgj0MK66X17YUhhB5uzsT
        gHeMCOFJ0mpiLx9e+pZo34knlTifBtc+ycsmWQ1z3rDI6SYOgxXG71uL0gRgykmm
        KPZpO/bLyCiR5Z2KYVc3rHQU3HTgOu5yLy6c+9C7v/U9AOEGM+iCK65TpjoWc4zd
        QQ4gOsC0p6Hpsk+QLjJg6VfLuQSSaGjlOCZgdbKfd/+RFO+uIEn8rUAVSNECMWEZ
        XriX7613t2Saer9fwRPvm2L7DWzgVGkWqQPabumDk3F2xmmFghcCAwEAAaNCMEAw
        DgYDVR0PAQH/BAQDAgEGMA8GA1UdEwEB/wQFMAMBAf8wHQYDVR0OBBYEFI/wS3+o
        LkUkrk1Q+mOai97i3Ru8MA0GCSqGSIb3DQEBCwUAA4IBAQBLQNvAUKr+yAzv95ZU
        RUm7lgAJQayzE4aGKAczymvmdLm6AC2upArT9fHxD4q/c2dKg8dEe3jgr25sbwMp
        jjM5RcOO5LlXbKr8EpbsU8Yt5CRsuZRj+9xTaGdWPoO4zzUhw8lo/s7awlOqzJCK
        6fBdRoyV3XpYKBovHd7NADdBj+1EbddTKJd+82cEHhXXipa0095MJ6RMG3NzdvQX
        mcIfeg7jLQitChws/zyrVQ4PkX4268NXSb7hLi18YIvDQVETI53O9zJrlAGomecs
        Mx86OyXShkDOOyyGeMlhLxS67ttVb9+E7gUJTb0o2HLO02JQZR7rkpeDMdmztcpH
        WD9f
        -----END CERTIFICATE-----
        """

    /// Verifies a BLOB: its JWS signature, and its `x5c` chain up to `roots` (the FIDO root
    /// unless a test or a private metadata service gives others) at `time` (default: now);
    /// then decodes the entries.
    public static func verify(jws: String, roots: [Certificate]? = nil, at time: Date? = nil) async throws(WebAuthnError) -> MetadataBLOB {
        let token = try CompactJWS(jws, what: "metadata BLOB")
        try token.verifySignature(what: "metadata BLOB")
        let trusted: [Certificate]
        if let roots {
            trusted = roots
        } else {
            trusted = try AttestationPolicy.certificates(pem: fidoRootPEM)
        }
        if let failure = await CertificateChains.validate(chain: token.certificates, roots: trusted, time: time ?? Date()) {
            throw WebAuthnError(.attestationTrust, "metadata BLOB is not signed by a trusted metadata service: \(failure)")
        }
        return try decodePayload(token.payload)
    }

    static func decodePayload(_ payload: [UInt8]) throws(WebAuthnError) -> MetadataBLOB {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: Data(payload))
        } catch let error as DecodingError {
            throw WebAuthnError(.malformed, "metadata BLOB payload: \(WireJSON.describe(error))")
        } catch {
            throw WebAuthnError(.malformed, "metadata BLOB payload is not JSON")
        }
        var entries: [MetadataEntry] = []
        for entry in wire.entries {
            entries.append(try MetadataEntry(entry))
        }
        return MetadataBLOB(number: wire.no, nextUpdate: wire.nextUpdate, legalHeader: wire.legalHeader, entries: entries)
    }

    /// The entry for an AAGUID, if the BLOB lists it.
    public func entry(for aaguid: AAGUID) -> MetadataEntry? {
        entries.first { $0.aaguid == aaguid }
    }

    struct Wire: Decodable {
        struct Entry: Decodable {
            struct Statement: Decodable {
                let description: String?
                let icon: String?
                let attestationRootCertificates: [String]?
                let protocolFamily: String?
            }
            struct StatusReportWire: Decodable {
                let status: String
                let effectiveDate: String?
            }
            let aaguid: String?
            let attestationCertificateKeyIdentifiers: [String]?
            let metadataStatement: Statement?
            let statusReports: [StatusReportWire]?
            let timeOfLastStatusChange: String?
        }
        let legalHeader: String?
        let no: Int
        let nextUpdate: String
        let entries: [Entry]
    }
}

/// §3.1.7 of FIDO Metadata Service 3: an authenticator model's certification or compromise status.
public struct AuthenticatorStatus: WebAuthnStringEnumeration {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let fidoCertified = Self(rawValue: "FIDO_CERTIFIED")
    public static let notFIDOCertified = Self(rawValue: "NOT_FIDO_CERTIFIED")
    public static let userVerificationBypass = Self(rawValue: "USER_VERIFICATION_BYPASS")
    public static let attestationKeyCompromise = Self(rawValue: "ATTESTATION_KEY_COMPROMISE")
    public static let userKeyRemoteCompromise = Self(rawValue: "USER_KEY_REMOTE_COMPROMISE")
    public static let userKeyPhysicalCompromise = Self(rawValue: "USER_KEY_PHYSICAL_COMPROMISE")
    public static let updateAvailable = Self(rawValue: "UPDATE_AVAILABLE")
    public static let revoked = Self(rawValue: "REVOKED")
    public static let selfAssertionSubmitted = Self(rawValue: "SELF_ASSERTION_SUBMITTED")

    /// Statuses after which an authenticator's attestation cannot be relied on.
    public static let compromised: Set<AuthenticatorStatus> = [
        .userVerificationBypass, .attestationKeyCompromise, .userKeyRemoteCompromise, .userKeyPhysicalCompromise, .revoked,
    ]

    /// Whether this is a FIDO certification: `FIDO_CERTIFIED` or one of its levels
    /// (`FIDO_CERTIFIED_L1` … `FIDO_CERTIFIED_L3plus`).
    var isFIDOCertification: Bool { rawValue.hasPrefix(Self.fidoCertified.rawValue) }
}

/// One authenticator model in a metadata BLOB.
public struct MetadataEntry: Sendable {
    /// One status report: a status and the date it took effect.
    public struct StatusReport: Sendable, Hashable {
        public let status: AuthenticatorStatus
        public let effectiveDate: String?
    }

    public let aaguid: AAGUID?
    /// For U2F authenticators: hex SHA-1 of the attestation certificate's public key.
    public let attestationCertificateKeyIdentifiers: [String]
    /// The model's name, e.g. "YubiKey 5 Series".
    public let description: String?
    /// A `data:` URL of the model's icon.
    public let icon: String?
    public let protocolFamily: String?
    /// Roots the model's attestation certificates chain to.
    public let attestationRootCertificates: [Certificate]
    public let statusReports: [StatusReport]

    init(_ wire: MetadataBLOB.Wire.Entry) throws(WebAuthnError) {
        if let text = wire.aaguid {
            guard let aaguid = AAGUID(uuidString: text) else {
                throw WebAuthnError(.malformed, "metadata entry has an invalid AAGUID \"\(text)\"")
            }
            self.aaguid = aaguid
        } else {
            self.aaguid = nil
        }
        attestationCertificateKeyIdentifiers = wire.attestationCertificateKeyIdentifiers ?? []
        description = wire.metadataStatement?.description
        icon = wire.metadataStatement?.icon
        protocolFamily = wire.metadataStatement?.protocolFamily
        var roots: [Certificate] = []
        for encoded in wire.metadataStatement?.attestationRootCertificates ?? [] {
            guard let der = Data(base64Encoded: encoded), let certificate = try? Certificate(derEncoded: Array(der)) else {
                throw WebAuthnError(.malformed, "metadata entry \(description ?? wire.aaguid ?? "?") has an attestation root that is not a certificate")
            }
            roots.append(certificate)
        }
        attestationRootCertificates = roots
        statusReports = (wire.statusReports ?? []).map {
            StatusReport(status: AuthenticatorStatus(rawValue: $0.status), effectiveDate: $0.effectiveDate)
        }
    }

    /// The most recent status (reports are listed oldest first; the latest effective date wins,
    /// and of reports with the same date the one listed last).
    public var latestStatus: AuthenticatorStatus? {
        statusReports.reduce(nil as StatusReport?) { latest, report in
            guard let latest, (report.effectiveDate ?? "") < (latest.effectiveDate ?? "") else { return report }
            return latest
        }?.status
    }

    /// Whether any report says the model is compromised (a later report does not undo it
    /// unless it is a newer certification, which FIDO issues as a new status).
    public var isCompromised: Bool { outstandingCompromise != nil }

    /// The first compromise report (a status in ``AuthenticatorStatus/compromised``) that no
    /// FIDO certification with a strictly later effective date follows. A certification of the
    /// same date does not clear it, nor does any other status (`UPDATE_AVAILABLE`, …); a report
    /// without a date cannot be shown to come later, so a compromise without one stays and a
    /// certification without one clears nothing. Effective dates are ISO 8601 (`2024-05-01`),
    /// which order as text.
    var outstandingCompromise: StatusReport? {
        statusReports.first { report in
            guard AuthenticatorStatus.compromised.contains(report.status) else { return false }
            guard let compromisedOn = report.effectiveDate else { return true }
            return !statusReports.contains { later in
                guard later.status.isFIDOCertification, let certifiedOn = later.effectiveDate else { return false }
                return certifiedOn > compromisedOn
            }
        }
    }
}

/// The metadata a relying party currently trusts: one verified BLOB, replaced only by a newer one.
public struct AuthenticatorMetadata: Sendable {
    public private(set) var blob: MetadataBLOB?

    public init(blob: MetadataBLOB? = nil) { self.blob = blob }

    /// Loads a verified BLOB, refusing one that is not newer than the current (rollback).
    public mutating func load(_ newBLOB: MetadataBLOB) throws(WebAuthnError) {
        if let current = blob, newBLOB.number <= current.number {
            throw WebAuthnError(.metadataRollback, "metadata BLOB \(newBLOB.number) is not newer than the loaded \(current.number)")
        }
        blob = newBLOB
    }

    /// The entry for an AAGUID in the loaded BLOB.
    public func entry(for aaguid: AAGUID) -> MetadataEntry? { blob?.entry(for: aaguid) }
}
