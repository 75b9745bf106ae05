/// A CBOR map that keeps its entries in the order they were decoded (or given).
///
/// Lookups scan the entries: the maps WebAuthn reads (COSE keys, attestation objects) have a
/// handful of keys, where a scan beats hashing. Equality is the CBOR data model's: the same
/// entries in any order, so a map compares equal to its canonically re-encoded, re-sorted self.
public struct CBORMap: Sendable, Sequence {
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
        if lhs.entries.count <= 16 {
            return lhs.entries.allSatisfy { rhs.contains(entry: $0) }
                && rhs.entries.allSatisfy { lhs.contains(entry: $0) }
        }
        return Set(lhs.entries.map(Entry.init)) == Set(rhs.entries.map(Entry.init))
    }

    public func hash(into hasher: inout Hasher) {
        // Order must not change the hash, so entry hashes are combined commutatively.
        var combined = 0
        for entry in entries {
            var entryHasher = Hasher()
            entryHasher.combine(entry.key)
            entryHasher.combine(entry.value)
            combined &+= entryHasher.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }

    private func contains(entry: Element) -> Bool {
        entries.contains { $0.key == entry.key && $0.value == entry.value }
    }

    private struct Entry: Hashable {
        let key: CBOR
        let value: CBOR
        init(_ element: Element) {
            key = element.key
            value = element.value
        }
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
