import Foundation
import PeilModel

/// The coordinator–agent protocol. A message is two ZeroMQ frames: its kind, then a JSON body
/// (empty for bodiless kinds). A ROUTER prepends the peer's routing id frame.
///
///     agent → HELLO → coordinator → WELCOME
///     agent → READY(n)            credits: the agent can take n more tasks
///     coordinator → TASKS([...])  at most the credits given, each under a lease
///     agent → RESULT(report)      → ACK(task, attempt) only after the row is committed;
///                                   ACKS([(task, attempt)]) for several committed together
///     agent → RESULTS([report])   several reports in one message, each answered as a RESULT
///     HEARTBEAT both ways; BYE when an agent leaves; REJECT when the coordinator refuses
public enum WireMessage: Sendable, Equatable {
    case hello(Hello)
    case welcome(Welcome)
    case ready(credits: Int)
    case tasks([TaskAssignment])
    case result(TaskReport)
    /// Several reports at once, each handled as its own RESULT: what an agent has to send
    /// at one moment. 1 to ``maximumReports``.
    case results([TaskReport])
    case ack(taskID: Int64, attempt: Int)
    /// Several ACKs at once: the reports of one agent that one transaction committed (or
    /// refused for good), in the order received. At most ``maximumAcknowledgements``.
    case acks([Acknowledgement])
    case heartbeat
    case bye
    case reject(reason: String)

    /// The protocol version both sides must speak (8: RESULTS).
    public static let protocolVersion = 8

    /// The most reports one RESULTS carries.
    public static let maximumReports = 128

    /// The most acknowledgements one ACKS carries (about 40 bytes each on the wire).
    public static let maximumAcknowledgements = 1_000

    /// One report the coordinator is done with, in an ACKS.
    public struct Acknowledgement: Codable, Sendable, Hashable {
        public var taskID: Int64
        public var attempt: Int

        public init(taskID: Int64, attempt: Int) {
            self.taskID = taskID
            self.attempt = attempt
        }
    }

    public struct Hello: Codable, Sendable, Equatable {
        public var agentName: String
        public var protocolVersion: Int
        public var softwareVersion: String
        public var families: [AddressFamily]
        public var concurrency: Int
        /// The session this process was last welcomed with (``Welcome/session``), if any: the
        /// new session takes over its leases, so results on them still count. Absent from agents
        /// that predate it.
        public var resumes: String?

        public init(agentName: String, protocolVersion: Int = WireMessage.protocolVersion, softwareVersion: String, families: [AddressFamily],
                    concurrency: Int, resumes: String? = nil) {
            self.agentName = agentName
            self.protocolVersion = protocolVersion
            self.softwareVersion = softwareVersion
            self.families = families
            self.concurrency = concurrency
            self.resumes = resumes
        }
    }

    public struct Welcome: Codable, Sendable, Equatable {
        /// The agent id the coordinator records results under.
        public var agentID: String
        public var heartbeatSeconds: Double
        public var leaseSeconds: Double
        /// The coordinator's attempts per task: the last one is final, its result is kept
        /// whatever it holds (a probe does not ask for another attempt then).
        public var maxAttempts: Int
        /// The session's id (random, made at HELLO): its leases are its own, not the agent's
        /// other sessions'. The agent names it in its next HELLO (``Hello/resumes``).
        public var session: String?

        public init(agentID: String, heartbeatSeconds: Double, leaseSeconds: Double, maxAttempts: Int, session: String? = nil) {
            self.agentID = agentID
            self.heartbeatSeconds = heartbeatSeconds
            self.leaseSeconds = leaseSeconds
            self.maxAttempts = maxAttempts
            self.session = session
        }
    }

    struct Credits: Codable, Hashable { var credits: Int }
    struct AckBody: Codable, Hashable { var taskID: Int64; var attempt: Int }
    struct AcksBody: Codable, Hashable { var acks: [Acknowledgement] }
    struct ResultsBody: Codable { var results: [TaskReport] }
    private struct Reason: Codable { var reason: String }

    /// The frames of this message (without any routing id). TASKS, ACK, ACKS and READY, the
    /// messages sent most, are written by ``WireBodyWriter``; the others by `JSONEncoder`.
    public func frames() throws -> [Data] {
        func body(_ value: some Encodable) throws -> Data {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            return try encoder.encode(value)
        }
        switch self {
        case .hello(let hello): return [Data("HELLO".utf8), try body(hello)]
        case .welcome(let welcome): return [Data("WELCOME".utf8), try body(welcome)]
        case .ready(let credits): return [Data("READY".utf8), WireBodyWriter.ready(credits: credits)]
        case .tasks(let tasks): return [Data("TASKS".utf8), WireBodyWriter.tasks(tasks)]
        case .result(let report): return [Data("RESULT".utf8), try body(report)]
        case .results(let reports):
            guard !reports.isEmpty, reports.count <= Self.maximumReports else {
                throw WireError.malformed("a RESULTS carries 1 to \(Self.maximumReports) reports, not \(reports.count)")
            }
            return [Data("RESULTS".utf8), try body(ResultsBody(results: reports))]
        case .ack(let taskID, let attempt): return [Data("ACK".utf8), WireBodyWriter.ack(taskID: taskID, attempt: attempt)]
        case .acks(let acks):
            guard !acks.isEmpty, acks.count <= Self.maximumAcknowledgements else {
                throw WireError.malformed("an ACKS carries 1 to \(Self.maximumAcknowledgements) acknowledgements, not \(acks.count)")
            }
            return [Data("ACKS".utf8), WireBodyWriter.acks(acks)]
        case .heartbeat: return [Data("HEARTBEAT".utf8), Data()]
        case .bye: return [Data("BYE".utf8), Data()]
        case .reject(let reason): return [Data("REJECT".utf8), try body(Reason(reason: reason))]
        }
    }

    /// The messages that carry `reports`, in order: as few RESULTS as hold them within
    /// ``maximumReports`` and `maximumBytes` of body each, a report that goes alone as a RESULT
    /// (one larger than `maximumBytes` too: the transport's limit is the judge of that one).
    /// Each report is encoded once.
    public static func reportFrames(_ reports: [TaskReport], maximumBytes: Int) throws -> [[Data]] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let encoded = try reports.map { try encoder.encode($0) }
        let open = Data("{\"results\":[".utf8), close = Data("]}".utf8)
        var messages: [[Data]] = []
        var part: [Data] = []
        var partBytes = open.count + close.count
        func flush() {
            guard !part.isEmpty else { return }
            if part.count == 1 {
                messages.append([Data("RESULT".utf8), part[0]])
            } else {
                var body = open
                body.reserveCapacity(partBytes)
                for (index, report) in part.enumerated() {
                    if index > 0 { body.append(UInt8(ascii: ",")) }
                    body.append(report)
                }
                body.append(close)
                messages.append([Data("RESULTS".utf8), body])
            }
            part = []
            partBytes = open.count + close.count
        }
        for report in encoded {
            if !part.isEmpty && (part.count == maximumReports || partBytes + 1 + report.count > maximumBytes) { flush() }
            partBytes += (part.isEmpty ? 0 : 1) + report.count
            part.append(report)
        }
        flush()
        return messages
    }

    /// Parses the two frames of a message; a malformed message is an error naming why.
    public init(frames: [Data]) throws {
        self = try Self.received(frames: frames).message
    }

    /// A message as received: for a RESULT or RESULTS, also where each report stands in the
    /// body, so that it can be stored as the agent sent it.
    public struct Received: Sendable {
        public var message: WireMessage
        /// Per report of a RESULT (one) or RESULTS (each, in order); empty for other kinds.
        public var reports: [ReportLayout] = []
    }

    /// Where one report of a RESULT or RESULTS stands in the message's body, as offsets from the
    /// body's first byte.
    public struct ReportLayout: Sendable, Equatable {
        /// The report's JSON (for a RESULT, the whole body).
        public var bytes: Range<Int>
        /// Its one observation's JSON (its `resolution` or `connect` member); nil when it carries none or both.
        public var observation: Range<Int>?
    }

    /// Parses the two frames of a message (``init(frames:)``), locating a RESULT's observation.
    public static func received(frames: [Data]) throws -> Received {
        guard frames.count == 2 else { throw WireError.malformed("expected 2 frames, got \(frames.count)") }
        let kind = String(decoding: frames[0], as: UTF8.self)
        let decoder = WireJSONDecoder()
        func body<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try decoder.decode(type, from: frames[1]) } catch {
                throw WireError.malformed("\(kind) body: \(error)")
            }
        }
        switch kind {
        case "HELLO": return Received(message: .hello(try body(Hello.self)))
        case "WELCOME": return Received(message: .welcome(try body(Welcome.self)))
        case "READY": return Received(message: .ready(credits: try body(Credits.self).credits))
        case "TASKS": return Received(message: .tasks(try body([TaskAssignment].self)))
        case "RESULT":
            do {
                let (report, observation) = try decoder.decode(TaskReport.self, from: frames[1], locatingMember: \.observationMember)
                return Received(message: .result(report), reports: [ReportLayout(bytes: 0..<frames[1].count, observation: observation)])
            } catch {
                throw WireError.malformed("\(kind) body: \(error)")
            }
        case "RESULTS":
            let (body, layout): (ResultsBody, [(element: Range<Int>, member: Range<Int>?)])
            do {
                (body, layout) = try decoder.decode(ResultsBody.self, from: frames[1], elementsOf: "results", \.results, locatingMember: \.observationMember)
            } catch {
                throw WireError.malformed("\(kind) body: \(error)")
            }
            guard !body.results.isEmpty, body.results.count <= maximumReports else {
                throw WireError.malformed("\(kind) body: 1 to \(maximumReports) reports, not \(body.results.count)")
            }
            return Received(message: .results(body.results), reports: layout.map { ReportLayout(bytes: $0.element, observation: $0.member) })
        case "ACK":
            let ack = try body(AckBody.self)
            return Received(message: .ack(taskID: ack.taskID, attempt: ack.attempt))
        case "ACKS":
            let acks = try body(AcksBody.self).acks
            guard !acks.isEmpty, acks.count <= maximumAcknowledgements else {
                throw WireError.malformed("\(kind) body: 1 to \(maximumAcknowledgements) acknowledgements, not \(acks.count)")
            }
            return Received(message: .acks(acks))
        case "HEARTBEAT": return Received(message: .heartbeat)
        case "BYE": return Received(message: .bye)
        case "REJECT": return Received(message: .reject(reason: try body(Reason.self).reason))
        default: throw WireError.malformed("unknown message kind '\(kind.prefix(32))'")
        }
    }
}

/// A message that does not follow the protocol.
public enum WireError: Error, CustomStringConvertible, Sendable {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed message: \(why)"
        }
    }
}

extension TaskReport {
    /// The member holding the report's one observation (`resolution` or `connect`); nil when
    /// it carries none or both.
    var observationMember: String? {
        switch (resolution, connect) {
        case (.some, nil): "resolution"
        case (nil, .some): "connect"
        default: nil
        }
    }
}
