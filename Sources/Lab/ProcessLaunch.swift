import Foundation

/// Starts child processes one at a time.
///
/// swift-corelibs-foundation's `Process.run()` is not safe to call from several threads at
/// once (seen here: a crash in its memcpy while two threads launched `dig`). Everything in
/// Peil that launches processes concurrently goes through this lock; the children still run
/// concurrently.
public enum ProcessLaunch {
    private static let lock = NSLock()

    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
