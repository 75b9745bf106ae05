import Foundation
import WebAuthn

/// What a browser does before it calls the authenticator: serialise the client data (§5.8.1.1)
/// and work out the RP ID from the origin (§5.1.3 step 8, §5.1.4.1 step 8).
enum ClientDataBuilder {
    /// §5.8.1.1 `CollectedClientData` serialised as browsers do, fields in this order:
    /// `{"type":…,"challenge":…,"origin":…,"crossOrigin":…}`.
    static func json(type: String, challenge: [UInt8], origin: String, crossOrigin: Bool) -> [UInt8] {
        var out = Array(#"{"type":"#.utf8)
        appendString(type, to: &out)
        out += Array(#","challenge":"#.utf8)
        appendString(Base64URL.encode(challenge), to: &out)
        out += Array(#","origin":"#.utf8)
        appendString(origin, to: &out)
        out += Array((crossOrigin ? #","crossOrigin":true}"# : #","crossOrigin":false}"#).utf8)
        return out
    }

    /// §5.8.1.2 "CCDToString" string serialisation: `"` and `\` escaped, control characters as `\uXXXX`.
    private static func appendString(_ string: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0..<0x20:
                out += Array(#"\u00"#.utf8)
                out += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The RP ID to use: the one the options name, which must be the origin's host or a domain
    /// it belongs to, or else the origin's host. Android app origins have no host, so they need
    /// an RP ID and are not checked against it.
    static func relyingPartyID(_ requested: String?, origin: String) throws(SoftwareAuthenticatorError) -> String {
        if origin.hasPrefix("android:apk-key-hash:") {
            guard let requested, !requested.isEmpty else {
                throw SoftwareAuthenticatorError(.invalidOptions, "an Android origin needs an RP ID in the options")
            }
            return requested
        }
        guard let components = URLComponents(string: origin), let scheme = components.scheme,
              scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty
        else {
            throw SoftwareAuthenticatorError(.invalidOptions, "\"\(origin)\" is not an origin (scheme://host[:port])")
        }
        guard let requested else { return host }
        guard !requested.isEmpty, requested == host || host.hasSuffix("." + requested) else {
            throw SoftwareAuthenticatorError(.invalidOptions, "RP ID \"\(requested)\" is not \(host) or a domain it belongs to")
        }
        return requested
    }
}
