/// Why a byte string is not CBOR this library accepts.
///
/// Equal by `code` only, so a test names the expected failure exactly without
/// depending on the wording of `message` or the offset.
public struct CBORError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, stable for programs and tests.
    public enum Code: String, Sendable {
        /// The input ends before the item does, or a length claims more bytes than remain.
        case truncated
        /// Additional information 31: indefinite lengths and the break byte are refused.
        case indefiniteLength
        /// Arrays, maps and tags nest deeper than `Options.maximumDepth`.
        case depthExceeded
        case duplicateMapKey
        /// `decode` found bytes after the top-level item.
        case trailingBytes
        case invalidUTF8
        /// A length or argument does not fit the type that must hold it.
        case integerOverflow
        /// Additional information 28, 29 or 30.
        case reservedAdditionalInformation
        /// A two-byte simple value below 32 (RFC 8949 §3.3).
        case invalidSimpleValue
        /// With `requireCanonical`: a longer form than needed or unsorted map keys.
        case nonCanonical
        /// More items than `Options.maximumItems`.
        case tooLarge
    }

    public let code: Code
    /// Byte offset where the problem was found, counted from the start of the input.
    public let offset: Int
    public let message: String

    public init(code: Code, offset: Int = 0, message: String = "") {
        self.code = code
        self.offset = offset
        self.message = message
    }

    public static func == (lhs: CBORError, rhs: CBORError) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    public var description: String {
        "CBOR \(code.rawValue) at byte \(offset)" + (message.isEmpty ? "" : ": \(message)")
    }
}
