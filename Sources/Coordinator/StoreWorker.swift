import Foundation
import Wire

/// A thread that runs database work for the coordinator's socket loop, one job at a time in
/// the order the jobs were submitted, so the loop keeps answering agents (heartbeats, READY,
/// RESULT) while a statement runs or waits on a lock.
///
/// Each finished job leaves its outcome in a mailbox that the loop empties with
/// ``takeOutcomes()``; a byte on an inproc PAIR socket (``wake``, which the loop polls with
/// its ROUTER) tells the loop that one is there. The worker's own PAIR socket is made, used
/// and closed on its thread.
///
/// The state is guarded by one `NSCondition` (hence `@unchecked Sendable`): the loop submits
/// and takes outcomes, the thread takes jobs and leaves outcomes.
final class StoreWorker<Job: Sendable, Outcome: Sendable>: @unchecked Sendable {
    /// The loop's end of the wake-up pair: readable when an outcome may be waiting.
    let wake: ZMQSocket
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var outcomes: [Outcome] = []
    /// Jobs submitted whose outcome has not been taken yet.
    private var unfinished = 0
    private var closing = false
    private var ended = false

    /// Starts the thread. `perform` runs on it, one job at a time; it must not throw (a failed
    /// job's outcome says so).
    init(name: String, context: ZMQContext, perform: @escaping @Sendable (Job) -> Outcome) throws {
        let endpoint = "inproc://\(name)-\(UUID().uuidString)"
        wake = try ZMQSocket(context: context, kind: .pair)
        try wake.bind(endpoint)
        let thread = Thread { [self] in run(endpoint: endpoint, context: context, perform: perform) }
        thread.name = name
        thread.start()
    }

    /// Queues a job behind those submitted before it.
    func submit(_ job: Job) {
        condition.withLock {
            precondition(!closing, "a job was submitted to a finished store worker")
            jobs.append(job)
            unfinished += 1
            condition.signal()
        }
    }

    /// Jobs submitted whose outcomes have not been taken yet (running, queued or waiting).
    var busy: Int { condition.withLock { unfinished } }

    /// The outcomes of the jobs finished since the last call, in the order the jobs ran; reads
    /// the wake-up bytes away first, so a poll waits again until a later outcome.
    func takeOutcomes() -> [Outcome] {
        while (try? wake.receive()) != nil {}
        return condition.withLock {
            defer { outcomes = [] }
            unfinished -= outcomes.count
            return outcomes
        }
    }

    /// Stops the thread once the jobs submitted so far are done, waits for it and closes the
    /// loop's socket. - Returns: the outcomes not taken yet.
    func finish() -> [Outcome] {
        condition.withLock {
            closing = true
            condition.broadcast()
            while !ended { condition.wait() }
        }
        let left = takeOutcomes()
        wake.close()
        return left
    }

    private func run(endpoint: String, context: ZMQContext, perform: @Sendable (Job) -> Outcome) {
        let signal = try? ZMQSocket(context: context, kind: .pair)
        try? signal?.connect(endpoint)
        defer {
            signal?.close()
            condition.withLock {
                ended = true
                condition.broadcast()
            }
        }
        while true {
            let batch: [Job] = condition.withLock {
                while jobs.isEmpty && !closing { condition.wait() }
                defer { jobs = [] }
                return jobs
            }
            if batch.isEmpty { return }
            for job in batch {
                let outcome = perform(job)
                condition.withLock { outcomes.append(outcome) }
                // A full pipe means the loop has wake-ups enough waiting; it drains the mailbox whole.
                try? signal?.send([Data([1])])
            }
        }
    }
}
