import Foundation
import Lab
import XCTest

/// A `peil` (or other) process started by a test, optionally inside a network namespace,
/// with its output in a file the test can show when something goes wrong.
final class TestProcess {
    let name: String
    let process = Process()
    let logURL: URL

    /// The `peil` binary built beside the test bundle, in the build products folder.
    static var peilBinary: URL {
        let candidates = [
            Bundle.main.bundleURL,
            Bundle(for: TestProcess.self).bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("peil") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Starts `peil arguments…`, inside `namespace` when given.
    init(name: String, namespace: String? = nil, arguments: [String], directory: URL, environment: [String: String] = [:]) throws {
        self.name = name
        logURL = directory.appendingPathComponent("\(name).log")
        guard FileManager.default.createFile(atPath: logURL.path, contents: nil) else {
            throw IntegrationError("cannot create \(logURL.path)")
        }
        let log = try FileHandle(forWritingTo: logURL)
        if let namespace {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, Self.peilBinary.path] + arguments
        } else {
            process.executableURL = Self.peilBinary
            process.arguments = arguments
        }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        try? log.close()  // the child has its own copy
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the process to end; false if it did not within `timeout`.
    @discardableResult
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return !process.isRunning
    }

    /// SIGTERM, then SIGKILL if it lingers.
    func stop() {
        signal(SIGTERM)
        if !waitForExit(timeout: 10) {
            signal(SIGKILL)
            waitForExit(timeout: 5)
        }
    }

    /// Runs `peil arguments…` to completion and returns its exit status and output.
    static func run(_ arguments: [String], namespace: String? = nil, directory: URL, timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let process = try TestProcess(name: "run-\(UUID().uuidString.prefix(6))", namespace: namespace, arguments: arguments, directory: directory)
        guard process.waitForExit(timeout: timeout) else {
            process.stop()
            throw TestProcessError.timedOut(arguments.joined(separator: " "), process.log)
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

enum TestProcessError: Error, CustomStringConvertible {
    case timedOut(String, String)

    var description: String {
        switch self {
        case .timedOut(let command, let log): "'peil \(command)' did not finish in time; its output:\n\(log)"
        }
    }
}
