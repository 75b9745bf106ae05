import HTTPTypes

/// Reads one cookie from a request's `Cookie` fields over their bytes.
///
/// RFC 6265 §4.2.1: the field is `name=value` pairs separated by `;` and a space (§5.4 item 4);
/// leading spaces and tabs before a name are skipped, of two cookies with one name the first
/// counts, and an empty value is no cookie. No string is made of the whole field, nor is it walked character by character: only the
/// value asked for becomes a `String`. (The field's `String` and its character-wise split cost a
/// sign-in's answer more than the seal on its ceremony does.)
enum CookieHeader {
    /// The value of the cookie `name`, or `nil` when the request carries none.
    static func value(of name: String, in fields: HTTPFields) -> String? {
        var name = name
        return name.withUTF8 { wanted in
            for field in fields where field.name == .cookie {
                if let value = field.withUnsafeBytesOfValue({ value(of: wanted, in: $0) }) { return value }
            }
            return nil
        }
    }

    /// The value of the cookie `name` in one field's bytes.
    static func value(of name: UnsafeBufferPointer<UInt8>, in field: UnsafeBufferPointer<UInt8>) -> String? {
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
                // An empty value (what clearing a cookie sets) is no cookie.
                let value = field[(pair + name.count + 1)..<end]
                return value.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: value), as: UTF8.self)
            }
            start = end + 1
        }
        return nil
    }
}
