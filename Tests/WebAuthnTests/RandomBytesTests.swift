import Testing
@testable import WebAuthn

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

#if os(Linux)
/// The pool of 256 kernel bytes small draws come from: each byte handed out once, and a page the
/// kernel wiped (what a forked child sees) counts as empty.
@Suite("Random pool")
struct RandomPoolTests {
    /// A zeroed page as the pool lays it out, and a pool over it.
    private func withPool(_ body: (RandomPool, UnsafeMutableRawPointer) -> Void) {
        let page = UnsafeMutableRawPointer.allocate(byteCount: 8 + RandomPool.drawSize, alignment: 8)
        defer { page.deallocate() }
        page.initializeMemory(as: UInt8.self, repeating: 0, count: 8 + RandomPool.drawSize)
        let pool = RandomPool(page: page)
        body(pool, page)
    }

    private func take(_ count: Int, from pool: RandomPool) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let taken = bytes.withUnsafeMutableBytes { pool.take(count, into: $0.baseAddress!) }
        return taken ? bytes : nil
    }

    private func left(_ page: UnsafeMutableRawPointer) -> UInt64 { page.load(as: UInt64.self) }

    @Test("Draws come one after another from one page, each byte zeroed as it goes")
    func consecutive() throws {
        withPool { pool, page in
            let first = take(16, from: pool)
            #expect(left(page) == UInt64(RandomPool.drawSize - 16))
            let second = take(16, from: pool)
            #expect(left(page) == UInt64(RandomPool.drawSize - 32))
            #expect(first != nil && second != nil && first != second)
            let handedOut = UnsafeRawBufferPointer(start: page + 8, count: 32)
            #expect(handedOut.allSatisfy { $0 == 0 }, "bytes handed out are not kept")
            let rest = UnsafeRawBufferPointer(start: page + 8 + 32, count: RandomPool.drawSize - 32)
            #expect(Set(rest).count > 100, "the bytes not yet handed out are the kernel's")
        }
    }

    @Test("A draw larger than what is left takes a new page's worth")
    func refill() {
        withPool { pool, page in
            var draws: [[UInt8]] = []
            for _ in 0..<5 { draws.append(take(60, from: pool) ?? []) }
            // 4 × 60 = 240 of the first 256; the fifth needs 60 more and draws anew.
            #expect(left(page) == UInt64(RandomPool.drawSize - 60))
            #expect(Set(draws).count == 5)
            #expect(draws.allSatisfy { $0.count == 60 && Set($0).count > 20 })
        }
    }

    @Test("A wiped page (a forked child's) is empty: the next draw is new bytes, not the parent's")
    func wipedOnFork() {
        withPool { pool, page in
            _ = take(8, from: pool)
            // What the parent would hand out next.
            let parentNext = Array(UnsafeRawBufferPointer(start: page + 8 + 8, count: 16))
            page.initializeMemory(as: UInt8.self, repeating: 0, count: 8 + RandomPool.drawSize)
            let child = take(16, from: pool)
            #expect(child != nil && child != parentNext)
            #expect(left(page) == UInt64(RandomPool.drawSize - 16))
        }
    }

    @Test("Nothing, and more than the largest small draw, are refused", arguments: [0, -1, RandomPool.largestDraw + 1])
    func refused(_ count: Int) {
        withPool { pool, page in
            var byte: UInt8 = 0
            #expect(!pool.take(count, into: &byte))
            #expect(left(page) == 0)
        }
    }

    @Test("The process's own pool is set up here, wiped on fork")
    func shared() {
        #expect(RandomPool.shared != nil)
    }
}
#endif
