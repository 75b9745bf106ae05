import HTTPTypes

/// Reads one cookie from a request's `Cookie` fields over their bytes.
///
/// RFC 6265 §4.2.1: the field is `name=value` pairs separated by `;` and a space (§5.4 item 4);
/// leading spaces and tabs before a name are skipped, and an empty value is no cookie. A name sent
/// twice is no cookie either: a browser sends two only when another host or path set a second one
/// (a sibling subdomain "tossing" its own session in, RFC 6265bis §8.5), and neither can be
/// trusted to be ours. No string is made of the whole field, nor is it walked character by
/// character: only the value asked for becomes a `String`. (The field's `String` and its
/// character-wise split cost a sign-in's answer more than the seal on its ceremony does.)
enum CookieHeader {
    /// The value of the cookie `name`, or `nil` when the request carries none, an empty one, or
    /// more than one.
    static func value(of name: String, in fields: HTTPFields) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            var found: Found = .none
            for field in fields where field.name == .cookie {
                field.withUnsafeBytesOfValue { find(wanted, in: $0, into: &found) }
            }
            guard case .one(let value) = found, !value.isEmpty else { return nil }
            return value
        }
    }

    /// What a search for one name found so far.
    enum Found {
        case none
        case one(String)
        case several
    }

    /// The value of the cookie `name` in one field's bytes (`nil` as ``value(of:in:)-swift.type.method`` says).
    static func value(of name: UnsafeBufferPointer<UInt8>, in field: UnsafeBufferPointer<UInt8>) -> String? {
        var found: Found = .none
        find(name, in: field, into: &found)
        guard case .one(let value) = found, !value.isEmpty else { return nil }
        return value
    }

    /// Adds what `field` holds of the cookie `name` to `found`.
    static func find(_ name: UnsafeBufferPointer<UInt8>, in field: UnsafeBufferPointer<UInt8>, into found: inout Found) {
        let semicolon = UInt8(ascii: ";"), equals = UInt8(ascii: "="), space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        var start = field.startIndex
        while start < field.endIndex {
            var end = start
            while end < field.endIndex, field[end] != semicolon { end += 1 }
            var pair = start
            while pair < end, field[pair] == space || field[pair] == tab { pair += 1 }
            if end - pair > name.count, field[pair + name.count] == equals,
                name.indices.allSatisfy({ field[pair + $0] == name[$0] })
            {
                guard case .none = found else {
                    found = .several
                    return
                }
                let value = field[(pair + name.count + 1)..<end]
                found = .one(String(decoding: UnsafeBufferPointer(rebasing: value), as: UTF8.self))
            }
            start = end + 1
        }
    }
}
