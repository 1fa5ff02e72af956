import Foundation
import PeilModel
import Wire

/// An agent turned hostile, for `peil hostile-agent` (the hostile-agent tests and
/// `ops/hostile-agent-bench`): the attacks a coordinator must survive, each returning its
/// figures. It only ever connects to the endpoint it is given (an `ipc://` socket or loopback).
struct HostileAgent {
    let endpoint: String
    let serverKey: String
    private let clock = ContinuousClock()

    init(endpoint: String, serverKey: String) {
        self.endpoint = endpoint
        self.serverKey = serverKey
    }

    /// One message of `bytes` under the allow-listed `key`, after a WELCOME: the coordinator's
    /// libzmq must close the connection (`ZMQ_MAXMSGSIZE`) and still welcome the agent afterwards.
    func oversized(bytes: Int, key: CurveKeyPair) throws -> [(String, String)] {
        let session = try Session(agent: self, key: key)
        defer { session.close() }
        guard try session.hello(timeout: .seconds(20)) else { throw HostileAgentError("no WELCOME before the oversized message") }
        let started = clock.now
        // libzmq copies the frame: the sender holds it twice, and once more encrypted.
        try session.socket.send([Data("RESULT".utf8), Data(count: bytes)], dontWait: false)
        let closed = try session.awaitEvent(.disconnected, timeout: .seconds(300))
        let closedAfter = clock.now - started
        let welcomed = try session.hello(timeout: .seconds(30))
        return [("bytes", "\(bytes)"), ("closed", closed ? "yes" : "no"), ("closed-after-s", Self.seconds(closedAfter)),
                ("welcomed-after", welcomed ? "yes" : "no")]
    }

    /// `count` CURVE handshakes under fresh random keys, `parallel` at a time; each connection
    /// is closed once the coordinator answered it (or after 15 s).
    func handshakes(count: Int, parallel: Int) throws -> [(String, String)] {
        var refused = 0, admitted = 0, failed = 0, unanswered = 0, batch = 0
        let started = clock.now
        while batch * parallel < count {
            let size = min(parallel, count - batch * parallel)
            // A context per batch: terminating it waits until every socket of the batch is gone.
            let context = try ZMQContext()
            defer { context.terminate() }
            var clients: [(socket: ZMQSocket, monitor: HandshakeMonitor)] = []
            defer {
                for client in clients {
                    client.monitor.socket.close()
                    client.socket.close()
                }
            }
            for index in 0..<size {
                let options = CurveClientOptions(serverPublicKey: serverKey, keyPair: try CurveKeyPair.generate())
                let socket = try ZMQSocket.curveClientDealer(context: context, options: options)
                let monitor = try HandshakeMonitor(context: context, watching: socket, name: "hostile-\(batch)-\(index)")
                try socket.connect(endpoint)
                clients.append((socket, monitor))
            }
            var outcomes = [HandshakeMonitor.Event?](repeating: nil, count: size)
            let deadline = clock.now + .seconds(15)
            while outcomes.contains(nil), clock.now < deadline {
                let waiting = outcomes.indices.filter { outcomes[$0] == nil }
                _ = try ZMQSocket.poll(waiting.map { clients[$0].monitor.socket }, timeout: .milliseconds(100))
                for index in waiting {
                    outcomes[index] = try clients[index].monitor.pendingEvents().first {
                        $0 == .authenticationRefused || $0 == .handshakeSucceeded || $0 == .handshakeFailed
                    }
                }
            }
            for outcome in outcomes {
                switch outcome {
                case .authenticationRefused: refused += 1
                case .handshakeSucceeded: admitted += 1
                case .handshakeFailed: failed += 1
                default: unanswered += 1
                }
            }
            batch += 1
        }
        let elapsed = clock.now - started
        return [("handshakes", "\(count)"), ("refused", "\(refused)"), ("admitted", "\(admitted)"), ("failed", "\(failed)"),
                ("unanswered", "\(unanswered)"), ("seconds", Self.seconds(elapsed)), ("rate", Self.rate(count, elapsed))]
    }

    /// After a WELCOME under the allow-listed `key`, `rate` messages a second for `duration`:
    /// READY with `Int.max` credits, HEARTBEAT, a RESULT that does not decode, a forged
    /// RESULT for one of the tasks `1...taskIDs` (other agents' leases, queued tasks; never one
    /// leased to this agent, whose result would rightly be stored), and a forged RESULTS of
    /// ``WireMessage/maximumReports`` such reports, in turn. It takes one task
    /// before the flood (more credits must not give it more) and never reports it, so that
    /// lease must expire. A full
    /// queue (the coordinator reads no faster) holds the sender back: the figures say what was
    /// sent, and `leased` which tasks it was given.
    func flood(rate: Int, duration: Duration, taskIDs: Int, key: CurveKeyPair) throws -> [(String, String)] {
        let session = try Session(agent: self, key: key)
        defer { session.close() }
        guard try session.hello(timeout: .seconds(20)) else { throw HostileAgentError("no WELCOME before the flood") }
        // One task first (when one is queued), so that no forged result below names its own lease.
        try session.socket.send(try WireMessage.ready(credits: 1).frames(), dontWait: false)
        var leased = Set(try session.awaitTasks(timeout: .seconds(5)).map(\.taskID))
        let fixed = [
            try WireMessage.ready(credits: Int.max).frames(),
            try WireMessage.heartbeat.frames(),
            [Data("RESULT".utf8), Data("{\"taskID\":1,\"attempt\":".utf8)],
        ]
        let forged = try (1...max(1, taskIDs)).map { taskID in
            try WireMessage.result(TaskReport(taskID: Int64(taskID), attempt: 1, outcome: .completed, resolution: Self.forgedResolution)).frames()
        }
        // A whole RESULTS of forged reports on the tasks not leased to this agent (repeating
        // them to fill it), made again when it is given a task.
        var batch: (leased: Set<Int64>, frames: [Data]?) = ([], nil)
        func forgedBatch() throws -> [Data]? {
            if batch.frames == nil || batch.leased != leased {
                let ids = (1...Int64(max(1, taskIDs))).filter { !leased.contains($0) }
                batch = (leased, ids.isEmpty ? nil : try WireMessage.results((0..<WireMessage.maximumReports).map {
                    TaskReport(taskID: ids[$0 % ids.count], attempt: 1, outcome: .completed, resolution: Self.forgedResolution)
                }).frames())
            }
            return batch.frames
        }
        var sent = 0, full = 0, received = 0, batchesSent = 0
        let started = clock.now
        while true {
            let elapsed = clock.now - started
            guard elapsed < duration else { break }
            let due = Int(Double(rate) * Self.double(elapsed))
            while sent < due {
                // A result on its own lease would be stored: it is the lease's holder.
                let target = (sent / 5) % forged.count
                let frames: [Data]
                switch sent % 5 {
                case 3: frames = leased.contains(Int64(target + 1)) ? fixed[1] : forged[target]
                case 4: frames = try forgedBatch() ?? fixed[1]
                default: frames = fixed[sent % 5]
                }
                do {
                    try session.socket.send(frames, dontWait: true)
                    if frames.first == Data("RESULTS".utf8) { batchesSent += 1 }
                    sent += 1
                } catch let error as ZMQError where error.isTransient {
                    full += 1
                    break
                }
                if sent % 256 == 0, clock.now - started >= duration { break }
            }
            // ACKs and heartbeats: read, so the coordinator's queue towards this agent stays short.
            var drained = 0
            while drained < 1000, let (frames, _) = try session.socket.receive() {
                drained += 1
                if frames.first == Data("TASKS".utf8), case .tasks(let tasks)? = try? WireMessage(frames: frames) {
                    leased.formUnion(tasks.map(\.taskID))
                }
            }
            received += drained
            if sent >= due { Thread.sleep(forTimeInterval: 0.0005) } else { _ = try ZMQSocket.poll([session.socket], timeout: .milliseconds(1)) }
        }
        let elapsed = clock.now - started
        return [("target-rate", "\(rate)"), ("seconds", Self.seconds(elapsed)), ("sent", "\(sent)"), ("rate", Self.rate(sent, elapsed)),
                ("queue-full", "\(full)"), ("results-of-\(WireMessage.maximumReports)", "\(batchesSent)"), ("received", "\(received)"),
                ("leased", leased.isEmpty ? "none" : leased.sorted().map(String.init).joined(separator: ","))]
    }

    /// A DEALER under an allow-listed key, watched for disconnection.
    private final class Session {
        let context: ZMQContext
        let socket: ZMQSocket
        let monitor: HandshakeMonitor
        private let clock = ContinuousClock()

        init(agent: HostileAgent, key: CurveKeyPair) throws {
            context = try ZMQContext()
            socket = try ZMQSocket.curveClientDealer(context: context, options: CurveClientOptions(
                serverPublicKey: agent.serverKey, keyPair: key, routingID: "hostile/\(getpid())"))
            monitor = try HandshakeMonitor(context: context, watching: socket, name: "hostile-session")
            try socket.connect(agent.endpoint)
        }

        /// Says HELLO every 2 s until WELCOMEd or `timeout` passed.
        func hello(timeout: Duration) throws -> Bool {
            let deadline = clock.now + timeout
            let hello = WireMessage.hello(.init(agentName: "hostile", softwareVersion: "hostile", families: [.ipv4], concurrency: 1))
            while clock.now < deadline {
                try socket.send(try hello.frames(), dontWait: false)
                let next = min(deadline, clock.now + .seconds(2))
                while clock.now < next {
                    guard try !ZMQSocket.poll([socket], timeout: .milliseconds(100)).isEmpty else { continue }
                    while let (frames, _) = try socket.receive() {
                        if case .welcome? = try? WireMessage(frames: frames) { return true }
                    }
                }
            }
            return false
        }

        /// The first TASKS within `timeout` (other messages are dropped); none if none came.
        func awaitTasks(timeout: Duration) throws -> [TaskAssignment] {
            let deadline = clock.now + timeout
            while clock.now < deadline {
                guard try !ZMQSocket.poll([socket], timeout: .milliseconds(100)).isEmpty else { continue }
                while let (frames, _) = try socket.receive() {
                    if case .tasks(let tasks)? = try? WireMessage(frames: frames) { return tasks }
                }
            }
            return []
        }

        func awaitEvent(_ event: HandshakeMonitor.Event, timeout: Duration) throws -> Bool {
            let deadline = clock.now + timeout
            while clock.now < deadline {
                _ = try ZMQSocket.poll([monitor.socket], timeout: .milliseconds(100))
                if try monitor.pendingEvents().contains(event) { return true }
            }
            return false
        }

        func close() {
            monitor.socket.close()
            socket.close()
            context.terminate()
        }
    }

    static let forgedResolution: ResolutionObservation = {
        let facts = DNSFacts(
            domain: "forged.nl", dnssec: .secure, nsZone: "forged.nl", nameservers: [],
            domainAddresses: HostAddresses(host: "forged.nl"), web: HostAddresses(host: "www.forged.nl"), webDNSSEC: .secure,
            mx: [], nullMX: false, txt: ["forged"], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        return ResolutionObservation(facts: facts, queries: [])
    }()

    static func double(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func seconds(_ duration: Duration) -> String { String(format: "%.2f", double(duration)) }

    static func rate(_ count: Int, _ duration: Duration) -> String { String(format: "%.0f", Double(count) / max(double(duration), 1e-9)) }
}

struct HostileAgentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
