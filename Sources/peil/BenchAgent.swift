import Foundation
import PeilModel
import Telemetry
import Wire

/// A fake agent of `peil bench ingest`: on its own thread, one CURVE DEALER that speaks the
/// real protocol (HELLO, READY, TASKS, RESULTS, ACK(S), HEARTBEAT, BYE) and answers every task
/// at once with a canned observation of the task's kind, a TASKS message's tasks in one RESULTS
/// (as a real agent sends what it has at one moment). It times each report until its ACK.
final class BenchAgent: @unchecked Sendable {
    /// What one agent counted. ACKs and latencies are only those whose ACK came inside the window.
    struct Tally: Sendable {
        var resultsSent = 0
        var acksInWindow = 0
        var acksTotal = 0
        /// RESULT→ACK, milliseconds, for the ACKs inside the window.
        var latencies: [Double] = []
        var welcomed = false
        var rejected: [String] = []
        /// Cores the agent's thread used over the window: its own CPU time (not ZeroMQ's
        /// threads') from its first turn of the loop inside the window to its first after it,
        /// over the wall time between them. Nil when the thread did not see both.
        var coresInWindow: Double?
    }

    private let context: ZMQContext
    private let endpoint: String
    private let serverPublicKey: String
    private let keyPair: CurveKeyPair
    private let name: String
    private let concurrency: Int
    private let creditBatch: Int
    private let answers: CannedAnswers
    private let window: ClosedRange<ContinuousClock.Instant>
    private let stopAt: ContinuousClock.Instant
    /// Ends the agent before `stopAt` once stopped (nil: only `stopAt` does).
    private let stop: StopSignal?
    private let lock = NSLock()
    private var tally = Tally()
    private var received = 0
    private var messages = 0
    private let finished = DispatchSemaphore(value: 0)

    init(context: ZMQContext, endpoint: String, serverPublicKey: String, keyPair: CurveKeyPair, name: String,
         concurrency: Int, creditBatch: Int, answers: CannedAnswers, window: ClosedRange<ContinuousClock.Instant>, stopAt: ContinuousClock.Instant,
         stop: StopSignal? = nil) {
        self.context = context
        self.endpoint = endpoint
        self.serverPublicKey = serverPublicKey
        self.keyPair = keyPair
        self.name = name
        self.concurrency = concurrency
        self.creditBatch = min(creditBatch, concurrency)
        self.answers = answers
        self.window = window
        self.stopAt = stopAt
        self.stop = stop
    }

    /// Starts the agent's thread; it ends by itself at `stopAt` (or when stopped).
    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            do { try run() } catch {
                lock.withLock { tally.rejected.append("\(error)") }
            }
        }
        thread.name = "bench-agent-\(name)"
        thread.start()
    }

    /// Tasks the agent was sent so far (read while it runs).
    var tasksReceived: Int { lock.withLock { received } }

    /// TASKS messages the agent was sent so far: one per claim that leased something.
    var tasksMessages: Int { lock.withLock { messages } }

    /// Waits for the thread to end and returns what it counted.
    func result() -> Tally {
        finished.wait()
        return lock.withLock { tally }
    }

    private func run() throws {
        let clock = ContinuousClock()
        let socket = try ZMQSocket.curveClientDealer(
            context: context, options: CurveClientOptions(serverPublicKey: serverPublicKey, keyPair: keyPair, routingID: name))
        defer { socket.close() }
        try socket.connect(endpoint)
        let hello = try WireMessage.hello(.init(agentName: name, softwareVersion: "peil-bench", families: [.ipv4, .ipv6],
                                                concurrency: concurrency)).frames()
        var sentAt: [Int64: ContinuousClock.Instant] = [:]
        var lastHello: ContinuousClock.Instant?
        var lastHeartbeat = clock.now
        var welcomed = false
        var credits = 0
        var local = Tally()
        var cpuAtWindowStart: (at: ContinuousClock.Instant, seconds: Double)?
        defer { lock.withLock { tally = local } }
        /// Notes the thread's CPU time at the window's start, and its cores once the window is over.
        func readCPU() {
            let now = clock.now
            if cpuAtWindowStart == nil, window.contains(now) {
                cpuAtWindowStart = (now, ProcessCPU.threadSeconds())
            } else if local.coresInWindow == nil, now > window.upperBound, let start = cpuAtWindowStart {
                local.coresInWindow = (ProcessCPU.threadSeconds() - start.seconds) / max((now - start.at).seconds, 0.001)
            }
        }
        func acknowledged(_ acks: [WireMessage.Acknowledgement]) {
            let now = clock.now
            for ack in acks {
                guard let sent = sentAt.removeValue(forKey: ack.taskID) else { continue }
                local.acksTotal += 1
                credits += 1
                if window.contains(now) {
                    local.acksInWindow += 1
                    local.latencies.append((now - sent).seconds * 1000)
                }
            }
        }
        while clock.now < stopAt, !(stop?.isStopped ?? false) {
            readCPU()
            if !welcomed, lastHello.map({ clock.now - $0 >= .seconds(2) }) ?? true {
                try socket.send(hello, dontWait: false)
                lastHello = clock.now
            }
            if clock.now - lastHeartbeat >= .seconds(2) {
                try socket.send(try WireMessage.heartbeat.frames(), dontWait: false)
                lastHeartbeat = clock.now
            }
            guard !(try ZMQSocket.poll([socket], timeout: .milliseconds(50))).isEmpty else { continue }
            while let (frames, _) = try socket.receive() {
                switch try WireMessage(frames: frames) {
                case .welcome:
                    welcomed = true
                    local.welcomed = true
                    sentAt = [:]
                    credits = concurrency
                case .tasks(let tasks):
                    lock.withLock { received += tasks.count; messages += 1 }
                    for frames in answers.frames(for: tasks) {
                        try socket.send(frames, dontWait: false)
                    }
                    for task in tasks {
                        sentAt[task.taskID] = clock.now
                        local.resultsSent += 1
                    }
                case .ack(let taskID, let attempt):
                    acknowledged([.init(taskID: taskID, attempt: attempt)])
                case .acks(let acks):
                    acknowledged(acks)
                case .reject(let reason):
                    welcomed = false
                    lastHello = nil
                    if local.rejected.count < 8 { local.rejected.append(reason) }
                case .heartbeat, .hello, .ready, .result, .results, .bye:
                    break
                }
            }
            // Credits go back once `creditBatch` are free (1: as each result is ACKed, as a real agent does).
            if welcomed && credits >= creditBatch {
                try socket.send(try WireMessage.ready(credits: credits).frames(), dontWait: false)
                credits = 0
            }
        }
        readCPU()
        try? socket.send(try WireMessage.bye.frames(), dontWait: true)
    }
}

/// The RESULT an agent of `peil bench ingest` sends for a task: a completed report with the
/// canned observation of the task's kind. The observation's JSON is encoded once; each RESULT
/// only wraps it with the task's id and attempt, so the fake agents spend little of the
/// machine on encoding.
struct CannedAnswers: Sendable {
    /// The observation's wire JSON per task kind, as the `resolution` or `connect` member.
    private let members: [TaskKind: (key: String, json: String)]

    /// `resolution` for resolve tasks, `connect` for the connect kinds; kinds without one are
    /// never queued.
    init(resolution: ResolutionObservation?, connect: [TaskKind: ConnectObservation]) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var members: [TaskKind: (key: String, json: String)] = [:]
        if let resolution { members[.resolve] = ("resolution", String(decoding: try encoder.encode(resolution), as: UTF8.self)) }
        for (kind, observation) in connect {
            members[kind] = ("connect", String(decoding: try encoder.encode(observation), as: UTF8.self))
        }
        self.members = members
        try check()
    }

    /// The kinds this set answers.
    var kinds: Set<TaskKind> { Set(members.keys) }

    /// The observation's size in bytes on the wire per kind.
    var bytes: [TaskKind: Int] { members.mapValues { $0.json.utf8.count } }

    /// The messages answering `tasks`: a RESULTS per ``WireMessage/maximumReports`` of them, a
    /// lone one as RESULT.
    func frames(for tasks: [TaskAssignment]) -> [[Data]] {
        tasks.chunks(of: WireMessage.maximumReports).map { part in
            if part.count == 1 { return [Data("RESULT".utf8), Data(report(for: part[part.startIndex]).utf8)] }
            return [Data("RESULTS".utf8), Data(("{\"results\":[" + part.map(report(for:)).joined(separator: ",") + "]}").utf8)]
        }
    }

    /// A task's report, as JSON.
    private func report(for task: TaskAssignment) -> String {
        guard let member = members[task.kind] else {
            return "{\"taskID\":\(task.taskID),\"attempt\":\(task.attempt),\"outcome\":\"probe_error\",\"detail\":\"no canned answer\"}"
        }
        return "{\"taskID\":\(task.taskID),\"attempt\":\(task.attempt),\"outcome\":\"completed\",\"\(member.key)\":\(member.json)}"
    }

    /// Every canned RESULT and RESULTS decodes as the protocol's with the observation it was made from.
    private func check() throws {
        for (kind, member) in members {
            func task(_ id: Int64) -> TaskAssignment { TaskAssignment(taskID: id, attempt: 2, measurementID: 1, kind: kind, domain: "d.test", webHost: "d.test") }
            func fits(_ report: TaskReport, _ id: Int64) -> Bool {
                report.taskID == id && report.attempt == 2 && report.outcome == .completed
                    && (member.key == "resolution" ? report.resolution != nil : report.connect != nil)
            }
            guard let one = frames(for: [task(7)]).first, case .result(let report) = try WireMessage(frames: one), fits(report, 7),
                  let two = frames(for: [task(7), task(8)]).first, case .results(let reports) = try WireMessage(frames: two),
                  reports.count == 2, fits(reports[0], 7), fits(reports[1], 8)
            else { throw BenchError("the canned \(kind.rawValue) RESULT or RESULTS does not decode as one") }
        }
    }
}
