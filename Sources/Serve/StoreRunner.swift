import Dispatch
import Store

/// Runs the store's blocking calls (libpq waits on the socket) on a queue of their own, so
/// they never hold one of the few threads of Swift's cooperative pool or of SwiftNIO's event
/// loops. One queue: ``PeilStore`` has one connection, which serialises its calls anyway.
public struct StoreRunner: Sendable {
    public let store: PeilStore
    let queue = DispatchQueue(label: "peil.serve.store")

    public init(store: PeilStore) {
        self.store = store
    }

    /// `body(store)` on the store's queue.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (PeilStore) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body(store) }) }
        }
    }
}
