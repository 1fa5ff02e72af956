import Foundation
import Synchronization

/// A stop request shared between an async service and the thread running its socket loop.
public final class StopSignal: Sendable {
    private let state = Mutex(false)

    public init() {}

    public func stop() { state.withLock { $0 = true } }
    public var isStopped: Bool { state.withLock { $0 } }
}

/// Runs a blocking socket loop on a dedicated thread and awaits its end, so ZeroMQ sockets
/// (which belong to one thread) never hop across the cooperative pool.
public func runOnDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = name
        thread.start()
    }
}
