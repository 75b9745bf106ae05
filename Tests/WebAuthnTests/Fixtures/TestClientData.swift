import Foundation
import WebAuthn

/// `clientDataJSON` as a browser writes it, valid by default, with one field changed per test.
///
/// Fields are written in the order browsers use (type, challenge, origin, crossOrigin, then any
/// others); `nil` leaves a field out.
struct TestClientData {
    var type: String?
    /// The challenge as it appears in the JSON (base64url text).
    var challenge: String?
    var origin: String?
    var crossOrigin: Bool? = false
    var topOrigin: String?
    /// Further members, each as a name and its raw JSON value.
    var extraFields: [(name: String, json: String)] = []
    /// When set, these bytes are the whole clientDataJSON and every field above is ignored.
    var raw: [UInt8]?

    init(type: String, challenge: Challenge, origin: String = TestRelyingParty.origin) {
        self.type = type
        self.challenge = challenge.base64URL
        self.origin = origin
    }

    /// Client data of a `navigator.credentials.create()` call.
    static func create(challenge: Challenge) -> TestClientData {
        TestClientData(type: "webauthn.create", challenge: challenge)
    }

    /// Client data of a `navigator.credentials.get()` call.
    static func get(challenge: Challenge) -> TestClientData {
        TestClientData(type: "webauthn.get", challenge: challenge)
    }

    // MARK: One change

    func type(_ value: String?) -> Self { with { $0.type = value } }
    func challenge(_ base64URL: String?) -> Self { with { $0.challenge = base64URL } }
    func challenge(bytes: [UInt8]) -> Self { with { $0.challenge = Base64URL.encode(bytes) } }
    func origin(_ value: String?) -> Self { with { $0.origin = value } }
    func crossOrigin(_ value: Bool?) -> Self { with { $0.crossOrigin = value } }
    func topOrigin(_ value: String?) -> Self { with { $0.topOrigin = value } }
    func field(_ name: String, json: String) -> Self { with { $0.extraFields.append((name, json)) } }
    func raw(_ bytes: [UInt8]) -> Self { with { $0.raw = bytes } }
    func raw(_ text: String) -> Self { raw(Array(text.utf8)) }

    private func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }

    // MARK: Bytes

    var bytes: [UInt8] {
        if let raw { return raw }
        var members: [String] = []
        if let type { members.append("\"type\":\(Self.jsonString(type))") }
        if let challenge { members.append("\"challenge\":\(Self.jsonString(challenge))") }
        if let origin { members.append("\"origin\":\(Self.jsonString(origin))") }
        if let crossOrigin { members.append("\"crossOrigin\":\(crossOrigin)") }
        if let topOrigin { members.append("\"topOrigin\":\(Self.jsonString(topOrigin))") }
        for field in extraFields { members.append("\(Self.jsonString(field.name)):\(field.json)") }
        return Array("{\(members.joined(separator: ","))}".utf8)
    }

    /// A JSON string literal, escaped as a browser would (slashes left alone).
    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
