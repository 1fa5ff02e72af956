import Foundation
import Logging
import PeilModel
import Synchronization
import Wire

/// Reports finished by probes, waiting for the socket thread to send them.
final class Outbox: Sendable {
    private let reports = Mutex<[TaskReport]>([])

    func push(_ report: TaskReport) { reports.withLock { $0.append(report) } }
    func drain() -> [TaskReport] { reports.withLock { let all = $0; $0.removeAll(); return all } }
}

/// The agent's I/O, on one thread that owns the DEALER socket: it polls the socket and the
/// handshake monitor, feeds messages, finished reports, stop and time to an
/// ``AgentStateMachine`` and carries out its actions (send, submit, cancel, exit).
final class AgentLoop {
    private let configuration: AgentConfiguration
    private let logger: Logger
    private let metrics: AgentMetrics?
    private let clock = ContinuousClock()
    private var machine: AgentStateMachine

    init(configuration: AgentConfiguration, logger: Logger, metrics: AgentMetrics? = nil) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "agent"] = "\(configuration.name)"
        self.logger = logger
        self.metrics = metrics
        self.machine = AgentStateMachine(settings: .init(configuration), now: clock.now)
    }

    /// Serves until drained after `stop`, or throws when the coordinator refuses this agent.
    /// `submit` runs a task by its deadline; its report comes back through `outbox`. `cancel`
    /// tells a running task's probe to stop.
    func run(submit: (TaskAssignment, _ finalAttempt: Int, _ deadline: ContinuousClock.Instant) -> Void,
             cancel: (_ taskID: Int64, _ attempt: Int) -> Void, outbox: Outbox, stop: StopSignal) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        // A routing id per process: a reconnect of this process keeps it, a restart does not.
        let options = CurveClientOptions(serverPublicKey: configuration.coordinatorPublicKey, keyPair: configuration.keyPair,
                                         routingID: "\(configuration.name)/\(UUID().uuidString.prefix(8))")
        let socket = try ZMQSocket.curveClientDealer(context: context, options: options)
        defer { socket.close() }
        let monitor = try HandshakeMonitor(context: context, watching: socket, name: "agent-\(UUID().uuidString)")
        defer { monitor.socket.close() }
        try socket.connect(configuration.coordinator)
        logger.info("connecting", metadata: ["coordinator": "\(configuration.coordinator)", "families": "\(configuration.families.map(\.rawValue))"])

        while true {
            var actions: [AgentStateMachine.Action] = []
            if stop.isStopped { actions += machine.stopRequested(now: clock.now) }
            let ready = try ZMQSocket.poll([socket, monitor.socket], timeout: .milliseconds(20))
            if ready.contains(1) {
                for event in try monitor.pendingEvents() where event == .authenticationRefused {
                    throw AgentError.refused("its public key \(configuration.keyPair.publicKey) is not on the allow-list")
                }
            }
            if ready.contains(0) {
                while let (frames, _) = try socket.receive() {
                    do {
                        actions += machine.received(try WireMessage(frames: frames), now: clock.now)
                    } catch {
                        machine.receivedUnreadable(now: clock.now)
                        logger.warning("ignoring message: \(error)")
                    }
                }
            }
            for report in outbox.drain() { actions += machine.taskFinished(report, now: clock.now) }
            actions += machine.tick(now: clock.now)
            metrics?.loopState(connected: machine.isConnected, running: machine.running)
            if try perform(actions, submit: submit, cancel: cancel, on: socket) { return }
        }
    }

    /// Carries out the actions in order; true when the loop should end.
    private func perform(_ actions: [AgentStateMachine.Action], submit: (TaskAssignment, Int, ContinuousClock.Instant) -> Void,
                         cancel: (Int64, Int) -> Void, on socket: ZMQSocket) throws -> Bool {
        for action in actions {
            switch action {
            case .send(let message):
                send(message, on: socket)
            case .submit(let task, let finalAttempt, let deadline):
                submit(task, finalAttempt, deadline)
            case .cancel(let taskID, let attempt):
                cancel(taskID, attempt)
            case .log(let level, let text):
                logger.log(level: level, "\(text)")
            case .fail(let error):
                throw error
            case .exit:
                // Give the BYE a moment on the wire before the socket closes.
                Thread.sleep(forTimeInterval: 0.1)
                return true
            }
        }
        return false
    }

    private func send(_ message: WireMessage, on socket: ZMQSocket) {
        do {
            guard case .results(let reports) = message else { return try socket.send(try message.frames()) }
            // Packed within the transport's limit (a margin for ZeroMQ's framing).
            for frames in try WireMessage.reportFrames(reports, maximumBytes: Int(WireLimits.maximumMessageBytes) - 4_096) {
                try socket.send(frames)
            }
        } catch let error as ZMQError where error.isTransient {
            // Not connected yet: HELLO, credits and results are all sent again later.
        } catch {
            logger.error("send failed: \(error)")
        }
    }
}
