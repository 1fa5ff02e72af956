import Foundation
import PeilModel
import Telemetry

/// The machine's speed while a bench runs, sampled: every 100 ms, on a thread of its own, two
/// fixed pieces of work timed in the thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`), so that
/// waiting for a core does not count, only how fast a core did the work once it had one. One
/// piece is arithmetic (a core's own speed, or its sharing with a sibling); the other chases
/// pointers through 8 MiB (the caches and memory, which neighbours on the host share). The
/// same work in more microseconds is a slower stretch of the machine, whatever the bench does.
final class MachineSpeedSampler: @unchecked Sendable {
    /// Medians (p50 by nearest rank, as the bench's other figures) of the samples taken inside
    /// the window, in microseconds of CPU.
    struct Figures: Codable, Sendable {
        var computeMicroseconds: Double
        var memoryMicroseconds: Double
        var samples: Int
    }

    private let window: ClosedRange<ContinuousClock.Instant>
    private let lock = NSLock()
    private var compute: [Double] = []
    private var memory: [Double] = []
    private var stopped = false
    private var checksum: UInt64 = 0
    private let done = DispatchSemaphore(value: 0)

    init(window: ClosedRange<ContinuousClock.Instant>) {
        self.window = window
    }

    func start() {
        let thread = Thread { [self] in
            let chain = Self.chain(count: 1 << 21)
            var at: UInt32 = 0
            var sink: UInt64 = 0
            while !lock.withLock({ stopped }), ContinuousClock.now <= window.upperBound {
                let inWindow = window.contains(ContinuousClock.now)
                let (arithmetic, a) = Self.cpuMicroseconds { Self.arithmetic(steps: 200_000) }
                let (chase, b) = Self.cpuMicroseconds {
                    at = Self.chase(chain, from: at, steps: 20_000)
                    return UInt64(at)
                }
                sink &+= a &+ b
                if inWindow { lock.withLock { compute.append(arithmetic); memory.append(chase) } }
                Thread.sleep(forTimeInterval: 0.1)
            }
            lock.withLock { checksum = sink }  // the work's results are used, so it is done
            done.signal()
        }
        thread.name = "machine-speed"
        thread.start()
    }

    /// Stops the sampling and gives the medians of the window's samples.
    func finish() -> Figures {
        lock.withLock { stopped = true }
        done.wait()
        return lock.withLock {
            Figures(computeMicroseconds: nearestRank(compute.sorted(), 0.5), memoryMicroseconds: nearestRank(memory.sorted(), 0.5),
                    samples: compute.count)
        }
    }

    private static func cpuMicroseconds(_ work: () -> UInt64) -> (Double, UInt64) {
        let before = ProcessCPU.threadSeconds()
        let value = work()
        return ((ProcessCPU.threadSeconds() - before) * 1_000_000, value)
    }

    private static func arithmetic(steps: Int) -> UInt64 {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for step in 0..<steps { x = (x ^ UInt64(step)) &* 0xBF58_476D_1CE4_E5B9; x ^= x >> 31 }
        return x
    }

    /// A single cycle through `count` slots in a shuffled order (Sattolo's shuffle), so each step
    /// of a chase depends on the last and lands somewhere the caches did not expect. The order
    /// comes from a fixed seed, so every run chases the same cycle.
    private static func chain(count: Int) -> [UInt32] {
        var next = Array(0..<UInt32(count))
        var generator = SplitMix64(seed: 0x5045_494C)
        for index in stride(from: count - 1, to: 0, by: -1) {
            next.swapAt(index, Int.random(in: 0..<index, using: &generator))
        }
        return next
    }

    /// Follows the chain `steps` steps from `start`; where it stopped (the next chase goes on
    /// from there, so that no sample walks slots a recent one left in the caches).
    private static func chase(_ chain: [UInt32], from start: UInt32, steps: Int) -> UInt32 {
        var at = start
        chain.withUnsafeBufferPointer { slots in
            for _ in 0..<steps { at = slots[Int(at)] }
        }
        return at
    }
}
