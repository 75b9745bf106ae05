import Crypto
import Foundation
import X509

/// A JSON Web Signature in compact serialization (RFC 7515) whose signing key is the leaf of
/// the `x5c` certificate chain in its header, as FIDO metadata BLOBs and SafetyNet use it.
struct CompactJWS: Sendable {
    struct Header: Decodable {
        let alg: String
        let x5c: [String]?
    }

    let header: Header
    let payload: [UInt8]
    let signingInput: [UInt8]
    let signature: [UInt8]
    /// The `x5c` chain, leaf first.
    let certificates: [Certificate]

    init(_ compact: String, what: String) throws(WebAuthnError) {
        try self.init(utf8: Array(compact.utf8), what: what)
    }

    /// Reads the token from its UTF-8 bytes: a metadata BLOB is megabytes, and trimming and
    /// splitting it as a String (Foundation trims through UTF-16) cost more than checking its
    /// signature.
    init(utf8: [UInt8], what: String) throws(WebAuthnError) {
        // Whitespace around the token (a BLOB file ending in a newline) is not part of it; a
        // compact JWS itself has none (RFC 7515 §7.1).
        var start = utf8.startIndex, end = utf8.endIndex
        while start < end, Self.isASCIIWhitespace(utf8[start]) { start += 1 }
        while end > start, Self.isASCIIWhitespace(utf8[end - 1]) { end -= 1 }
        let parts = utf8[start..<end].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw WebAuthnError(.malformed, "\(what) is not a compact JWS (three dot-separated parts)")
        }
        guard let headerBytes = parts[0].withUnsafeBufferPointer({ Base64URL.decode(utf8: $0) }),
              let payload = parts[1].withUnsafeBufferPointer({ Base64URL.decode(utf8: $0) }),
              let signature = parts[2].withUnsafeBufferPointer({ Base64URL.decode(utf8: $0) }) else {
            throw WebAuthnError(.malformed, "\(what) has a part that is not base64url")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch {
            throw WebAuthnError(.malformed, "\(what) has no valid JOSE header")
        }
        // RFC 7515 §4.1.6: x5c is the signing certificate and its chain; bounded before any is
        // decoded, and one chain (no subject twice) once they are.
        try CertificateChains.checkCount(header.x5c?.count ?? 0, what: what)
        var certificates: [Certificate] = []
        for entry in header.x5c ?? [] {
            // x5c holds standard base64 (RFC 7515 §4.1.6), not base64url.
            guard let der = Data(base64Encoded: entry) else {
                throw WebAuthnError(.malformed, "\(what) has an x5c entry that is not base64")
            }
            do {
                certificates.append(try Certificate(derEncoded: Array(der)))
            } catch {
                throw WebAuthnError(.malformed, "\(what) has an x5c certificate that is not valid DER")
            }
        }
        try CertificateChains.checkShape(certificates, what: what)
        self.header = header
        self.payload = payload
        self.signature = signature
        self.signingInput = Array(utf8[parts[0].startIndex..<parts[1].endIndex])
        self.certificates = certificates
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Verifies the signature with the leaf certificate's key, or throws `bad_signature`.
    func verifySignature(what: String) throws(WebAuthnError) {
        guard let leaf = certificates.first else {
            throw WebAuthnError(.malformed, "\(what) has no x5c certificate chain")
        }
        let algorithm: COSEAlgorithmIdentifier
        var signature = self.signature
        switch header.alg {
        case "RS256": algorithm = .rs256
        case "RS384": algorithm = .rs384
        case "RS512": algorithm = .rs512
        case "PS256": algorithm = .ps256
        case "PS384": algorithm = .ps384
        case "PS512": algorithm = .ps512
        case "EdDSA": algorithm = .edDSA
        case "ES256", "ES384", "ES512":
            algorithm = header.alg == "ES256" ? .es256 : header.alg == "ES384" ? .es384 : .es512
            // JWS carries ECDSA signatures as r ‖ s, each exactly the curve's size (RFC 7518 §3.4):
            // 64, 96 or 132 bytes; the verifier takes DER.
            let size = header.alg == "ES256" ? 64 : header.alg == "ES384" ? 96 : 132
            guard signature.count == size, let der = Self.derSignature(rawRS: signature) else {
                throw WebAuthnError(.badSignature, "\(what) has an ECDSA signature of the wrong length")
            }
            signature = der
        default:
            throw WebAuthnError(.unsupportedAlgorithm, "\(what) uses JWS algorithm \(header.alg)")
        }
        let verifier = try AttestationCertificates.verifier(for: leaf, algorithm: algorithm)
        guard verifier.isValid(signature: signature, for: signingInput) else {
            throw WebAuthnError(.badSignature, "\(what) signature does not verify")
        }
    }

    /// DER `ECDSA-Sig-Value` from r ‖ s of equal halves, each at most 66 bytes (P-521's).
    static func derSignature(rawRS: [UInt8]) -> [UInt8]? {
        guard !rawRS.isEmpty, rawRS.count % 2 == 0, rawRS.count <= 132 else { return nil }
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop(while: { $0 == 0 }))
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02] + length(value.count) + value
        }
        func length(_ count: Int) -> [UInt8] {
            count < 0x80 ? [UInt8(count)] : count < 0x100 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        }
        let half = rawRS.count / 2
        let body = integer(rawRS[0..<half]) + integer(rawRS[half...])
        return [0x30] + length(body.count) + body
    }
}
