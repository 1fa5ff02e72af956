import CUnbound
import Foundation
import Synchronization

/// One question waiting for the loop thread.
private struct UnboundSubmission: Sendable {
    var name: String
    var type: UInt16
    /// When the asker stops waiting, if sooner than the loop's timeout.
    var deadline: ContinuousClock.Instant?
    var continuation: CheckedContinuation<UnboundOutcome, Never>
}

/// One question handed to libunbound; its address is the callback's `mydata`. Loop thread only.
private final class PendingUnboundQuery {
    let submission: UnboundSubmission
    let deadline: ContinuousClock.Instant
    var asyncID: Int32 = 0
    var outcome: UnboundOutcome?

    init(_ submission: UnboundSubmission, deadline: ContinuousClock.Instant) {
        self.submission = submission
        self.deadline = deadline
    }
}

/// Runs one libunbound context on a dedicated thread and turns its callbacks into async results.
///
/// Every libunbound call for the context (`ub_resolve_async`, `ub_process`, `ub_cancel`,
/// `ub_ctx_delete`) is made on the loop thread, so results and cancellations never race and
/// nothing blocks Swift's cooperative pool: callers only await a continuation. libunbound does
/// the resolving on its own worker thread; this thread waits in `poll(2)` on libunbound's
/// result descriptor and a wake-up pipe, starts queued questions (at most `maxInFlight` at
/// once), delivers results, and cancels questions that pass their deadline.
///
/// `@unchecked Sendable` because: the state shared with callers (`inbox`) is behind a `Mutex`;
/// the context pointer and `inFlight`/`waiting` are only touched by the loop thread; the
/// remaining stored properties are immutable.
final class UnboundEventLoop: @unchecked Sendable {
    private struct Inbox {
        var submissions: [UnboundSubmission] = []
        var stopping = false
    }

    private let context: OpaquePointer
    private let timeout: Duration
    private let maxInFlight: Int
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let inbox = Mutex(Inbox())
    // Loop thread only.
    private var waiting: [UnboundSubmission] = []
    private var inFlight: [ObjectIdentifier: PendingUnboundQuery] = [:]

    /// Takes ownership of `context` and starts the loop thread.
    init(context: OpaquePointer, timeout: Duration, maxInFlight: Int, name: String) throws(ResolverError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            ub_ctx_delete(context)
            throw ResolverError(.eventLoop, "pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        self.context = context
        self.timeout = timeout
        self.maxInFlight = maxInFlight
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        let thread = Thread { [self] in self.run() }
        thread.name = name
        thread.start()
    }

    /// Resolves one question; returns within the timeout, or by `deadline` if that is sooner
    /// (plus scheduling), whatever happens. A question whose deadline has passed when its turn
    /// comes ends `timedOut` without being asked.
    func resolve(_ name: String, type: UInt16, deadline: ContinuousClock.Instant? = nil) async -> UnboundOutcome {
        await withCheckedContinuation { continuation in
            let accepted = inbox.withLock { inbox in
                guard !inbox.stopping else { return false }
                inbox.submissions.append(UnboundSubmission(name: name, type: type, deadline: deadline, continuation: continuation))
                return true
            }
            if accepted { wake() } else { continuation.resume(returning: .failed("resolver shut down")) }
        }
    }

    /// Stops the loop: questions not yet answered end as failed, then the context is deleted.
    /// Calling it again does nothing.
    func shutdown() {
        let first = inbox.withLock { inbox in
            defer { inbox.stopping = true }
            return !inbox.stopping
        }
        if first { wake() }
    }

    /// The wake-up pipe lives as long as the loop: a caller may still `wake()` after the loop
    /// thread has ended (a question submitted just before shutdown), and a closed pipe would
    /// turn that write into SIGPIPE, EBADF, or a byte in whatever file took the descriptor.
    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1) // a full pipe already holds a wake-up
    }

    private func run() {
        let resultFD = ub_fd(context)
        while true {
            let (arrived, stopping) = inbox.withLock { inbox in
                defer { inbox.submissions.removeAll() }
                return (inbox.submissions, inbox.stopping)
            }
            if stopping { break }
            waiting += arrived
            startWaiting()
            var fds = [pollfd(fd: resultFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, nfds_t(fds.count), pollTimeout())
            if fds[1].revents != 0 { drainWakeups() }
            if fds[0].revents != 0 { _ = ub_process(context) }
            deliverFinished()
            expireOverdue()
        }
        deliverFinished()
        for query in inFlight.values { _ = ub_cancel(context, query.asyncID) }
        let unanswered = waiting + inFlight.values.map(\.submission) + inbox.withLock { $0.submissions }
        inFlight.removeAll()
        waiting.removeAll()
        for submission in unanswered { submission.continuation.resume(returning: .failed("resolver shut down")) }
        ub_ctx_delete(context)
    }

    private func startWaiting() {
        while inFlight.count < maxInFlight, !waiting.isEmpty {
            let submission = waiting.removeFirst()
            let limit = min(.now + timeout, submission.deadline ?? .now + timeout)
            guard limit > .now else {
                submission.continuation.resume(returning: .timedOut)
                continue
            }
            let query = PendingUnboundQuery(submission, deadline: limit)
            inFlight[ObjectIdentifier(query)] = query
            var asyncID: Int32 = 0
            let status = ub_resolve_async(context, submission.name, Int32(submission.type), 1,
                                          Unmanaged.passUnretained(query).toOpaque(), unboundCallback, &asyncID)
            query.asyncID = asyncID
            if status != 0, query.outcome == nil {
                query.outcome = .failed(String(cString: ub_strerror(status)))
            }
        }
    }

    private func deliverFinished() {
        for (key, query) in inFlight {
            guard let outcome = query.outcome else { continue }
            inFlight[key] = nil
            query.submission.continuation.resume(returning: outcome)
        }
    }

    private func expireOverdue() {
        let now = ContinuousClock.now
        for (key, query) in inFlight where query.deadline <= now {
            // Cancelling on the only thread that calls ub_process: the callback cannot run later.
            _ = ub_cancel(context, query.asyncID)
            inFlight[key] = nil
            query.submission.continuation.resume(returning: .timedOut)
        }
    }

    private func pollTimeout() -> Int32 {
        guard let nearest = inFlight.values.map(\.deadline).min() else { return -1 }
        let remaining = ContinuousClock.now.duration(to: nearest)
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: max(0, milliseconds))
    }

    private func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

}

/// The C callback: records libunbound's result on the pending query (called inside ub_process).
private let unboundCallback: ub_callback_type = { data, error, result in
    guard let data else {
        if let result { ub_resolve_free(result) }
        return
    }
    // Unretained: the loop's in-flight table owns the query until its outcome is delivered.
    let query = Unmanaged<PendingUnboundQuery>.fromOpaque(data).takeUnretainedValue()
    let outcome: UnboundOutcome
    if error != 0 || result == nil {
        outcome = .failed(String(cString: ub_strerror(error)))
    } else {
        let answer = result!.pointee
        let packet = answer.answer_packet.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(answer.answer_len))) } ?? []
        outcome = .answered(UnboundAnswer(
            rcode: Int(answer.rcode), secure: answer.secure != 0, bogus: answer.bogus != 0,
            whyBogus: answer.why_bogus.map { String(cString: $0) }, packet: packet))
    }
    if let result { ub_resolve_free(result) }
    query.outcome = outcome
}
