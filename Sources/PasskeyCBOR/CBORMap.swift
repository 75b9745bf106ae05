/// A CBOR map that keeps its entries in the order they were decoded (or given).
///
/// Lookups scan the entries: the maps WebAuthn reads (COSE keys, attestation objects) have a
/// handful of keys, where a scan beats hashing. Equality is the CBOR data model's: the same
/// entries in any order, so a map compares equal to its canonically re-encoded, re-sorted self.
public struct CBORMap: Sendable, Sequence {
    /// One entry: a key and its value.
    public typealias Element = (key: CBOR, value: CBOR)

    public var entries: [(key: CBOR, value: CBOR)]

    public init(_ entries: [(key: CBOR, value: CBOR)] = []) {
        self.entries = entries
    }

    /// The value of the first entry with this key.
    public subscript(key: CBOR) -> CBOR? {
        for entry in entries where entry.key == key {
            return entry.value
        }
        return nil
    }

    /// The value for an integer key, as COSE keys and CTAP2 structures use.
    public subscript(key: Int) -> CBOR? {
        self[CBOR(key)]
    }

    /// The value for a text key, as attestation objects use.
    public subscript(key: String) -> CBOR? {
        self[CBOR.text(key)]
    }

    public var count: Int { entries.count }

    public var isEmpty: Bool { entries.isEmpty }

    public func makeIterator() -> IndexingIterator<[(key: CBOR, value: CBOR)]> {
        entries.makeIterator()
    }
}

extension CBORMap: Hashable {
    public static func == (lhs: CBORMap, rhs: CBORMap) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        // One entry pairs with one entry: no hashing (maps of one entry nested d deep hashed each
        // level's contents at every level above it; found by Fuzz/Targets/cbor.swift).
        if lhs.entries.count == 1 {
            return lhs.entries[0].key == rhs.entries[0].key && lhs.entries[0].value == rhs.entries[0].value
        }
        // Equal maps have the same entries in some order, so the same entry hashes: sorted, these
        // settle most comparisons, and pair the entries to compare, without encoding either map.
        // Comparing in canonical order encoded every entry, nested maps included, at each level of
        // nesting: a 1.5 KB COSE key of maps keyed by maps took 4.8 ms with the sanitizers (found
        // by Fuzz/Targets/cose-key.swift). Looking up every entry in the other map (both ways)
        // compared a value nested d maps deep 2^d times (found by Fuzz/Targets/cbor.swift).
        let left = lhs.entriesByHash(), right = rhs.entriesByHash()
        guard left.elementsEqual(right, by: { $0.hash == $1.hash }) else { return false }
        var start = 0
        while start < left.count {
            var end = start + 1
            while end < left.count && left[end].hash == left[start].hash { end += 1 }
            // Entries of one hash (repeated or colliding) are paired in canonical order; it is
            // almost always one entry, compared directly.
            if end - start == 1 {
                let (l, r) = (lhs.entries[left[start].index], rhs.entries[right[start].index])
                guard l.key == r.key && l.value == r.value else { return false }
            } else {
                let pairs = zip(lhs.canonicallyOrdered(left[start..<end]), rhs.canonicallyOrdered(right[start..<end]))
                guard pairs.allSatisfy({ $0.0.key == $0.1.key && $0.0.value == $0.1.value }) else { return false }
            }
            start = end
        }
        return true
    }

    /// Each entry's hash with its index, sorted by hash.
    private func entriesByHash() -> [(hash: Int, index: Int)] {
        entries.indices.map { (Self.hash(of: entries[$0]), $0) }.sorted { $0.hash < $1.hash }
    }

    private static func hash(of entry: Element) -> Int {
        var hasher = Hasher()
        hasher.combine(entry.key)
        hasher.combine(entry.value)
        return hasher.finalize()
    }

    /// These entries sorted by their canonical encodings, key then value. CBOR items are
    /// self-delimiting, so comparing the two encodings joined compares key first, then value.
    private func canonicallyOrdered(_ slice: ArraySlice<(hash: Int, index: Int)>) -> [Element] {
        slice.map { entries[$0.index] }
            .map { (order: CBOREncoder.encode($0.key) + CBOREncoder.encode($0.value), entry: $0) }
            .sorted { $0.order.lexicographicallyPrecedes($1.order) }
            .map(\.entry)
    }

    public func hash(into hasher: inout Hasher) {
        // Order must not change the hash, so entry hashes are combined commutatively.
        var combined = 0
        for entry in entries { combined &+= Self.hash(of: entry) }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }

}

extension CBORMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (CBOR, CBOR)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension CBORMap: CustomStringConvertible {
    public var description: String {
        "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
