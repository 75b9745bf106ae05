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
        // Equal maps hash alike, so different hashes settle it without encoding either map: a set
        // of map keys (the decoder's repeated-key check) compares each new key with those in its
        // probe path, and encoding both made a 2.6 KB COSE key of maps keyed by maps take 7 ms
        // (found by Fuzz/Targets/cose-key.swift).
        guard lhs.hashValue == rhs.hashValue else { return false }
        // Both maps' entries are put in canonical order and compared pairwise, so each nested
        // value is compared once. Looking up every entry in the other map (both ways) compared a
        // value nested d maps deep 2^d times: a 157-byte key took 10 ms, and a request body of
        // nested keys could take minutes (found by Fuzz/Targets/cbor.swift).
        return zip(lhs.canonicallyOrdered(), rhs.canonicallyOrdered()).allSatisfy {
            $0.key == $1.key && $0.value == $1.value
        }
    }

    /// The entries sorted by their canonical encodings, key then value. CBOR items are
    /// self-delimiting, so comparing the two encodings joined compares key first, then value.
    private func canonicallyOrdered() -> [Element] {
        entries
            .map { (order: CBOREncoder.encode($0.key) + CBOREncoder.encode($0.value), entry: $0) }
            .sorted { $0.order.lexicographicallyPrecedes($1.order) }
            .map(\.entry)
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
