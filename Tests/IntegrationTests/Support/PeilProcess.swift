import Foundation
import Lab
import PeilTestSupport
import XCTest

/// A `peil` process started by an integration test (a ``TestProcess``), optionally inside a
/// network namespace, with its output in `<directory>/<name>.log` that the test can show when
/// something goes wrong.
final class PeilProcess {
    let name: String
    let process: TestProcess

    /// The `peil` binary built beside the test bundle, in the build products folder.
    static var peilBinary: URL {
        URL(fileURLWithPath: TestProcess.peil ?? Bundle.main.bundleURL.appendingPathComponent("peil").path)
    }

    /// Starts `peil arguments…`, inside `namespace` when given.
    init(name: String, namespace: String? = nil, arguments: [String], directory: URL, environment: [String: String] = [:]) throws {
        self.name = name
        let log = directory.appendingPathComponent("\(name).log").path
        if let namespace {
            process = try TestProcess("/usr/sbin/ip", ["netns", "exec", namespace, Self.peilBinary.path] + arguments, log: log, environment: environment)
        } else {
            process = try TestProcess(Self.peilBinary.path, arguments, log: log, environment: environment)
        }
    }

    /// A member of a ``LabFleet``.
    init(_ member: LabFleet.Member) {
        name = member.name
        process = member.process
    }

    var log: String { process.output }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// Waits for the process to end; false if it did not within `timeout`.
    @discardableResult
    func waitForExit(timeout: TimeInterval) -> Bool {
        process.wait(timeout: .milliseconds(Int(timeout * 1000))) != nil
    }

    /// SIGTERM, then SIGKILL if it lingers.
    func stop() { process.stop(grace: .seconds(10)) }

    /// Runs `peil arguments…` to completion and returns its exit status and output.
    static func run(_ arguments: [String], namespace: String? = nil, directory: URL, timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let process = try PeilProcess(name: "run-\(UUID().uuidString.prefix(6))", namespace: namespace, arguments: arguments, directory: directory)
        guard process.waitForExit(timeout: timeout) else {
            process.stop()
            throw PeilProcessError.timedOut(arguments.joined(separator: " "), process.log)
        }
        return (process.process.terminationStatus, process.log)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: TimeInterval, every interval: TimeInterval = 0.2, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return try condition()
}

enum PeilProcessError: Error, CustomStringConvertible {
    case timedOut(String, String)

    var description: String {
        switch self {
        case .timedOut(let command, let log): "'peil \(command)' did not finish in time; its output:\n\(log)"
        }
    }
}
