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
        /// input cannot make us allocate wildly, nor spend long on a few kilobytes of small
        /// containers. What WebAuthn decodes is small: the largest attestation object among the
        /// conformance vectors (a TPM one with its certificate chain) has 21 items.
        public var maximumItems: Int = 1_000
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

/// A container whose contents are still being read. A container in a key keeps its digest in the
/// reader's `hashers`: only such containers need one.
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
    /// An array's elements so far.
    var elements: [CBOR] = []
    /// A map's entries so far, and what it keeps to read its keys.
    var map: MapState
    /// True when this container is a map key or inside one: only then is a digest kept.
    let inKey: Bool

    init(kind: Kind, start: Int, remaining: Int, inKey: Bool, map: MapState = MapState(keyDigestsStart: 0)) {
        self.kind = kind
        self.start = start
        self.remaining = remaining
        self.inKey = inKey
        self.map = map
    }

    /// Whether the next item read into this container is part of a map key.
    var nextItemIsInKey: Bool {
        if inKey { return true }
        if case .map = kind { return remaining % 2 == 0 }
        return false
    }
}

/// What a map being read keeps besides its entries' count.
private struct MapState {
    var entries: [(key: CBOR, value: CBOR)] = []
    var pendingKey: CBOR = .null
    var pendingKeyDigest = 0
    var previousKeyBytes: Range<Int>? = nil
    /// Where this map's key digests start in the reader's `keyDigests`: a map's keys are all read
    /// while it is the innermost map being filled, so the maps open at once share one stack of
    /// digests instead of a set each (a set per map was most of the allocations of an input of
    /// many small maps; found by Fuzz/Targets/cbor.swift).
    let keyDigestsStart: Int
    /// The keys so far, found by digest, once the map has more than `Reader.linearKeys` of them.
    /// Each key's digest is built from its parts' digests as the parts are read, so a key costs its
    /// size once however deep keys nest in keys. Comparing each key with every earlier one cost up
    /// to 2^depth comparisons, encoding it canonically its size at every level, and hashing it in a
    /// `Set<CBOR>` its size at every level and again whenever the set grew (all found by
    /// Fuzz/Targets/cbor.swift).
    var keys: Set<DigestedKey>? = nil
    /// For a map in a key: the sum of its entries' digests (order must not matter, as for
    /// `CBORMap`'s equality).
    var entryDigestSum = 0
}

/// A map key with a digest that equal keys share (built bottom-up by the decoder, see `MapState`);
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
    /// The key digests of the maps being read, innermost last (see `MapState.keyDigestsStart`).
    var keyDigests: [Int] = []
    /// The digests so far of the containers in a key, innermost last: those containers are the
    /// innermost open ones, so their digests stack as they do. A digest starts with the kind, then
    /// takes an array's elements' digests in order; a map's is its count and `entryDigestSum`.
    var hashers: [Hasher] = []

    init(buffer: UnsafeBufferPointer<UInt8>, index: Int, options: CBORDecoder.Options) {
        self.buffer = buffer
        self.index = index
        self.options = options
    }

    /// Containers still open are not yet backed by items, so up to `maximumDepth` of them could
    /// each claim the whole input; past this many elements, storage grows as items arrive.
    static let maximumReservation = 1024

    /// Up to this many keys, a new key is looked for among its map's earlier keys one by one, by
    /// digest; past it, in a set.
    static let linearKeys = 16

    var remainingBytes: Int { buffer.count - index }

    mutating func readItem() throws(CBORError) -> CBOR {
        var stack: [Frame] = []
        // Room for the usual depth at once (the limit can be set far higher than any input nests).
        stack.reserveCapacity(min(max(options.maximumDepth, 0), 16))
        while true {
            let start = index
            guard var value = try readHead(start: start, stack: &stack) else { continue }
            var valueStart = start
            // A scalar's digest is its hash; a container's is built as it folds (see `hashers`).
            var digest = Self.nextItemIsInKey(stack) ? value.hashValue : 0
            // Fold the finished item into the containers it completes.
            folding: while let top = stack.indices.last {
                switch stack[top].kind {
                case .tag(let tag):
                    value = .tagged(tag, value)
                    valueStart = stack[top].start
                    if stack.removeLast().inKey {
                        var hasher = hashers.removeLast()
                        hasher.combine(digest)
                        digest = hasher.finalize()
                    }
                case .array:
                    stack[top].elements.append(value)
                    if stack[top].inKey { hashers[hashers.count - 1].combine(digest) }
                    stack[top].remaining -= 1
                    guard stack[top].remaining == 0 else { break folding }
                    let frame = stack.removeLast()
                    value = .array(frame.elements)
                    valueStart = frame.start
                    if frame.inKey { digest = hashers.removeLast().finalize() }
                case .map:
                    let readingKey = stack[top].remaining % 2 == 0
                    stack[top].remaining -= 1
                    if readingKey {
                        try acceptKey(value, digest: digest, bytes: valueStart..<index, into: &stack[top].map)
                        break folding
                    }
                    stack[top].map.entries.append((key: stack[top].map.pendingKey, value: value))
                    if stack[top].inKey {
                        var entry = Hasher()
                        entry.combine(stack[top].map.pendingKeyDigest)
                        entry.combine(digest)
                        stack[top].map.entryDigestSum &+= entry.finalize()
                    }
                    guard stack[top].remaining == 0 else { break folding }
                    let frame = stack.removeLast()
                    let state = frame.map
                    keyDigests.removeSubrange(state.keyDigestsStart...)
                    value = .map(CBORMap(state.entries))
                    valueStart = frame.start
                    if frame.inKey {
                        var hasher = hashers.removeLast()
                        hasher.combine(state.entries.count)
                        hasher.combine(state.entryDigestSum)
                        digest = hasher.finalize()
                    }
                }
            }
            if stack.isEmpty {
                return value
            }
        }
    }

    /// Opens a container: a digest for it when it is in a key, then its frame.
    private mutating func open(_ frame: Frame, on stack: inout [Frame], digestParts: (UInt64, UInt64?)) {
        if frame.inKey {
            var hasher = Hasher()
            hasher.combine(digestParts.0)
            if let second = digestParts.1 { hasher.combine(second) }
            hashers.append(hasher)
        }
        stack.append(frame)
    }

    /// Whether the next item read is part of a map key. (`stack.last` would copy the whole frame.)
    private static func nextItemIsInKey(_ stack: [Frame]) -> Bool {
        guard let top = stack.indices.last else { return false }
        return stack[top].nextItemIsInKey
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
            var frame = Frame(kind: .array, start: start, remaining: count, inKey: Self.nextItemIsInKey(stack))
            frame.elements.reserveCapacity(min(count, Self.maximumReservation))
            open(frame, on: &stack, digestParts: (4, UInt64(count)))
            return nil
        case 5:
            let count = try checkedLength(argument, perItem: 2, start: start)
            try checkDepth(stack.count, start: start)
            try checkItemBudget(claimed: count * 2, start: start)
            if count == 0 { return .map(CBORMap()) }
            // Room for the keys of the usual maps at once, in one allocation.
            if keyDigests.capacity == 0 { keyDigests.reserveCapacity(16) }
            var state = MapState(keyDigestsStart: keyDigests.count)
            state.entries.reserveCapacity(min(count, Self.maximumReservation))
            open(
                Frame(kind: .map, start: start, remaining: count * 2, inKey: Self.nextItemIsInKey(stack), map: state),
                on: &stack, digestParts: (5, nil))
            return nil
        default:
            try checkDepth(stack.count, start: start)
            open(
                Frame(kind: .tag(argument), start: start, remaining: 1, inKey: Self.nextItemIsInKey(stack)),
                on: &stack, digestParts: (6, argument))
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

    /// Takes a key into the innermost open map: refuses a repeat, and when canonical, a key out of
    /// order.
    private mutating func acceptKey(_ key: CBOR, digest: Int, bytes: Range<Int>, into map: inout MapState) throws(CBORError) {
        // The earlier keys are the entries' keys, their digests at `keyDigestsStart...` in order.
        let earlier = map.entries.count
        let first = map.keyDigestsStart
        var repeated = false
        if earlier < Self.linearKeys {
            for index in 0..<earlier where keyDigests[first + index] == digest && map.entries[index].key == key {
                repeated = true
                break
            }
        } else {
            if map.keys == nil {
                var keys = Set<DigestedKey>(minimumCapacity: earlier * 2)
                for index in 0..<earlier {
                    keys.insert(DigestedKey(key: map.entries[index].key, digest: keyDigests[first + index]))
                }
                map.keys = keys
            }
            repeated = map.keys?.insert(DigestedKey(key: key, digest: digest)).inserted == false
        }
        guard !repeated else {
            throw CBORError(code: .duplicateMapKey, offset: bytes.lowerBound, message: "map key \(Self.brief(key)) appears twice")
        }
        keyDigests.append(digest)
        if options.requireCanonical {
            if let previous = map.previousKeyBytes,
                !CanonicalOrder.precedes(buffer[previous], buffer[bytes])
            {
                throw CBORError(
                    code: .nonCanonical, offset: bytes.lowerBound,
                    message: "map key \(Self.brief(key)) is out of canonical order")
            }
            map.previousKeyBytes = bytes
        }
        map.pendingKey = key
        map.pendingKeyDigest = digest
    }
}
