import Coordinator
import Foundation
import Logging
import PeilModel
import PeilTestSupport
import Store
import Wire
import XCTest

/// Results that arrive together are stored in one transaction, and each is ACKed only once that
/// transaction is committed, while heartbeats are answered at once: a coordinator on `ipc://`
/// and an agent speaking the protocol directly, while the test holds a lock that stops every
/// insert into `observations`.
final class BatchedStorageTests: DatabaseTestCase {
    func testResultsArrivingTogetherAreCommittedTogetherAndAckedAfterTheCommit() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let count = 20
        try SyntheticTasks.queueReach(in: store, addresses: (1...count).map { "198.18.50.\($0)" }, count: 1)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-batch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let coordinatorKey = try CurveKeyPair.generate()
        let agentKey = try CurveKeyPair.generate()
        let endpoint = "ipc://\(directory.path)/coordinator.sock"
        var configuration = CoordinatorConfiguration(endpoints: [endpoint], keyPair: coordinatorKey, allowedAgents: [agentKey.publicKey: "agent-1"])
        configuration.planConnectTasks = false
        configuration.leaseSeconds = 300
        var logger = Logger(label: "batched-storage")
        logger.logLevel = .warning
        let service = CoordinatorService(configuration: configuration, database: PeilStore(database: try Database(connectionString: connection)),
                                         logger: logger)
        let running = Task { try await service.run() }
        defer { running.cancel() }

        let context = try ZMQContext()
        defer { context.terminate() }
        let agent = try ZMQSocket.curveClientDealer(
            context: context, options: CurveClientOptions(serverPublicKey: coordinatorKey.publicKey, keyPair: agentKey, routingID: "agent-1"))
        defer { agent.close() }
        try agent.connect(endpoint)
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

        try agent.send(try WireMessage.hello(.init(agentName: "agent-1", softwareVersion: "test", families: [.ipv4], concurrency: count)).frames())
        let welcome = try receive(for: 20) { $0.contains { if case .welcome = $0 { true } else { false } } }
        XCTAssertTrue(welcome.contains { if case .welcome = $0 { true } else { false } })
        try agent.send(try WireMessage.ready(credits: count).frames())
        var tasks: [TaskAssignment] = []
        for message in try receive(for: 20, until: { $0.flatMap { if case .tasks(let t) = $0 { t } else { [] } }.count >= count }) {
            if case .tasks(let some) = message { tasks += some }
        }
        XCTAssertEqual(tasks.count, count)
        func result(_ task: TaskAssignment) throws -> [Data] {
            try WireMessage.result(TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                              connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 80, state: .open)]))))
                .frames()
        }
        func acks(_ messages: [WireMessage]) -> [Int64] { messages.compactMap { if case .ack(let id, _) = $0 { id } else { nil } } }

        // While the lock is held nothing can be committed: one result first (its batch waits on
        // the lock), then the rest, which arrive while the coordinator waits.
        let locker = try Database(connectionString: connection)
        // Meanwhile the agent's heartbeat is answered: the store waits on its own thread.
        let whileLocked = try locker.transaction { locked -> [WireMessage] in
            try locked.execute("LOCK TABLE observations IN EXCLUSIVE MODE")
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
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, acked.count < count {
            for id in acks(try receive(for: 0.2)) {
                let stored: Int = try monitor.query("SELECT count(*)::integer AS n FROM observations WHERE task_id = \(id)").single().decode("n")
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
        XCTAssertLessThanOrEqual(try single("SELECT count(DISTINCT xmin::text)::integer AS n FROM observations"), 2)
        try agent.send(try WireMessage.bye.frames())
    }
}
