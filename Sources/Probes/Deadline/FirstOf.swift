import Synchronization

/// A continuation resumed by whichever of several racers comes first; later ones are ignored.
public final class FirstOf<Value: Sendable>: Sendable {
    private enum Slot {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        /// A racer finished before the continuation was set.
        case arrived(Value)
        case done
    }

    private let slot = Mutex(Slot.empty)

    /// Whether a racer has come.
    public var isDone: Bool {
        slot.withLock { slot in
            switch slot {
            case .arrived, .done: true
            case .empty, .waiting: false
            }
        }
    }

    public init() {}

    /// The continuation to resume; resumed at once when a racer came first.
    public func set(_ continuation: CheckedContinuation<Value, Never>) {
        let arrived: [Value] = slot.withLock { slot in
            if case .arrived(let value) = slot { slot = .done; return [value] }
            slot = .waiting(continuation)
            return []
        }
        if let value = arrived.first { continuation.resume(returning: value) }
    }

    /// Resumes the continuation with `value` unless another racer came first.
    public func resume(_ value: Value) {
        let waiting: CheckedContinuation<Value, Never>? = slot.withLock { slot in
            switch slot {
            case .empty: slot = .arrived(value); return nil
            case .waiting(let continuation): slot = .done; return continuation
            case .arrived, .done: return nil
            }
        }
        waiting?.resume(returning: value)
    }
}
