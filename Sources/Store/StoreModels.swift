import Foundation
import PeilModel

/// What ``PeilStore/importSet(name:entries:)`` did to a set.
public struct ImportSummary: Sendable, Hashable, Codable {
    public var set: String
    /// Domains in the set now.
    public var domains: Int
    /// Domains that joined the set with this import.
    public var added: Int
    /// Domains that left the set with this import.
    public var removed: Int
    /// Domains Peil had not known in any set before.
    public var newDomains: Int

    public init(set: String, domains: Int, added: Int, removed: Int, newDomains: Int) {
        self.set = set
        self.domains = domains
        self.added = added
        self.removed = removed
        self.newDomains = newDomains
    }
}

/// A set with its size, for `peil sets`.
public struct SetSummary: Sendable, Hashable, Codable {
    public var name: String
    public var domains: Int
    /// Domains per layer; layers with no domains are left out.
    public var layers: [Layer: Int]
    /// Domains the set gives no layer (plain lists).
    public var withoutLayer: Int
    public var importedAt: Date
    /// Members per tag name (the list's extra columns, `peil report --by TAG`).
    public var tags: [String: Int]

    public init(name: String, domains: Int, layers: [Layer: Int], withoutLayer: Int, importedAt: Date, tags: [String: Int] = [:]) {
        self.name = name
        self.domains = domains
        self.layers = layers
        self.withoutLayer = withoutLayer
        self.importedAt = importedAt
        self.tags = tags
    }
}

/// How far a measurement is, for `peil status`.
public struct MeasurementProgress: Sendable, Hashable, Codable {
    public var measurementID: Int64
    public var total: Int
    public var queued: Int
    public var leased: Int
    public var done: Int
    public var notTestable: Int
    /// Per agent that produced final results, by agent id.
    public var agents: [AgentThroughput]

    public init(measurementID: Int64, total: Int, queued: Int, leased: Int, done: Int, notTestable: Int,
                agents: [AgentThroughput]) {
        self.measurementID = measurementID
        self.total = total
        self.queued = queued
        self.leased = leased
        self.done = done
        self.notTestable = notTestable
        self.agents = agents
    }

    /// Tasks that reached a final state (done or not testable).
    public var finished: Int { done + notTestable }
    /// True when no task is queued or leased.
    public var isComplete: Bool { finished == total }
}

/// What one agent contributed to a measurement's final results.
public struct AgentThroughput: Sendable, Hashable, Codable {
    public var agentID: String
    /// Final results (the winning report of a task) from this agent.
    public var tasksDone: Int
    public var firstResultAt: Date
    public var lastResultAt: Date

    public init(agentID: String, tasksDone: Int, firstResultAt: Date, lastResultAt: Date) {
        self.agentID = agentID
        self.tasksDone = tasksDone
        self.firstResultAt = firstResultAt
        self.lastResultAt = lastResultAt
    }

    /// Results per second between the first and the last, nil with fewer than two results.
    public var tasksPerSecond: Double? {
        let seconds = lastResultAt.timeIntervalSince(firstResultAt)
        return tasksDone > 1 && seconds > 0 ? Double(tasksDone - 1) / seconds : nil
    }
}

/// What ``PeilStore/recordReport(_:agentID:maxAttempts:)`` did with a report. Every case except
/// ``unknownTask`` means the report is durably handled: the coordinator may acknowledge it.
public enum ReportDisposition: String, Sendable, Hashable, Codable {
    /// A completed report that became the task's final result.
    case stored
    /// This (task, attempt) was reported before; nothing changed.
    case duplicate
    /// Kept as a raw observation, but the task had moved on: another attempt already gave the
    /// final result, or the report was a failure for an attempt that is no longer current.
    case stale
    /// A failure report; the task went back to the queue for another attempt.
    case requeued
    /// A failure report on the last allowed attempt; the task ended as not testable.
    case notTestable = "not_testable"
    /// No such task; nothing stored.
    case unknownTask = "unknown_task"
    /// Refused, nothing stored: the task is not leased to this agent at this attempt.
    case refusedNotLeased = "refused_not_leased"
    /// Refused, nothing stored: not the observation of the task's kind. The task (leased to
    /// this agent at this attempt) ended as not testable with the reason.
    case refusedWrongKind = "refused_wrong_kind"
    /// Refused, nothing stored: over ``ReportAdmission``'s limits. The task ended as not
    /// testable with the reason.
    case refusedTooLarge = "refused_too_large"
}

/// Store-level refusals, as opposed to database failures (``DatabaseError``).
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptySetName
    case noSets
    case unknownSet(String)
    case emptySet(String)
    case unknownMeasurement(Int64)
    case unknownMeasurementName(String)
    /// A Peil measurement already has the name an import asked for.
    case measurementNameTaken(String)
    /// A schedule that cannot be made (the reason).
    case invalidSchedule(String)
    /// A rescan that cannot be made (the reason).
    case invalidRescan(String)

    public var description: String {
        switch self {
        case .emptySetName: "a set needs a name"
        case .noSets: "name at least one set to measure"
        case .unknownSet(let name): "there is no set named '\(name)' (see peil sets)"
        case .emptySet(let name): "set '\(name)' has no domains"
        case .unknownMeasurement(let id): "there is no measurement \(id)"
        case .unknownMeasurementName(let name): "there is no measurement named '\(name)'"
        case .measurementNameTaken(let name): "measurement name '\(name)' belongs to a Peil measurement; choose another"
        case .invalidSchedule(let why): "schedule: \(why)"
        case .invalidRescan(let why): "rescan: \(why)"
        }
    }
}
