import Foundation
import Report

/// What a report input is judged from: the measurement and the report's query.
struct ReportInputKey: Hashable, Sendable {
    var measurement: Int64
    var sets: [String]?
    var baseline: String?
    var rules: String?
    var baselineRules: String?
    var sliceBy: String?
}

/// Judged report inputs of finished measurements (``APIRoutes/buildReport(_:_:id:only:)``).
typealias ReportInputCache = LoadCache<ReportInputKey, ReportInput>

/// Values that are costly to load, kept for a while: the server keeps judged report inputs of
/// finished measurements in one, so that the report and domain pages do not judge a whole
/// measurement on every request (reading every observation and deriving every verdict is what
/// costs). One load per key at a time: callers asking for a value while it is being loaded
/// wait for that one load.
///
/// Only a value whose `finished` said yes before its load began is kept (a running
/// measurement's input is loaded each time), for `lifetime` at most, since a set re-imported
/// meanwhile can change what a report covers; at most `capacity` values (the one that
/// expires first goes). What changes independently (the explanations) the caller puts in on
/// every use.
actor LoadCache<Key: Hashable & Sendable, Value: Sendable> {

    private struct Entry {
        var load: Task<Value, any Error>
        /// nil while loading, or for an input that is not kept.
        var keptUntil: ContinuousClock.Instant?
    }

    private var entries: [Key: Entry] = [:]
    private let lifetime: Duration
    private let capacity: Int

    init(lifetime: Duration = .seconds(60), capacity: Int = 16) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The value for `key`: a kept one, the one being loaded, or `load()`'s. `finished` says
    /// (before the load) whether what the value is loaded from has stopped changing, so it may be kept.
    func value(_ key: Key, finished: @escaping @Sendable () async throws -> Bool,
               load: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let entry = entries[key] {
            if let until = entry.keptUntil, until < now {
                entries[key] = nil
            } else {
                return try await Self.value(of: entry.load)
            }
        }
        let task = Task<Value, any Error> {
            let keep = try await finished()
            let value = try await load()
            if !keep { throw NotKept(value: value) }
            return value
        }
        entries[key] = Entry(load: task, keptUntil: nil)
        do {
            let value = try await task.value
            settle(key, task, keptUntil: ContinuousClock.now + lifetime)
            return value
        } catch let notKept as NotKept {
            settle(key, task, keptUntil: nil)
            return notKept.value
        } catch {
            settle(key, task, keptUntil: nil)
            throw error
        }
    }

    /// A load's value, whether it is kept or not.
    private static func value(of load: Task<Value, any Error>) async throws -> Value {
        do {
            return try await load.value
        } catch let notKept as NotKept {
            return notKept.value
        }
    }

    /// Forgets every kept value (after a write that could change one).
    func removeAll() {
        entries = [:]
    }

    /// Values kept or being loaded.
    var count: Int { entries.count }

    /// Keeps the finished load `task` of `key` until `keptUntil`, or drops it (nil); evicts
    /// the value that expires first when over capacity.
    private func settle(_ key: Key, _ task: Task<Value, any Error>, keptUntil: ContinuousClock.Instant?) {
        guard entries[key]?.load == task else { return }
        guard let keptUntil else { entries[key] = nil; return }
        entries[key] = Entry(load: task, keptUntil: keptUntil)
        while entries.count > capacity, let oldest = entries.filter({ $0.value.keptUntil != nil }).min(by: { $0.value.keptUntil! < $1.value.keptUntil! })?.key {
            entries[oldest] = nil
        }
    }

    /// A load whose value is used once and not kept (what it was loaded from was still changing).
    private struct NotKept: Error {
        let value: Value
    }
}
