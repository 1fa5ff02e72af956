import Foundation

/// Work that mostly waits (on child processes, on the network): `iterations` calls of `body`
/// spread over `width` threads of their own. Unlike `DispatchQueue.concurrentPerform`, which
/// runs as many at once as the machine has cores, the waits of a wide loop overlap.
public enum WaitingWork {
    /// Calls `body(0)` … `body(iterations - 1)`, at most `width` at once; returns when all have.
    public static func perform(iterations: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let next = Locked(0)
        let finished = DispatchGroup()
        for worker in 0..<max(1, min(width, iterations)) {
            finished.enter()
            let thread = Thread {
                while true {
                    let index = next.withLock { value in
                        defer { value += 1 }
                        return value
                    }
                    guard index < iterations else { break }
                    body(index)
                }
                finished.leave()
            }
            thread.name = "peil-waiting-\(worker)"
            thread.start()
        }
        finished.wait()
    }
}
