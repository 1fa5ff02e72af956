import Foundation
import Logging
import PeilModel
import ServiceLifecycle
import Wire

/// An agent as a long-lived service: the socket loop on its own thread, probes on the
/// concurrency pool, graceful shutdown on SIGTERM (finish running tasks, then leave).
public struct AgentService: Service {
    private let configuration: AgentConfiguration
    private let prober: any TaskProber
    private let logger: Logger

    public init(configuration: AgentConfiguration, prober: any TaskProber, logger: Logger) {
        self.configuration = configuration
        self.prober = prober
        self.logger = logger
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
        let (tasks, submitter) = AsyncStream<(TaskAssignment, finalAttempt: Int)>.makeStream()
        let configuration = self.configuration
        let logger = self.logger
        let prober = self.prober
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { submitter.finish() }
                try await runOnDedicatedThread(name: "peil-agent-socket") {
                    let loop = AgentLoop(configuration: configuration, logger: logger)
                    try loop.run(submit: { submitter.yield(($0, $1)) }, outbox: outbox, stop: stop)
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { probes in
                    var pacer = Pacer(perSecond: configuration.taskRate)
                    for await (task, finalAttempt) in tasks {
                        await pacer.wait()
                        probes.addTask { outbox.push(await prober.run(task, finalAttempt: finalAttempt)) }
                    }
                }
            }
            try await group.waitForAll()
        }
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
