import Testing
import WebAuthn

/// `randomBytes` fills every byte it returns, whatever the length, from a secure generator.
@Suite("Random bytes")
struct RandomBytesTests {
    @Test("Every length comes back whole", arguments: [0, 1, 7, 8, 9, 16, 32, 255, 256, 257, 4096, 100_000])
    func lengths(_ count: Int) {
        #expect(randomBytes(count).count == count)
    }

    @Test("Every position of a draw varies: no byte is left unfilled", arguments: [1, 9, 33, 300])
    func everyPositionVaries(_ count: Int) {
        let draws = (0..<400).map { _ in randomBytes(count) }
        for position in 0..<count {
            // 400 uniform bytes take on average about 202 distinct values; a byte left as it
            // was (zero, or whatever the memory held) takes one or a few.
            let values = Set(draws.map { $0[position] })
            #expect(values.count > 150, "position \(position) of \(count) took \(values.count) values")
        }
    }

    @Test("Two 32-byte draws differ, and a long draw uses every byte value")
    func draws() {
        #expect(randomBytes(32) != randomBytes(32))
        // Each value is missing from 65,536 uniform bytes with probability about e^-256.
        #expect(Set(randomBytes(65_536)).count == 256)
    }
}
