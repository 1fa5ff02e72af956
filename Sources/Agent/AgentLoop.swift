import CZeroMQ
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

/// The agent's side of the protocol, run on one thread that owns the DEALER socket.
///
/// It says HELLO until welcomed, grants credits as slots free up, hands received tasks to
/// `submit`, sends what probes put in the outbox, resends results until acknowledged, and
/// on stop drains: no new credits, running tasks finished, results acknowledged, then BYE.
final class AgentLoop {
    private struct Pending {
        var report: TaskReport
        var sentAt: ContinuousClock.Instant
    }

    private let configuration: AgentConfiguration
    private let logger: Logger
    private let clock = ContinuousClock()

    private var agentID: String?
    private var outstandingCredits = 0
    private var inFlight = 0
    private var unacknowledged: [String: Pending] = [:]
    private var lastHello: ContinuousClock.Instant?
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastHeard: ContinuousClock.Instant
    private(set) var completed = 0

    init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.lastHeartbeat = clock.now
        self.lastHeard = clock.now
    }

    func run(submit: (TaskAssignment) -> Void, outbox: Outbox, stop: StopSignal) throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let socket = try ZMQSocket(context: context, kind: .dealer)
        defer { socket.close() }
        try socket.setOption(ZMQ_CURVE_SERVERKEY, configuration.coordinatorPublicKey)
        try socket.setOption(ZMQ_CURVE_PUBLICKEY, configuration.keyPair.publicKey)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, configuration.keyPair.secretKey)
        // A routing id per process: a reconnect of this process keeps it, a restart does not.
        try socket.setOption(ZMQ_ROUTING_ID, "\(configuration.name)/\(UUID().uuidString.prefix(8))")
        try socket.setOption(ZMQ_IPV6, 1)
        let monitor = try HandshakeMonitor(context: context, watching: socket, name: "agent-\(UUID().uuidString)")
        defer { monitor.socket.close() }
        try socket.connect(configuration.coordinator)
        logger.info("connecting", metadata: ["coordinator": "\(configuration.coordinator)", "families": "\(configuration.families.map(\.rawValue))"])

        var drainDeadline: ContinuousClock.Instant?
        while true {
            if stop.isStopped && drainDeadline == nil {
                drainDeadline = clock.now + configuration.drainLimit
                logger.info("stopping: finishing \(inFlight) running tasks")
            }
            let ready = try ZMQSocket.poll([socket, monitor.socket], timeout: .milliseconds(20))
            if ready.contains(1) {
                for event in try monitor.pendingEvents() where event == .authenticationRefused {
                    throw AgentError.refused("its public key \(configuration.keyPair.publicKey) is not on the allow-list")
                }
            }
            if ready.contains(0) {
                while let (frames, _) = try socket.receive() {
                    try handle(frames, submit: submit, stopping: drainDeadline != nil)
                }
            }
            for report in outbox.drain() {
                inFlight -= 1
                completed += 1
                unacknowledged[key(report)] = Pending(report: report, sentAt: clock.now)
                send(.result(report), on: socket)
            }
            try tick(socket: socket, stopping: drainDeadline != nil)
            if let deadline = drainDeadline {
                let drained = inFlight == 0 && unacknowledged.isEmpty
                if drained || clock.now >= deadline {
                    if !drained {
                        logger.warning("stopping with \(inFlight) tasks running and \(unacknowledged.count) results unacknowledged; their leases will expire")
                    }
                    send(.bye, on: socket)
                    // Give the BYE a moment on the wire before the socket closes.
                    Thread.sleep(forTimeInterval: 0.1)
                    return
                }
            }
        }
    }

    private func key(_ report: TaskReport) -> String { "\(report.taskID)/\(report.attempt)" }

    private func handle(_ frames: [Data], submit: (TaskAssignment) -> Void, stopping: Bool) throws {
        lastHeard = clock.now
        let message: WireMessage
        do { message = try WireMessage(frames: frames) } catch {
            logger.warning("ignoring message: \(error)")
            return
        }
        switch message {
        case .welcome(let welcome):
            agentID = welcome.agentID
            outstandingCredits = 0
            logger.info("welcomed", metadata: ["agent": "\(welcome.agentID)"])
            // The coordinator may be new: results it has not acknowledged go again now.
            for (key, pending) in unacknowledged {
                unacknowledged[key]?.sentAt = clock.now - configuration.resendInterval
                _ = pending
            }
        case .tasks(let tasks):
            outstandingCredits = max(0, outstandingCredits - tasks.count)
            guard !stopping else { return }  // BYE releases their leases
            inFlight += tasks.count
            tasks.forEach(submit)
        case .ack(let taskID, let attempt):
            unacknowledged["\(taskID)/\(attempt)"] = nil
        case .heartbeat:
            break
        case .reject(let reason):
            if reason.hasPrefix("protocol") { throw AgentError.incompatible(reason) }
            logger.info("coordinator asks for HELLO again: \(reason)")
            agentID = nil
            lastHello = nil
        case .hello, .ready, .result, .bye:
            logger.warning("ignoring unexpected message from coordinator")
        }
    }

    private func tick(socket: ZMQSocket, stopping: Bool) throws {
        let now = clock.now
        if agentID != nil, now - lastHeard > configuration.coordinatorSilenceLimit {
            logger.warning("no word from the coordinator for \(configuration.coordinatorSilenceLimit); saying HELLO again")
            agentID = nil
            lastHello = nil
        }
        if agentID == nil {
            if lastHello.map({ now - $0 > .seconds(2) }) ?? true {
                lastHello = now
                send(.hello(.init(agentName: configuration.name, softwareVersion: PeilVersion.current, families: configuration.families, concurrency: configuration.concurrency)), on: socket)
            }
            return
        }
        if !stopping {
            let free = configuration.concurrency - inFlight - outstandingCredits
            if free > 0 {
                outstandingCredits += free
                send(.ready(credits: free), on: socket)
            }
        }
        if now - lastHeartbeat >= configuration.heartbeatInterval {
            lastHeartbeat = now
            send(.heartbeat, on: socket)
        }
        for (key, pending) in unacknowledged where now - pending.sentAt >= configuration.resendInterval {
            unacknowledged[key]?.sentAt = now
            send(.result(pending.report), on: socket)
        }
    }

    private func send(_ message: WireMessage, on socket: ZMQSocket) {
        do {
            try socket.send(try message.frames())
        } catch let error as ZMQError where error.isTransient {
            // Not connected yet: HELLO, credits and results are all sent again later.
        } catch {
            logger.error("send failed: \(error)")
        }
    }
}
