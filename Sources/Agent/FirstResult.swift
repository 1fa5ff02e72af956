import Probes
import Synchronization

/// The work's result, or nil when `deadline` is reached (or its cancellation raised) or the
/// calling task is cancelled first. The work is not awaited past that: cancelling it is the
/// caller's business, and a blocking probe left running ends by its own clamped waits.
func firstResult<Value: Sendable, Failure: Error>(of work: Task<Value, Failure>, by deadline: ProbeDeadline?) async -> Result<Value, Failure>? {
    let first = FirstOf<Result<Value, Failure>?>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            first.set(continuation)
            Task { first.resume(await work.result) }
            guard let deadline else { return }
            Task {
                while !deadline.isReached, !first.isDone {
                    try? await Task.sleep(for: min(deadline.remaining, .milliseconds(100)))
                }
                first.resume(nil)
            }
        }
    } onCancel: {
        first.resume(nil)
    }
}

/// A continuation resumed by whichever of several racers comes first; later ones are ignored.
final class FirstOf<Value: Sendable>: Sendable {
    private enum Slot {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        /// A racer finished before the continuation was set.
        case arrived(Value)
        case done
    }

    private let slot = Mutex(Slot.empty)

    var isDone: Bool {
        slot.withLock { slot in
            switch slot {
            case .arrived, .done: true
            case .empty, .waiting: false
            }
        }
    }

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        let arrived: [Value] = slot.withLock { slot in
            if case .arrived(let value) = slot { slot = .done; return [value] }
            slot = .waiting(continuation)
            return []
        }
        if let value = arrived.first { continuation.resume(returning: value) }
    }

    func resume(_ value: Value) {
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
