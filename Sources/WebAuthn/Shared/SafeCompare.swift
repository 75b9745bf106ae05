/// Compares two byte sequences in time that depends only on their lengths, for values an
/// attacker may be guessing (challenges, tokens).
@inlinable
package func constantTimeEquals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (l, r) in zip(lhs, rhs) { difference |= l ^ r }
    return difference == 0
}
