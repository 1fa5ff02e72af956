import Foundation
import Logging
import PeilModel
import Probes
import ServiceLifecycle
import Synchronization
import Wire

/// An agent as a long-lived service: the socket loop on its own thread, probes on the
/// concurrency pool, graceful shutdown on SIGTERM (running tasks finished or cancelled at the
/// drain cutoff, then leave; the service returns within the drain limit, since probes still
/// running when the loop ends are cancelled and not waited for).
public struct AgentService: Service {
    private let configuration: AgentConfiguration
    private let prober: any TaskProber
    private let logger: Logger
    private let metrics: AgentMetrics?

    /// `metrics`: where to count (nil: nothing is counted).
    public init(configuration: AgentConfiguration, prober: any TaskProber, logger: Logger, metrics: AgentMetrics? = nil) {
        self.configuration = configuration
        self.prober = prober
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        let stop = StopSignal()
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await serve(stop: stop)
            } onGracefulShutdown: {
                stop.stop()
            }
        } onCancel: {
            stop.stop()
        }
    }

    /// The socket loop and the probes, until the loop ends (stopped, or refused).
    private func serve(stop: StopSignal) async throws {
        let outbox = Outbox()
        let cancellations = ProbeCancellations()
        let (tasks, submitter) = AsyncStream<(TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline)>.makeStream()
        let configuration = self.configuration
        let logger = self.logger
        let prober = self.prober
        let metrics = self.metrics
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { submitter.finish() }
                try await runOnDedicatedThread(name: "peil-agent-socket") {
                    let loop = AgentLoop(configuration: configuration, logger: logger, metrics: metrics)
                    try loop.run(submit: { task, finalAttempt, deadline in
                        let cancellation = cancellations.register(task)
                        submitter.yield((task, finalAttempt, ProbeDeadline(deadline, cancellation: cancellation)))
                    }, cancel: { cancellations.cancel(taskID: $0, attempt: $1) }, outbox: outbox, stop: stop)
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { probes in
                    var pacer = Pacer(perSecond: configuration.taskRate)
                    for await (task, finalAttempt, deadline) in tasks {
                        await pacer.wait()
                        probes.addTask {
                            let started = ContinuousClock.now
                            let report = await prober.run(task, finalAttempt: finalAttempt, deadline: deadline)
                            let took = ContinuousClock.now - started
                            cancellations.remove(task)
                            metrics?.probeFinished(kind: task.kind, outcome: report.outcome, after: took)
                            metrics?.tlsScanFinished(kind: task.kind, report: report)
                            logger.debug("probe finished", metadata: [
                                "agent": "\(configuration.name)", "measurement": "\(task.measurementID)", "task": "\(task.taskID)",
                                "attempt": "\(task.attempt)", "kind": "\(task.kind.rawValue)", "outcome": "\(report.outcome.rawValue)",
                                "seconds": "\(AgentStateMachine.seconds(took))"])
                            outbox.push(report)
                        }
                    }
                }
            }
            // The socket loop ends first (BYE sent, or refused): probes still running are
            // cancelled, not waited for, so the agent exits within its drain limit.
            _ = try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// The cancellation of every running probe, by task attempt.
final class ProbeCancellations: Sendable {
    private let running = Mutex<[String: ProbeCancellation]>([:])

    private static func key(_ taskID: Int64, _ attempt: Int) -> String { "\(taskID)/\(attempt)" }

    func register(_ task: TaskAssignment) -> ProbeCancellation {
        let cancellation = ProbeCancellation()
        running.withLock { $0[Self.key(task.taskID, task.attempt)] = cancellation }
        return cancellation
    }

    func remove(_ task: TaskAssignment) {
        _ = running.withLock { $0.removeValue(forKey: Self.key(task.taskID, task.attempt)) }
    }

    func cancel(taskID: Int64, attempt: Int) {
        running.withLock { $0[Self.key(taskID, attempt)] }?.cancel()
    }
}

/// Spaces task starts evenly at a given rate.
struct Pacer {
    private let interval: Duration?
    private var next = ContinuousClock.now

    init(perSecond rate: Double?) {
        interval = rate.flatMap { $0 > 0 ? .nanoseconds(Int64(1e9 / $0)) : nil }
    }

    mutating func wait() async {
        guard let interval else { return }
        let now = ContinuousClock.now
        if next > now { try? await Task.sleep(until: next, clock: .continuous) }
        next = max(next, now) + interval
    }
}
