/// Text for HTML: the one escaping the mails and the server's own small pages use.
public enum HTMLText {
    /// `text` made safe inside HTML elements and quoted attribute values: `&`, `<`, `>`, `"` and
    /// `'` written as character references, everything else as it is.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
