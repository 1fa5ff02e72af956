import Probes

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
