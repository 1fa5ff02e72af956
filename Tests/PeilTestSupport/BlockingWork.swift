import Foundation
import Testing

/// A task executor with one thread of its own: the jobs of a task that prefers it run there,
/// not on the shared cooperative pool.
///
/// Many probe tests call blocking code (OpenSSL handshakes, blocking sockets) straight from
/// their test functions, which the test runner runs on the cooperative pool: on two cores two
/// such tests held the whole pool for seconds, and the deadline tests running beside them
/// (whose timers and unstructured tasks need the pool) ended up to 20 s late. The agent never
/// blocks the pool (its probes run on threads of their own); the tests must not either.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// Starts the thread, named `name` (as debuggers and `top -H` show it).
    public init(name: String) {
        let thread = Thread { [self] in runJobs() }
        thread.name = name
        thread.start()
    }

    /// Queues `job` for the thread; once ``stop()`` was called, hands it to the global
    /// concurrent executor instead (an unstructured task that inherited the preference may
    /// still have work after its test ended).
    public func enqueue(_ job: consuming ExecutorJob) {
        condition.lock()
        if stopping {
            condition.unlock()
            globalConcurrentExecutor.enqueue(job)
            return
        }
        jobs.append(UnownedJob(job))
        condition.signal()
        condition.unlock()
    }

    /// Ends the thread once the jobs already enqueued have run; later jobs go to the global
    /// concurrent executor.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            guard !jobs.isEmpty else { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Admits at most `width` holders at once; the others wait without holding a thread.
final class AsyncGate: @unchecked Sendable {
    private let lock = NSLock()
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = lock.withLock {
                if free > 0 { free -= 1; return true }
                waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    func leave() {
        let next = lock.withLock {
            if waiting.isEmpty { free += 1; return nil as CheckedContinuation<Void, Never>? }
            return waiting.removeFirst()
        }
        next?.resume()
    }
}

/// Blocking work of tests (handshakes, blocking sockets, child processes, lab set-up) runs
/// here, on threads of its own, never on the shared cooperative pool: as many at once as the
/// machine has cores, as when the pool ran it, while the pool stays free for the tests that
/// wait on deadlines and timers.
public enum BlockingWork {
    static let gate = AsyncGate(width: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `body` (and the tasks it awaits that inherit the preference) on a thread of its own,
    /// once the gate admits it.
    public static func run<Value: Sendable>(name: String, _ body: () async throws -> Value) async throws -> Value {
        await gate.enter()
        defer { gate.leave() }
        let executor = DedicatedThreadExecutor(name: name)
        defer { executor.stop() }
        return try await withTaskExecutorPreference(executor) { try await body() }
    }
}

/// Runs each test case of the suite or test it marks through ``BlockingWork``: for test
/// functions that call blocking code directly.
public struct BlockingWorkTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        guard testCase != nil, !test.isSuite else { return try await function() }
        try await BlockingWork.run(name: "peil-test") { try await function() }
    }
}

extension Trait where Self == BlockingWorkTrait {
    /// Each test case runs on a thread of its own (see ``BlockingWork``), not on the shared pool.
    public static var blockingWork: Self { BlockingWorkTrait() }
}
