@testable import Coordinator
import CoreMetrics
import Foundation
import Logging
import PeilModel
import PeilTestSupport
import Store
import Synchronization
import Telemetry
import Wire
import XCTest

/// Results that arrive together are stored in one transaction, and each is ACKed only once that
/// transaction is committed, while heartbeats are answered at once: a coordinator on `ipc://`
/// and an agent speaking the protocol directly, while the test holds a lock that stops every
/// insert into `results`.
final class BatchedStorageTests: DatabaseTestCase {
    func testResultsArrivingTogetherAreCommittedTogetherAndAckedAfterTheCommit() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let count = 20
        // No periodic job (lease sweep, refresh) either: each hands the results waiting so far to
        // the writer ahead of it, so one that fell between two of the twenty, which happens on a
        // loaded machine, would split their batch in two.
        let harness = try CoordinatorHarness(store: store, connection: connection, tasks: count, periodicJobs: false)
        defer { harness.close() }
        let agent = harness.agent
        func receive(for seconds: Double, until enough: ([WireMessage]) -> Bool = { _ in false }) throws -> [WireMessage] {
            try harness.receive(for: seconds, until: enough)
        }
        let tasks = try harness.join()
        XCTAssertEqual(tasks.count, count)
        let result = CoordinatorHarness.result, acks = CoordinatorHarness.acks

        // While the lock is held nothing can be committed: one result first (its batch waits on
        // the lock), then the rest, which arrive while the coordinator waits.
        let locker = try Database(connectionString: connection)
        // Meanwhile the agent's heartbeat is answered: the store waits on its own thread.
        let whileLocked = try locker.transaction { locked -> [WireMessage] in
            try locked.execute("LOCK TABLE results IN EXCLUSIVE MODE")
            try agent.send(try result(tasks[0]), dontWait: false)
            var seen = try receive(for: 0.3)
            for task in tasks.dropFirst() { try agent.send(try result(task), dontWait: false) }
            try agent.send(try WireMessage.heartbeat.frames(), dontWait: false)
            seen += try receive(for: 1.0) { $0.contains(.heartbeat) }
            seen += try receive(for: 0.5)
            return seen
        }
        XCTAssertEqual(acks(whileLocked), [], "an ACK came before its result could be committed")
        XCTAssertTrue(whileLocked.contains(.heartbeat), "the heartbeat waited for the store")

        // Every ACK that comes now finds its observation committed.
        let monitor = try Database(connectionString: connection)
        var acked: [Int64] = []
        var ackMessages = 0
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, acked.count < count {
            let messages = try receive(for: 0.2)
            ackMessages += CoordinatorHarness.ackMessages(messages)
            for id in acks(messages) {
                let stored: Int = try monitor.query("SELECT count(*)::integer AS n FROM results WHERE task_id = \(id)").single().decode("n")
                XCTAssertEqual(stored, 1, "task \(id) was ACKed without its observation committed")
                acked.append(id)
            }
        }
        XCTAssertEqual(Set(acked), Set(tasks.map(\.taskID)))
        XCTAssertEqual(acked.count, count, "each result ACKed once")
        func single(_ query: SQLQuery) throws -> Int { try monitor.query(query).single().decode("n") }
        XCTAssertEqual(try single("SELECT count(*)::integer AS n FROM results"), count)
        XCTAssertEqual(try single("SELECT count(*)::integer AS n FROM tasks WHERE state = 'done'"), count)
        // The first result's transaction, and one for all that came while it waited (one by
        // one, there were twenty).
        let transactions = try single("SELECT count(DISTINCT xmin::text)::integer AS n FROM results")
        XCTAssertLessThanOrEqual(transactions, 2)
        // And the agent learns of each transaction's results from one message (ACKS).
        XCTAssertEqual(ackMessages, transactions, "one ACK or ACKS per committed batch")
        try agent.send(try WireMessage.bye.frames())
    }

    /// A RESULTS is handled as its reports, each on its own: those on the agent's leases stored
    /// in one transaction, each observation as that report's bytes (a later report on the same
    /// lease in the message changes nothing), those on a lease it does not hold refused at once
    /// and answered together in one ACKS; every one ACKed.
    func testTheReportsOfAResultsAreEachStoredAsSent() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let harness = try CoordinatorHarness(store: store, connection: connection, tasks: 5, periodicJobs: false)
        defer { harness.close() }
        let tasks = try harness.join()
        XCTAssertEqual(tasks.count, 5)
        func observation(_ port: Int) -> String { #"{"reach": {"ports" : [ {"state":"open", "port": \#(port)} ]}}"# }
        func report(_ task: TaskAssignment, attempt: Int? = nil, port: Int) -> String {
            #"{"taskID": \#(task.taskID), "attempt": \#(attempt ?? task.attempt), "outcome": "completed", "connect": \#(observation(port))}"#
        }
        let reports = tasks.enumerated().map { index, task in report(task, attempt: index == 2 ? task.attempt + 98 : nil, port: 1_000 + index) }
            + [report(tasks[0], port: 9_999), report(tasks[2], attempt: tasks[2].attempt + 97, port: 1_002)]
        try harness.agent.send([Data("RESULTS".utf8), Data(("{\"results\": [" + reports.joined(separator: ", ") + "]}").utf8)], dontWait: false)
        var messages: [WireMessage] = []
        messages += try harness.receive(for: 20) { CoordinatorHarness.acks($0).count >= 6 }
        messages += try harness.receive(for: 0.3)
        XCTAssertEqual(CoordinatorHarness.acks(messages).sorted(), (tasks.map(\.taskID) + [tasks[2].taskID]).sorted(),
                       "each report ACKed once, the repeat of task 0's by the first's ACK (the same task and attempt)")
        XCTAssertTrue(messages.contains(.acks([.init(taskID: tasks[2].taskID, attempt: tasks[2].attempt + 98),
                                               .init(taskID: tasks[2].taskID, attempt: tasks[2].attempt + 97)])),
                      "the wrong attempts refused at once, in one ACKS: \(messages)")
        let stored = try store.database.query("SELECT task_id, observation::text AS observation, xmin::text AS transaction FROM results ORDER BY task_id").rows
        XCTAssertEqual(try stored.map { try $0.decode("task_id", as: Int64.self) }, [0, 1, 3, 4].map { tasks[$0].taskID })
        XCTAssertEqual(try stored.map { try $0.decode("observation", as: String.self) }, [0, 1, 3, 4].map { observation(1_000 + $0) })
        XCTAssertEqual(Set(try stored.map { try $0.decode("transaction", as: String.self) }).count, 1, "one transaction")
        let leased: Int = try store.database.query("SELECT count(*)::integer AS n FROM tasks WHERE state = 'leased' AND id = \(tasks[2].taskID)").single().decode("n")
        XCTAssertEqual(leased, 1, "nothing stored for the wrong attempt")
        try harness.agent.send(try WireMessage.bye.frames())
    }

    /// Results waiting for the database are bounded: past the budget a RESULT is dropped
    /// unanswered, and the agent's resend of it is stored and ACKed once the database is back.
    func testResultsBeyondTheBudgetAreDroppedUnansweredAndStoredWhenResent() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let taskCount = 6
        // A budget of 4 bytes: the first result waiting is let through whatever its size, no other.
        let harness = try CoordinatorHarness(store: store, connection: connection, tasks: taskCount, bytesPerTransaction: 1)
        defer { harness.close() }
        let tasks = try harness.join()
        XCTAssertEqual(tasks.count, taskCount)
        let result = CoordinatorHarness.result, acks = CoordinatorHarness.acks
        let locker = try Database(connectionString: connection)
        try locker.transaction { locked in
            try locked.execute("LOCK TABLE results IN EXCLUSIVE MODE")
            for task in tasks { try harness.agent.send(try result(task), dontWait: false) }
            XCTAssertEqual(acks(try harness.receive(for: 1.0)), [])
        }
        // The database is back: only the result that was let through is ACKed.
        let first = acks(try harness.receive(for: 5.0) { !acks($0).isEmpty })
        XCTAssertEqual(first, [tasks[0].taskID])
        XCTAssertEqual(acks(try harness.receive(for: 0.5)), [], "a dropped result was ACKed")
        // The agent resends the rest, one at a time as it waits for each ACK: each is stored.
        var acked = first
        for task in tasks.dropFirst() {
            try harness.agent.send(try result(task), dontWait: false)
            acked += acks(try harness.receive(for: 10.0) { acks($0).contains(task.taskID) })
        }
        XCTAssertEqual(acked, tasks.map(\.taskID))
        XCTAssertEqual(try store.database.query("SELECT count(*)::integer AS n FROM results").single().decode("n", as: Int.self), taskCount)
    }
}

/// The task gauges are counted on a connection of their own: while the writer waits on a lock
/// (an agent's registration), the count still comes.
final class TaskGaugesTests: DatabaseTestCase {
    func testTheTaskGaugesAreCountedWhileTheWriterWaits() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let registry = MetricsRegistry()
        let harness = try CoordinatorHarness(store: store, connection: connection, tasks: 3, metrics: CoordinatorMetrics(factory: registry.factory))
        defer { harness.close() }
        /// The gauge line of the measurement's queued tasks, once it shows within 15 s.
        func queuedGauge(_ measurement: Int64) -> String? {
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let text = String(decoding: registry.render(), as: UTF8.self)
                if let line = text.split(separator: "\n").first(where: {
                    $0.hasPrefix(#"peil_tasks{measurement="\#(measurement)""#) && $0.contains(#"state="queued""#) }) {
                    return String(line)
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return nil
        }
        XCTAssertNotNil(queuedGauge(1), "the first measurement's gauge")
        let locker = try Database(connectionString: connection)
        let gauge = try locker.transaction { locked -> String? in
            // The agent's registration waits on this lock, and the writer with it.
            try locked.execute("LOCK TABLE agents IN ACCESS EXCLUSIVE MODE")
            try harness.agent.send(try WireMessage.hello(.init(agentName: "agent-1", softwareVersion: "test", families: [.ipv4], concurrency: 3)).frames())
            Thread.sleep(forTimeInterval: 0.5)
            let later = try SyntheticTasks.queueReach(in: store, addresses: ["198.18.50.9", "198.18.50.10"], count: 1)
            return queuedGauge(later)
        }
        XCTAssertEqual(gauge.map { $0.hasSuffix(" 2.0") || $0.hasSuffix(" 2") }, true, "a measurement queued while the writer waited: \(gauge ?? "no gauge")")
    }

    /// The count runs again a refresh interval after the last one finished, not as soon as it
    /// finished: counted through a metrics factory that notes each count's gauges, over a few
    /// intervals of a coordinator whose agent never comes.
    func testTheCoordinatorWaitsBetweenCounts() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let counts = CountingGauges(label: "peil_tasks")
        let interval = Duration.milliseconds(500)
        let harness = try CoordinatorHarness(store: store, connection: connection, tasks: 3, metrics: CoordinatorMetrics(factory: counts),
                                             refreshInterval: interval)
        defer { harness.close() }
        let deadline = Date().addingTimeInterval(15)
        while counts.rounds == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThan(counts.rounds, 0, "no count within 15 s")
        let first = counts.rounds
        Thread.sleep(forTimeInterval: 2.0)
        // 2 s at one count every 0.5 s (or longer, on a slow machine) is at most five more; back
        // to back, a count of three tasks runs hundreds of times in 2 s.
        let more = counts.rounds - first
        XCTAssertLessThanOrEqual(more, 5, "\(more) counts in 2 s with an interval of 0.5 s")
    }

    func testTheCountIsPacedByItsOwnDuration() {
        let now = ContinuousClock.now
        XCTAssertEqual(TaskCountPacing.next(finishedAt: now, took: .milliseconds(50), interval: .seconds(2)), now + .seconds(2))
        XCTAssertEqual(TaskCountPacing.next(finishedAt: now, took: .seconds(5), interval: .seconds(2)), now + .seconds(200))
    }
}

/// A coordinator on `ipc://` with queued reach tasks, and one agent speaking the protocol directly.
private final class CoordinatorHarness {
    let agent: ZMQSocket
    private let context: ZMQContext
    private let running: Task<Void, any Error>
    private let directory: URL
    private let count: Int

    /// With `periodicJobs` false the lease sweep and the refresh come only after an hour: none
    /// within a test.
    init(store: PeilStore, connection: String, tasks count: Int, bytesPerTransaction: Int? = nil, metrics: CoordinatorMetrics? = nil,
         periodicJobs: Bool = true, refreshInterval: Duration? = nil) throws {
        self.count = count
        try SyntheticTasks.queueReach(in: store, addresses: (1...count).map { "198.18.50.\($0)" }, count: 1)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-batch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let coordinatorKey = try CurveKeyPair.generate()
        let agentKey = try CurveKeyPair.generate()
        let endpoint = "ipc://\(directory.path)/coordinator.sock"
        var configuration = CoordinatorConfiguration(endpoints: [endpoint], keyPair: coordinatorKey, allowedAgents: [agentKey.publicKey: "agent-1"])
        configuration.planConnectTasks = false
        configuration.leaseSeconds = 300
        if let bytesPerTransaction { configuration.bytesPerTransaction = bytesPerTransaction }
        if !periodicJobs {
            configuration.sweepInterval = .seconds(3600)
            configuration.refreshInterval = .seconds(3600)
        }
        if let refreshInterval { configuration.refreshInterval = refreshInterval }
        var logger = Logger(label: "batched-storage")
        logger.logLevel = .error
        let service = CoordinatorService(configuration: configuration, database: PeilStore(database: try Database(connectionString: connection)),
                                         logger: logger, metrics: metrics)
        running = Task { try await service.run() }
        context = try ZMQContext()
        agent = try ZMQSocket.curveClientDealer(
            context: context, options: CurveClientOptions(serverPublicKey: coordinatorKey.publicKey, keyPair: agentKey, routingID: "agent-1"))
        try agent.connect(endpoint)
    }

    /// HELLO, WELCOME, READY for every task: the tasks sent.
    func join() throws -> [TaskAssignment] {
        try agent.send(try WireMessage.hello(.init(agentName: "agent-1", softwareVersion: "test", families: [.ipv4], concurrency: count)).frames())
        let welcome = try receive(for: 20) { $0.contains { if case .welcome = $0 { true } else { false } } }
        XCTAssertTrue(welcome.contains { if case .welcome = $0 { true } else { false } })
        try agent.send(try WireMessage.ready(credits: count).frames())
        var tasks: [TaskAssignment] = []
        for message in try receive(for: 20, until: { $0.flatMap { if case .tasks(let t) = $0 { t } else { [] } }.count >= self.count }) {
            if case .tasks(let some) = message { tasks += some }
        }
        return tasks
    }

    /// A completed reach RESULT for `task`.
    static func result(_ task: TaskAssignment) throws -> [Data] {
        try WireMessage.result(TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                          connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 80, state: .open)]))))
            .frames()
    }

    /// The task ids of the ACKs among `messages` (one an ACK, several an ACKS), in order.
    static func acks(_ messages: [WireMessage]) -> [Int64] {
        messages.flatMap { message -> [Int64] in
            switch message {
            case .ack(let id, _): [id]
            case .acks(let acks): acks.map(\.taskID)
            default: []
            }
        }
    }

    /// How many of `messages` are ACKs or ACKS.
    static func ackMessages(_ messages: [WireMessage]) -> Int {
        messages.filter { if case .ack = $0 { true } else if case .acks = $0 { true } else { false } }.count
    }

    /// The messages that arrive within `seconds`, or until `enough` says so.
    func receive(for seconds: Double, until enough: ([WireMessage]) -> Bool = { _ in false }) throws -> [WireMessage] {
        var messages: [WireMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !enough(messages) {
            guard !(try ZMQSocket.poll([agent], timeout: .milliseconds(20))).isEmpty else { continue }
            while let (frames, _) = try agent.receive() { messages.append(try WireMessage(frames: frames)) }
        }
        return messages
    }

    func close() {
        try? agent.send(try WireMessage.bye.frames())
        agent.close()
        running.cancel()
        context.terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A metrics factory that counts the rounds of one gauge (a round: the first gauge of that
/// label recorded again, as each count records every gauge once); every other metric goes nowhere.
private final class CountingGauges: MetricsFactory {
    private let label: String
    private let state = Mutex<(first: [String]?, rounds: Int)>((nil, 0))

    init(label: String) { self.label = label }

    var rounds: Int { state.withLock { $0.rounds } }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        guard label == self.label else { return NOOPMetricsHandler.instance }
        return GaugeRound(key: dimensions.map { "\($0.0)=\($0.1)" }, owner: self)
    }

    fileprivate func recorded(_ key: [String]) {
        state.withLock { state in
            if state.first == nil { state.first = key }
            if state.first == key { state.rounds += 1 }
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler { NOOPMetricsHandler.instance }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: CounterHandler) {}
    func destroyRecorder(_ handler: RecorderHandler) {}
    func destroyTimer(_ handler: TimerHandler) {}
}

private final class GaugeRound: RecorderHandler {
    private let key: [String]
    private let owner: CountingGauges

    init(key: [String], owner: CountingGauges) {
        self.key = key
        self.owner = owner
    }

    func record(_ value: Int64) { owner.recorded(key) }
    func record(_ value: Double) { owner.recorded(key) }
}
