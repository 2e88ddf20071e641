import Dispatch
import Testing

@testable import STBPTensor

@Suite struct BlockCacheTests {
    let megabyte = 1 << 20

    @Test func sizeClassesArePagesWithinASixteenthOfTheRequest() {
        var previous = 0
        for bytes in Swift.stride(from: 1, to: 80 << 20, by: 99_991) {
            let size = BlockCache.classSize(bytes)
            #expect(size >= bytes && size % 4096 == 0)
            #expect(Double(size) <= Double(bytes) * 1.0625 + 4096)
            #expect(size >= previous)
            previous = size
        }
        #expect(BlockCache.classSize(3 * megabyte) == BlockCache.classSize(3 * megabyte - 5000))
    }

    @Test func aFreedBlockServesTheNextRequestOfItsClass() {
        let cache = BlockCache(capacity: 64 * megabyte)
        let first = cache.allocate(bytes: 3 * megabyte)
        first.storeBytes(of: 42, as: Int.self)
        cache.deallocate(first, bytes: 3 * megabyte)
        #expect(cache.cachedBytes == BlockCache.classSize(3 * megabyte))
        let again = cache.allocate(bytes: 3 * megabyte - 100)
        #expect(again == first)
        #expect(cache.cachedBytes == 0)
        let other = cache.allocate(bytes: 5 * megabyte)
        #expect(other != first)
        cache.deallocate(again, bytes: 3 * megabyte - 100)
        cache.deallocate(other, bytes: 5 * megabyte)
        cache.setCapacity(0)
        #expect(cache.cachedBytes == 0)
    }

    @Test func withoutCapacityNothingIsKept() {
        let cache = BlockCache(capacity: 0)
        let block = cache.allocate(bytes: 2 * megabyte)
        cache.deallocate(block, bytes: 2 * megabyte)
        #expect(cache.cachedBytes == 0)
    }

    @Test func pastTheCapacityTheLongestKeptBlocksGo() {
        let size = BlockCache.classSize(2 * megabyte)
        let cache = BlockCache(capacity: 2 * size + size / 2)
        let blocks = (0..<3).map { _ in cache.allocate(bytes: 2 * megabyte) }
        for block in blocks { cache.deallocate(block, bytes: 2 * megabyte) }
        #expect(cache.cachedBytes == 2 * size)
        // The last freed comes back first; the first freed was unmapped.
        #expect(cache.allocate(bytes: 2 * megabyte) == blocks[2])
        #expect(cache.allocate(bytes: 2 * megabyte) == blocks[1])
        cache.setCapacity(0)
    }

    @Test func keptAndLiveBlocksStayWithinTwiceTheHighWaterMark() {
        let cache = BlockCache(capacity: 1 << 40)
        let (small, large) = (BlockCache.classSize(2 * megabyte), BlockCache.classSize(3 * megabyte))
        // High-water mark: 2 small blocks at once.
        let pair = (0..<2).map { _ in cache.allocate(bytes: 2 * megabyte) }
        for block in pair { cache.deallocate(block, bytes: 2 * megabyte) }
        #expect(cache.cachedBytes == 2 * small)
        // A large block raises the mark to `large` only (the pair is free): kept + live =
        // 2 small + large <= 2 * max(2 small, large), so both small blocks stay.
        let big = cache.allocate(bytes: 3 * megabyte)
        #expect(cache.cachedBytes == 2 * small)
        cache.deallocate(big, bytes: 3 * megabyte)
        #expect(cache.cachedBytes <= 2 * max(2 * small, large))
        #expect(cache.cachedBytes == 2 * small + large)
        cache.setCapacity(0)
        #expect(cache.cachedBytes == 0)
    }

    @Test func concurrentUsersNeverShareABlock() {
        let cache = BlockCache(capacity: 256 * megabyte)
        let failures = UncheckedSendable(UnsafeMutablePointer<Int>.allocate(capacity: 8))
        failures.value.initialize(repeating: 0, count: 8)
        defer { failures.value.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<40 {
                let bytes = (1 + (worker + round) % 3) * megabyte
                let block = cache.allocate(bytes: bytes).bindMemory(to: Int.self, capacity: bytes / 8)
                for i in Swift.stride(from: 0, to: bytes / 8, by: 512) { block[i] = worker * 1000 + round }
                for i in Swift.stride(from: 0, to: bytes / 8, by: 512) where block[i] != worker * 1000 + round {
                    failures.value[worker] += 1
                }
                cache.deallocate(UnsafeMutableRawPointer(block), bytes: bytes)
            }
        }
        #expect((0..<8).allSatisfy { failures.value[$0] == 0 })
        cache.setCapacity(0)
    }
}
