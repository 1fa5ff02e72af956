import Foundation
import Logging
import Store

/// Lease expiry for one coordinator. Of all the coordinators on a database exactly one sweeps
/// at a time: the one holding the ``SweeperLock`` (a session-level advisory lock on a
/// connection of its own, opened at the first sweep). The others ask for the lock at each of
/// their sweeps, so when the sweeper dies (its connection closes) or stops, another takes over
/// at its next one.
final class LeaseSweeper {
    private let store: PeilStore
    private let logger: Logger
    private var lock: SweeperLock?
    /// Whether the last sweep found this coordinator holding the lock.
    private(set) var isSweeper = false

    init(store: PeilStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Ends the leases past their time, if this coordinator is the sweeper (taking the lock
    /// when nobody holds it).
    /// - Returns: how many leases ended; nil when another coordinator sweeps, or the database failed.
    @discardableResult
    func sweep(maxAttempts: Int) -> Int? {
        do {
            let lock = try self.lock ?? SweeperLock(database: try store.database.newConnection())
            self.lock = lock
            let holds = try lock.holds()
            if holds != isSweeper {
                logger.notice(holds ? "this coordinator now sweeps expired leases" : "another coordinator sweeps expired leases now")
                isSweeper = holds
            }
            guard holds else { return nil }
            let expired = try store.expireLeases(maxAttempts: maxAttempts)
            if expired > 0 { logger.info("\(expired) leases expired; tasks back in the queue") }
            return expired
        } catch {
            logger.error("cannot expire leases: \(error)")
            return nil
        }
    }
}
