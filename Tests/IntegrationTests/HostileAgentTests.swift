import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import Wire
import XCTest

/// An allow-listed agent turned hostile, beside an honest one, against a real coordinator
/// process: it floods credits, reports on leases that are not its own and of the wrong kind,
/// sends an oversized message and garbage. The coordinator keeps running, stores nothing of
/// it, and the honest agent finishes the measurement. Needs root and PostgreSQL; run it under
/// `flock /tmp/peil-lab.lock`.
final class HostileAgentTests: XCTestCase {
    static let classLab = ClassLab(prefix: "pih\(getpid() % 10_000)")

    override class func setUp() {
        super.setUp()
        classLab.up()
    }

    override class func tearDown() {
        classLab.down()
        super.tearDown()
    }

    func testAHostileAgentStoresNothingAndTheHonestOneFinishes() throws {
        try TestRequirements.require(.root, .postgreSQL)
        let backbone = try Self.classLab.backbone()
        addTeardownBlock { backbone.tearDown() }
        let domains = Array(backbone.lab.expectedFacts().prefix(4))
        try backbone.makeKey("honest", allowListed: true)
        try backbone.makeKey("hostile", allowListed: true)
        let list = backbone.directory.appendingPathComponent("small.txt")
        try (domains.map { "\($0.domain) \($0.web.host)" }.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        try backbone.peil(["import", "--set", "small", list.path])
        let coordinator = try backbone.startCoordinator(agentTimeout: 5)

        let hostile = try HostileClient(directory: backbone.directory, endpoint: backbone.fleet.endpoint)
        defer { hostile.close() }
        try hostile.send(.hello(.init(agentName: "hostile", softwareVersion: "evil", families: [.ipv4], concurrency: 1)))
        XCTAssertNotNil(try hostile.await(timeout: 10) { if case .welcome = $0 { true } else { false } }, "no WELCOME")
        try hostile.send(.ready(credits: Int.max))
        try hostile.send(.ready(credits: Int.max))

        let id = try backbone.measure("small")
        let assigned = try hostile.await(timeout: 20) { if case .tasks = $0 { true } else { false } }
        guard case .tasks(let tasks)? = assigned else { return XCTFail("the hostile agent got no task:\n\(backbone.logs)") }
        XCTAssertEqual(tasks.count, 1, "credits are clamped to the declared concurrency")
        let own = tasks[0]
        // Paced, so that it holds a lease while the forged results arrive.
        _ = try backbone.startAgent("honest", families: [.ipv4, .ipv6], extra: ["--rate", "1", "--concurrency", "1"])
        XCTAssertTrue(try eventually(timeout: 20, every: 0.05) {
            try backbone.count("SELECT count(*) AS count FROM tasks WHERE leased_by = 'honest'") > 0
        }, "the honest agent holds no lease:\n\(backbone.logs)")

        // A result of the wrong kind on its own lease.
        try hostile.send(.result(TaskReport(taskID: own.taskID, attempt: own.attempt, outcome: .completed,
                                            connect: ConnectObservation(reach: ReachObservation(ports: [])))))
        // Forged results for every task of the measurement: other agents' leases, queued tasks.
        let taskIDs = try backbone.store.database.query("SELECT id FROM tasks WHERE measurement_id = \(id)").rows
            .map { try $0.decode("id", as: Int64.self) }
        for taskID in taskIDs where taskID != own.taskID {
            for attempt in [1, 2, Int.max, -1] {
                try hostile.send(.result(TaskReport(taskID: taskID, attempt: attempt, outcome: .completed,
                                                    resolution: HostileClient.forgedResolution)))
            }
        }
        // An oversized message (the coordinator's libzmq closes the connection), garbage, a flood.
        try? hostile.sendRaw([Data("RESULT".utf8), Data(count: Int(WireLimits.maximumMessageBytes) + 1)])
        for index in 0..<2_000 {
            try? hostile.sendRaw([Data("RESULT".utf8), Data("{\"taskID\":\(index)".utf8)])
            try? hostile.send(.ready(credits: Int.max))
        }

        let progress = try backbone.waitForCompletion(id, timeout: 120)
        XCTAssertTrue(coordinator.isRunning, "the coordinator survived:\n\(coordinator.log)")
        XCTAssertTrue(progress.isComplete, "\(progress)\n\(backbone.logs)")
        XCTAssertEqual(progress.done, domains.count - 1, "\(progress)")
        XCTAssertEqual(progress.notTestable, 1, "the hostile agent's own task, ended by its wrong-kind result")
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM results WHERE agent_id = 'hostile'"), 0)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(id) AND agent_id = 'honest'"),
                       domains.count - 1, "every other task's result is the honest agent's")
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM reports WHERE agent_id = 'hostile'"), 0)
        XCTAssertEqual(try backbone.count("""
            SELECT count(*) AS count FROM tasks WHERE id = \(own.taskID) AND last_error LIKE 'result refused: not the observation%'
            """), 1)
        let results = try backbone.store.resolutionResults(measurementID: id)
        XCTAssertFalse(results.values.contains { $0.facts.txt.contains("forged") }, "no forged result stored")
        let refusalLines = coordinator.log.split(separator: "\n").filter { $0.contains("refused a message from hostile") }
        XCTAssertGreaterThan(refusalLines.count, 0, coordinator.log)
        XCTAssertLessThanOrEqual(refusalLines.count, ReportRefusal.allCases.count * 3, "logged once per session and kind, not per message")

        coordinator.signal(SIGTERM)
        XCTAssertTrue(coordinator.waitForExit(timeout: 15))
        XCTAssertEqual(coordinator.process.terminationStatus, 0, coordinator.log)
    }
}

extension HostileAgentTests {
    /// `ops/hostile-agent-bench`'s attacks, scaled down (`peil hostile-agent`): a 256 MiB message
    /// and a flood from an allow-listed key, 500 handshakes with random keys, while an honest
    /// agent measures the lab. The coordinator's resident memory is sampled through each.
    func testFloodsHandshakesAndAnOversizedMessageLeaveTheCoordinatorFlat() throws {
        try TestRequirements.require(.root, .postgreSQL)
        let backbone = try Self.classLab.backbone()
        addTeardownBlock { backbone.tearDown() }
        try backbone.makeKey("honest", allowListed: true)
        try backbone.makeKey("hostile", allowListed: true)
        try backbone.importLabSet("lab")
        // Short leases: the task the flooding agent is given and never reports expires during the test.
        let coordinator = PeilProcess(try backbone.fleet.startCoordinator(["--agent-timeout", "5", "--resolve-only", "--lease-seconds", "15"]))
        // Paced (one task a second), so that the measurement runs through every attack.
        _ = try backbone.startAgent("honest", families: [.ipv4, .ipv6], extra: ["--rate", "1", "--concurrency", "2"])
        try backbone.waitForAgents(1)
        let id = try backbone.measure("lab")
        let memory = ResidentMemory(pid: coordinator.process.pid)
        defer { memory.stop() }
        let hostile = ["--coordinator", backbone.fleet.endpoint, "--coordinator-key", backbone.directory.appendingPathComponent("coordinator.pub").path,
                       "--key", backbone.directory.appendingPathComponent("hostile.key").path]
        var figures: [String: [String: String]] = [:]
        for (attack, arguments) in [("oversized", ["--bytes", "\(256 << 20)"]), ("handshakes", ["--count", "500", "--parallel", "50"]),
                                    ("flood", ["--rate", "50000", "--seconds", "2"])] {
            let before = memory.sample()
            memory.resetPeak()
            let run = try PeilProcess.run(["hostile-agent", attack] + hostile + arguments, directory: backbone.directory, timeout: 120)
            XCTAssertEqual(run.status, 0, run.output)
            let peak = memory.peak
            Thread.sleep(forTimeInterval: 2)
            let after = memory.sample()
            let line = run.output.split(separator: "\n").last { $0.hasPrefix("attack=") } ?? ""
            figures[attack] = Dictionary(line.split(separator: " ").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
                .filter { $0.count == 2 }.map { ($0[0], $0[1]) }, uniquingKeysWith: { $1 })
            print("hostile agent: \(line); coordinator RSS before \(before / 1024) MiB, peak \(peak / 1024) MiB, after \(after / 1024) MiB")
            XCTAssertTrue(coordinator.isRunning, "the coordinator survived \(attack):\n\(coordinator.log)")
            XCTAssertLessThan(peak - before, 200 * 1024, "\(attack): the coordinator's memory grew by \(peak - before) KiB")
            XCTAssertLessThan(after - before, 100 * 1024, "\(attack): the coordinator's memory stayed up by \(after - before) KiB")
        }
        XCTAssertEqual(figures["oversized"]?["closed"], "yes", "the coordinator closed the connection of the oversized message")
        XCTAssertEqual(figures["oversized"]?["welcomed-after"], "yes", "and welcomed the agent again")
        XCTAssertEqual(figures["handshakes"]?["refused"], "500", "\(figures)")
        XCTAssertEqual(figures["handshakes"]?["admitted"], "0")
        XCTAssertGreaterThan(Int(figures["flood"]?["sent"] ?? "") ?? 0, 0, "\(figures)")

        let progress = try backbone.waitForCompletion(id, timeout: 120)
        let tasks = try backbone.count("SELECT count(*) AS count FROM tasks WHERE measurement_id = \(id)")
        XCTAssertTrue(coordinator.isRunning, "the coordinator survived:\n\(coordinator.log)")
        XCTAssertTrue(progress.isComplete, "\(progress)\n\(backbone.logs)")
        XCTAssertEqual(progress.done, tasks, "every task done: \(progress)")
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM results WHERE measurement_id = \(id) AND agent_id = 'honest'"), tasks)
        XCTAssertEqual(try backbone.count("SELECT count(*) AS count FROM reports WHERE agent_id = 'hostile'"), 0)
        // Only a lease the hostile agent was given and kept may have expired; none of the honest agent's.
        let leased = (figures["flood"]?["leased"] ?? "none").split(separator: ",").compactMap { Int64($0) }
        XCTAssertLessThanOrEqual(leased.count, 1, "the flooding agent declared a concurrency of 1")
        let retried = try backbone.store.database.query("SELECT id FROM tasks WHERE measurement_id = \(id) AND attempt > 1").rows
            .map { try $0.decode("id", as: Int64.self) }
        XCTAssertTrue(Set(retried).isSubset(of: leased), "tasks leased again: \(retried), the hostile agent's: \(leased)\n\(coordinator.log)")

        coordinator.signal(SIGTERM)
        XCTAssertTrue(coordinator.waitForExit(timeout: 15))
        XCTAssertEqual(coordinator.process.terminationStatus, 0, coordinator.log)
    }
}

/// A process's resident memory (`VmRSS` of `/proc/PID/status`, KiB), sampled every 20 ms
/// on a thread of its own for the peak.
private final class ResidentMemory: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var highest = 0
    private var stopped = false

    init(pid: pid_t) {
        self.pid = pid
        Thread.detachNewThread { [self] in
            while !lock.withLock({ stopped }) {
                let now = sample()
                lock.withLock { highest = max(highest, now) }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// The highest sample since the last ``resetPeak()``.
    var peak: Int { lock.withLock { max(highest, sample()) } }

    func resetPeak() { lock.withLock { highest = 0 } }

    func stop() { lock.withLock { stopped = true } }

    /// VmRSS now, in KiB (0 once the process is gone).
    func sample() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    }
}

/// A DEALER under an allow-listed key that speaks the protocol as it likes.
private final class HostileClient {
    let context: ZMQContext
    let socket: ZMQSocket

    init(directory: URL, endpoint: String) throws {
        let pair = try CurveKeyFile.readPair(directory.appendingPathComponent("hostile.key"))
        let server = try CurveKeyFile.readPublicKey(directory.appendingPathComponent("coordinator.pub"))
        context = try ZMQContext()
        socket = try ZMQSocket.curveClientDealer(context: context, options: CurveClientOptions(serverPublicKey: server, keyPair: pair, routingID: "hostile/1"))
        try socket.connect(endpoint)
    }

    func send(_ message: WireMessage) throws { try sendRaw(try message.frames()) }

    func sendRaw(_ frames: [Data]) throws { try socket.send(frames, dontWait: false) }

    /// The first message within `timeout` that `matches` (others are read and dropped).
    func await(timeout: TimeInterval, _ matches: (WireMessage) -> Bool) throws -> WireMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard try !ZMQSocket.poll([socket], timeout: .milliseconds(100)).isEmpty else { continue }
            var drained = 0
            while drained < 1000, let (frames, _) = try socket.receive() {
                drained += 1
                if let message = try? WireMessage(frames: frames), matches(message) { return message }
            }
        }
        return nil
    }

    func close() {
        socket.close()
        context.terminate()
    }

    static let forgedResolution: ResolutionObservation = {
        let facts = DNSFacts(
            domain: "forged.nl", dnssec: .secure, nsZone: "forged.nl", nameservers: [],
            domainAddresses: HostAddresses(host: "forged.nl"), web: HostAddresses(host: "www.forged.nl"), webDNSSEC: .secure,
            mx: [], nullMX: false, txt: ["forged"], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        return ResolutionObservation(facts: facts, queries: [])
    }()
}
