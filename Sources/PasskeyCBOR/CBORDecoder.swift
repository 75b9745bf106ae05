/// A strict, bounded CBOR decoder for authenticator data.
///
/// Only definite lengths are accepted. Every length is checked against the bytes that remain
/// before anything is allocated, so a header that claims 2^40 items fails at once; nesting and
/// the total number of items are bounded by ``Options``. Decoding is iterative, so the call
/// stack does not grow with the input whatever the options say.
public struct CBORDecoder: Sendable {
    /// Limits and strictness of one decoder.
    public struct Options: Sendable {
        /// How many arrays, maps and tags may be open at once; the top-level item is at depth 1.
        public var maximumDepth: Int = 16
        /// Items across the whole input (every key, value, element and tag counts), so a hostile
        /// input cannot make us allocate wildly.
        public var maximumItems: Int = 100_000
        /// CTAP2 canonical form (CTAP2 §8): shortest integer, length and float forms, and map keys
        /// sorted by major type, then encoded length, then bytes.
        public var requireCanonical: Bool = false

        public init() {}
    }

    public let options: Options

    public init(options: Options = .init()) {
        self.options = options
    }

    /// Decodes exactly one item; bytes left over are an error (`.trailingBytes`).
    public func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        try bytes.withUnsafeBufferPointer { (buffer) throws(CBORError) -> CBOR in
            try decodeWhole(buffer)
        }
    }

    /// Decodes exactly one item; error offsets count from the start of the slice.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> CBOR {
        try bytes.withUnsafeBufferPointer { (buffer) throws(CBORError) -> CBOR in
            try decodeWhole(buffer)
        }
    }

    /// Decodes one item starting at `offset` and returns it with the index just past it,
    /// for a COSE key inside attested credential data that extensions may follow.
    public func decodePrefix(_ bytes: [UInt8], from offset: Int = 0) throws(CBORError) -> (value: CBOR, end: Int) {
        guard offset >= 0, offset <= bytes.count else {
            throw CBORError(code: .truncated, offset: offset, message: "offset \(offset) is outside \(bytes.count) bytes")
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(CBORError) -> (value: CBOR, end: Int) in
            var reader = Reader(buffer: buffer, index: offset, options: options)
            let value = try reader.readItem()
            return (value, reader.index)
        }
    }

    private func decodeWhole(_ buffer: UnsafeBufferPointer<UInt8>) throws(CBORError) -> CBOR {
        var reader = Reader(buffer: buffer, index: 0, options: options)
        let value = try reader.readItem()
        guard reader.index == buffer.count else {
            throw CBORError(
                code: .trailingBytes, offset: reader.index,
                message: "\(buffer.count - reader.index) bytes after the item")
        }
        return value
    }
}

/// A container whose contents are still being read.
private struct Frame {
    enum Kind {
        case array
        case map
        case tag(UInt64)
    }

    let kind: Kind
    /// Where the container's head starts, so a map key that is a container knows its bytes.
    let start: Int
    /// Elements still to read; for maps, keys and values each count.
    var remaining: Int
    var elements: [CBOR] = []
    var entries: [(key: CBOR, value: CBOR)] = []
    var pendingKey: CBOR = .null
    var previousKeyBytes: Range<Int>? = nil
    /// The keys so far, found by digest: each key's digest is built from its parts' digests as
    /// the parts are read, so a key costs its size once however deep keys nest in keys. Comparing
    /// each key with every earlier one cost up to 2^depth comparisons, encoding it canonically its
    /// size at every level, and hashing it in a `Set<CBOR>` its size at every level and again
    /// whenever the set grew (all found by Fuzz/Targets/cbor.swift).
    var keys: Set<DigestedKey> = []
    /// True when this container is a map key or inside one: only then are digests kept.
    let inKey: Bool
    /// The digest so far: the kind, then the elements' digests in order for an array; for a map,
    /// `entryDigestSum` sums its entries' digests (order must not matter, as for `CBORMap`'s equality).
    var hasher = Hasher()
    var entryDigestSum = 0
    var pendingKeyDigest = 0

    init(kind: Kind, start: Int, remaining: Int, inKey: Bool) {
        self.kind = kind
        self.start = start
        self.remaining = remaining
        self.inKey = inKey
    }

    /// The digest with these last parts.
    func digest(appending parts: Int...) -> Int {
        var hasher = self.hasher
        for part in parts { hasher.combine(part) }
        return hasher.finalize()
    }

    /// Whether the next item read into this container is part of a map key.
    var nextItemIsInKey: Bool {
        if inKey { return true }
        if case .map = kind { return remaining % 2 == 0 }
        return false
    }
}

/// A map key with a digest that equal keys share (built bottom-up by the decoder, see `Frame`);
/// the set compares the keys themselves only when their digests are equal.
private struct DigestedKey: Hashable {
    let key: CBOR
    let digest: Int

    static func == (lhs: DigestedKey, rhs: DigestedKey) -> Bool {
        lhs.digest == rhs.digest && lhs.key == rhs.key
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }
}

private struct Reader {
    let buffer: UnsafeBufferPointer<UInt8>
    var index: Int
    let options: CBORDecoder.Options
    var itemCount = 0

    init(buffer: UnsafeBufferPointer<UInt8>, index: Int, options: CBORDecoder.Options) {
        self.buffer = buffer
        self.index = index
        self.options = options
    }

    /// Containers still open are not yet backed by items, so up to `maximumDepth` of them could
    /// each claim the whole input; past this many elements, storage grows as items arrive.
    static let maximumReservation = 1024

    var remainingBytes: Int { buffer.count - index }

    mutating func readItem() throws(CBORError) -> CBOR {
        var stack: [Frame] = []
        while true {
            let start = index
            guard var value = try readHead(start: start, stack: &stack) else { continue }
            var valueStart = start
            // A scalar's digest is its hash; a container's is built as it folds (see `Frame`).
            var digest = stack.last?.nextItemIsInKey == true ? value.hashValue : 0
            // Fold the finished item into the containers it completes.
            folding: while let top = stack.indices.last {
                switch stack[top].kind {
                case .tag(let tag):
                    value = .tagged(tag, value)
                    valueStart = stack[top].start
                    let frame = stack.removeLast()
                    digest = frame.inKey ? frame.digest(appending: digest) : 0
                case .array:
                    stack[top].elements.append(value)
                    if stack[top].inKey { stack[top].hasher.combine(digest) }
                    stack[top].remaining -= 1
                    guard stack[top].remaining == 0 else { break folding }
                    let frame = stack.removeLast()
                    value = .array(frame.elements)
                    valueStart = frame.start
                    digest = frame.inKey ? frame.hasher.finalize() : 0
                case .map:
                    let readingKey = stack[top].remaining % 2 == 0
                    stack[top].remaining -= 1
                    if readingKey {
                        try acceptKey(value, digest: digest, bytes: valueStart..<index, into: &stack[top])
                        break folding
                    }
                    stack[top].entries.append((key: stack[top].pendingKey, value: value))
                    if stack[top].inKey {
                        var entry = Hasher()
                        entry.combine(stack[top].pendingKeyDigest)
                        entry.combine(digest)
                        stack[top].entryDigestSum &+= entry.finalize()
                    }
                    guard stack[top].remaining == 0 else { break folding }
                    let frame = stack.removeLast()
                    value = .map(CBORMap(frame.entries))
                    valueStart = frame.start
                    digest = frame.inKey ? frame.digest(appending: frame.entries.count, frame.entryDigestSum) : 0
                }
            }
            if stack.isEmpty {
                return value
            }
        }
    }

    /// Reads one head; returns the item if it is complete, or nil after opening a container.
    private mutating func readHead(start: Int, stack: inout [Frame]) throws(CBORError) -> CBOR? {
        guard index < buffer.count else {
            throw CBORError(code: .truncated, offset: index, message: "input ends where an item should start")
        }
        itemCount += 1
        guard itemCount <= options.maximumItems else {
            throw CBORError(code: .tooLarge, offset: start, message: "more than \(options.maximumItems) items")
        }
        let initial = buffer[index]
        index += 1
        let major = initial >> 5
        let info = initial & 0x1f

        if major == 7 {
            return try readSimpleOrFloat(info: info, start: start)
        }
        let argument = try readArgument(info: info, start: start)
        switch major {
        case 0:
            return .unsigned(argument)
        case 1:
            return .negative(argument)
        case 2:
            let length = try checkedLength(argument, perItem: 1, start: start)
            let bytes = Array(UnsafeBufferPointer(rebasing: buffer[index..<(index + length)]))
            index += length
            return .bytes(bytes)
        case 3:
            let length = try checkedLength(argument, perItem: 1, start: start)
            let utf8 = UnsafeBufferPointer(rebasing: buffer[index..<(index + length)])
            guard let text = String(validating: utf8, as: UTF8.self) else {
                throw CBORError(code: .invalidUTF8, offset: start, message: "text string is not valid UTF-8")
            }
            index += length
            return .text(text)
        case 4:
            // Each element takes at least one byte, so the count can never exceed the input.
            let count = try checkedLength(argument, perItem: 1, start: start)
            try checkDepth(stack.count, start: start)
            try checkItemBudget(claimed: count, start: start)
            if count == 0 { return .array([]) }
            var frame = Frame(kind: .array, start: start, remaining: count, inKey: stack.last?.nextItemIsInKey == true)
            frame.hasher.combine(4 as UInt8)
            frame.hasher.combine(count)
            frame.elements.reserveCapacity(min(count, Self.maximumReservation))
            stack.append(frame)
            return nil
        case 5:
            let count = try checkedLength(argument, perItem: 2, start: start)
            try checkDepth(stack.count, start: start)
            try checkItemBudget(claimed: count * 2, start: start)
            if count == 0 { return .map(CBORMap()) }
            var frame = Frame(kind: .map, start: start, remaining: count * 2, inKey: stack.last?.nextItemIsInKey == true)
            frame.hasher.combine(5 as UInt8)
            frame.entries.reserveCapacity(min(count, Self.maximumReservation))
            stack.append(frame)
            return nil
        default:
            try checkDepth(stack.count, start: start)
            var frame = Frame(kind: .tag(argument), start: start, remaining: 1, inKey: stack.last?.nextItemIsInKey == true)
            frame.hasher.combine(6 as UInt8)
            frame.hasher.combine(argument)
            stack.append(frame)
            return nil
        }
    }

    private mutating func readSimpleOrFloat(info: UInt8, start: Int) throws(CBORError) -> CBOR {
        switch info {
        case 0..<20:
            return .simple(info)
        case 20:
            return .boolean(false)
        case 21:
            return .boolean(true)
        case 22:
            return .null
        case 23:
            return .undefined
        case 24:
            let value = UInt8(truncatingIfNeeded: try readBigEndian(byteCount: 1, start: start))
            guard value >= 32 else {
                throw CBORError(
                    code: .invalidSimpleValue, offset: start,
                    message: "simple value \(value) must use the one-byte form")
            }
            return .simple(value)
        case 25, 26, 27:
            let width = 1 << Int(info - 24)
            let bits = try readBigEndian(byteCount: width, start: start)
            let double: Double
            switch width {
            case 2: double = FloatWidth.double(fromHalf: UInt16(truncatingIfNeeded: bits))
            case 4: double = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            default: double = Double(bitPattern: bits)
            }
            if options.requireCanonical, FloatWidth.shortest(for: double) < width {
                throw CBORError(
                    code: .nonCanonical, offset: start,
                    message: "\(double) fits in \(FloatWidth.shortest(for: double)) bytes but uses \(width)")
            }
            // Canonical form has one NaN, f97e00: another payload or sign would give a second
            // encoding of the same value (found by Fuzz/Targets/cbor.swift).
            if options.requireCanonical, double.isNaN, bits != 0x7e00 {
                throw CBORError(code: .nonCanonical, offset: start, message: "NaN must be encoded as f97e00")
            }
            return .float(double)
        case 28, 29, 30:
            throw CBORError(
                code: .reservedAdditionalInformation, offset: start,
                message: "additional information \(info) is reserved")
        default:
            throw CBORError(code: .indefiniteLength, offset: start, message: "break byte outside an indefinite-length item")
        }
    }

    /// Reads the head's argument (RFC 8949 §3), enforcing the shortest form when canonical.
    private mutating func readArgument(info: UInt8, start: Int) throws(CBORError) -> UInt64 {
        let value: UInt64
        switch info {
        case 0..<24:
            return UInt64(info)
        case 24, 25, 26, 27:
            value = try readBigEndian(byteCount: 1 << Int(info - 24), start: start)
        case 28, 29, 30:
            throw CBORError(
                code: .reservedAdditionalInformation, offset: start,
                message: "additional information \(info) is reserved")
        default:
            throw CBORError(code: .indefiniteLength, offset: start, message: "indefinite lengths are not accepted")
        }
        if options.requireCanonical {
            let shortest: UInt8 =
                switch value {
                case 0..<24: 23
                case 24...0xff: 24
                case 0x100...0xffff: 25
                case 0x1_0000...0xffff_ffff: 26
                default: 27
                }
            guard info == shortest else {
                throw CBORError(code: .nonCanonical, offset: start, message: "\(value) is not in its shortest form")
            }
        }
        return value
    }

    private mutating func readBigEndian(byteCount: Int, start: Int) throws(CBORError) -> UInt64 {
        guard remainingBytes >= byteCount else {
            throw CBORError(code: .truncated, offset: start, message: "head needs \(byteCount) more bytes")
        }
        var value: UInt64 = 0
        for position in index..<(index + byteCount) {
            value = value << 8 | UInt64(buffer[position])
        }
        index += byteCount
        return value
    }

    /// Turns a claimed length into an `Int` the remaining input can actually hold.
    private func checkedLength(_ argument: UInt64, perItem: Int, start: Int) throws(CBORError) -> Int {
        guard argument <= UInt64(Int.max) else {
            throw CBORError(code: .integerOverflow, offset: start, message: "length \(argument) does not fit in Int")
        }
        let length = Int(argument)
        guard length <= remainingBytes / perItem else {
            throw CBORError(
                code: .truncated, offset: start,
                message: "length \(length) claims more than the \(remainingBytes) bytes that remain")
        }
        return length
    }

    private func checkItemBudget(claimed: Int, start: Int) throws(CBORError) {
        guard claimed <= options.maximumItems - itemCount else {
            throw CBORError(
                code: .tooLarge, offset: start,
                message: "\(claimed) more items would pass the limit of \(options.maximumItems)")
        }
    }

    private func checkDepth(_ openContainers: Int, start: Int) throws(CBORError) {
        guard openContainers < options.maximumDepth else {
            throw CBORError(
                code: .depthExceeded, offset: start,
                message: "nesting deeper than \(options.maximumDepth)")
        }
    }

    /// A key as an error message names it: short, and cheap to write whatever the input holds
    /// (the diagnostic form of a large key took milliseconds; found by Fuzz/Targets/cbor.swift).
    static func brief(_ key: CBOR) -> String {
        switch key {
        case .bytes(let bytes) where bytes.count > 16: "a \(bytes.count)-byte string"
        case .text(let text) where text.utf8.count > 32: "a \(text.utf8.count)-byte text string"
        case .array(let items): "an array of \(items.count) items"
        case .map(let map): "a map of \(map.count) entries"
        case .tagged(let tag, _): "a value with tag \(tag)"
        default: key.description
        }
    }

    private func acceptKey(_ key: CBOR, digest: Int, bytes: Range<Int>, into frame: inout Frame) throws(CBORError) {
        guard frame.keys.insert(DigestedKey(key: key, digest: digest)).inserted else {
            throw CBORError(code: .duplicateMapKey, offset: bytes.lowerBound, message: "map key \(Self.brief(key)) appears twice")
        }
        if options.requireCanonical {
            if let previous = frame.previousKeyBytes,
                !CanonicalOrder.precedes(buffer[previous], buffer[bytes])
            {
                throw CBORError(
                    code: .nonCanonical, offset: bytes.lowerBound,
                    message: "map key \(Self.brief(key)) is out of canonical order")
            }
            frame.previousKeyBytes = bytes
        }
        frame.pendingKey = key
        frame.pendingKeyDigest = digest
    }
}
