/// Writes RFC 8259 JSON text member by member into bytes: for the few values a server sends on
/// every ceremony (the sign-in options, the ceremony state), without Foundation's `JSONEncoder`,
/// which builds a tree of every value first and took about 4 % of a sign-in's server time
/// (docs/performance.md).
///
/// Commas come by themselves: a value or a key that follows another at the same level is
/// preceded by one. Strings are escaped as RFC 8259 §7 requires (quotation mark, reverse solidus,
/// control characters); `/` is not escaped, as the server's `JSONEncoder` does not either.
package struct JSONWriter: Sendable {
    /// The text written so far, UTF-8.
    package private(set) var bytes: [UInt8] = []
    /// Whether the next value or key is the first at its level (no comma before it).
    private var atStart = true

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    package mutating func beginObject() { open(UInt8(ascii: "{")) }

    package mutating func endObject() { close(UInt8(ascii: "}")) }

    package mutating func beginArray() { open(UInt8(ascii: "[")) }

    package mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        atStart = true
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        atStart = false
    }

    /// A member's name; its value is written next.
    package mutating func key(_ name: String) {
        string(name)
        bytes.append(UInt8(ascii: ":"))
        atStart = true
    }

    package mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        // Most strings (base64url, identifiers, names) need no escape: copied whole.
        var value = value
        let written = value.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if written {
            bytes.append(UInt8(ascii: "\""))
            atStart = false
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    digits[Int(byte >> 4)], digits[Int(byte & 0x0F)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        atStart = false
    }

    /// Bytes as base64url text without padding, the form of every WebAuthn byte string in JSON.
    package mutating func base64URL(_ value: [UInt8]) {
        string(Base64URL.encode(value))
    }

    package mutating func integer(_ value: Int) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        atStart = false
    }

    package mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        atStart = false
    }

    package mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        atStart = false
    }

    private mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
    }
}

extension PublicKeyCredentialRequestOptionsJSON {
    /// Writes the options as their `Encodable` conformance does: the same members in the same
    /// order, members whose value is `nil` left out.
    package func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("challenge")
        writer.base64URL(challenge.bytes)
        if let timeout {
            writer.key("timeout")
            writer.integer(timeout)
        }
        if let rpId {
            writer.key("rpId")
            writer.string(rpId)
        }
        writer.key("allowCredentials")
        writer.beginArray()
        for descriptor in allowCredentials { descriptor.write(to: &writer) }
        writer.endArray()
        if let userVerification {
            writer.key("userVerification")
            writer.string(userVerification.rawValue)
        }
        if let hints {
            writer.key("hints")
            writer.beginArray()
            for hint in hints { writer.string(hint.rawValue) }
            writer.endArray()
        }
        writer.endObject()
    }
}

extension PublicKeyCredentialDescriptorJSON {
    /// Writes the descriptor as its `Encodable` conformance does.
    package func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("type")
        writer.string(type)
        writer.key("id")
        writer.base64URL(id.bytes)
        if let transports {
            writer.key("transports")
            writer.beginArray()
            for transport in transports { writer.string(transport.rawValue) }
            writer.endArray()
        }
        writer.endObject()
    }
}

extension PublicKeyCredentialCreationOptionsJSON {
    /// Writes the options as their `Encodable` conformance does: the same members in the same
    /// order, members whose value is `nil` left out.
    package func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("rp")
        writer.beginObject()
        if let id = rp.id {
            writer.key("id")
            writer.string(id)
        }
        writer.key("name")
        writer.string(rp.name)
        writer.endObject()
        writer.key("user")
        writer.beginObject()
        writer.key("id")
        writer.base64URL(user.id.bytes)
        writer.key("name")
        writer.string(user.name)
        writer.key("displayName")
        writer.string(user.displayName)
        writer.endObject()
        writer.key("challenge")
        writer.base64URL(challenge.bytes)
        writer.key("pubKeyCredParams")
        writer.beginArray()
        for parameters in pubKeyCredParams {
            writer.beginObject()
            writer.key("type")
            writer.string(parameters.type)
            writer.key("alg")
            writer.integer(parameters.alg.rawValue)
            writer.endObject()
        }
        writer.endArray()
        if let timeout {
            writer.key("timeout")
            writer.integer(timeout)
        }
        writer.key("excludeCredentials")
        writer.beginArray()
        for descriptor in excludeCredentials { descriptor.write(to: &writer) }
        writer.endArray()
        if let selection = authenticatorSelection {
            writer.key("authenticatorSelection")
            writer.beginObject()
            if let attachment = selection.authenticatorAttachment {
                writer.key("authenticatorAttachment")
                writer.string(attachment.rawValue)
            }
            if let residentKey = selection.residentKey {
                writer.key("residentKey")
                writer.string(residentKey.rawValue)
            }
            if let requireResidentKey = selection.requireResidentKey {
                writer.key("requireResidentKey")
                writer.bool(requireResidentKey)
            }
            if let userVerification = selection.userVerification {
                writer.key("userVerification")
                writer.string(userVerification.rawValue)
            }
            writer.endObject()
        }
        if let hints {
            writer.key("hints")
            writer.beginArray()
            for hint in hints { writer.string(hint.rawValue) }
            writer.endArray()
        }
        if let attestation {
            writer.key("attestation")
            writer.string(attestation.rawValue)
        }
        if let extensions {
            writer.key("extensions")
            writer.beginObject()
            if let credProps = extensions.credProps {
                writer.key("credProps")
                writer.bool(credProps)
            }
            writer.endObject()
        }
        writer.endObject()
    }
}

extension RegistrationCeremony {
    /// The ceremony as JSON, as its `Codable` conformance writes and reads it.
    package func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 192)
        writer.beginObject()
        writer.key("challenge")
        writer.base64URL(challenge.bytes)
        writer.key("userHandle")
        writer.base64URL(userHandle.bytes)
        writer.key("userVerification")
        writer.string(userVerification.rawValue)
        writer.key("algorithms")
        writer.beginArray()
        for algorithm in algorithms { writer.integer(algorithm.rawValue) }
        writer.endArray()
        writer.key("mediation")
        writer.string(mediation.rawValue)
        writer.endObject()
        return writer.bytes
    }
}

extension AuthenticationCeremony {
    /// The ceremony as JSON, as its `Codable` conformance writes and reads it.
    package func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + allowCredentials.count * 48)
        writer.beginObject()
        writer.key("challenge")
        writer.base64URL(challenge.bytes)
        writer.key("allowCredentials")
        writer.beginArray()
        for id in allowCredentials { writer.base64URL(id.bytes) }
        writer.endArray()
        writer.key("userVerification")
        writer.string(userVerification.rawValue)
        if let userHandle {
            writer.key("userHandle")
            writer.base64URL(userHandle.bytes)
        }
        writer.endObject()
        return writer.bytes
    }
}

extension AuthenticationResponseJSON {
    /// The answer as its `Encodable` conformance writes it (the same members, `nil` ones left
    /// out): what a client posts to finish a sign-in (`passkeys bench http` sends it many times a
    /// second).
    package func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(
            capacity: 160 + id.utf8.count + (rawId.bytes.count + response.clientDataJSON.bytes.count
                + response.authenticatorData.bytes.count + response.signature.bytes.count + 64) * 4 / 3)
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("rawId")
        writer.base64URL(rawId.bytes)
        writer.key("response")
        writer.beginObject()
        writer.key("clientDataJSON")
        writer.base64URL(response.clientDataJSON.bytes)
        writer.key("authenticatorData")
        writer.base64URL(response.authenticatorData.bytes)
        writer.key("signature")
        writer.base64URL(response.signature.bytes)
        if let userHandle = response.userHandle {
            writer.key("userHandle")
            writer.base64URL(userHandle.bytes)
        }
        writer.endObject()
        if let authenticatorAttachment {
            writer.key("authenticatorAttachment")
            writer.string(authenticatorAttachment.rawValue)
        }
        writer.key("clientExtensionResults")
        writer.beginObject()
        if let credProps = clientExtensionResults.credProps {
            writer.key("credProps")
            writer.beginObject()
            if let rk = credProps.rk {
                writer.key("rk")
                writer.bool(rk)
            }
            writer.endObject()
        }
        writer.endObject()
        writer.key("type")
        writer.string(type)
        writer.endObject()
        return writer.bytes
    }
}
