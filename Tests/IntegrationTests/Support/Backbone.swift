import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import Wire
import XCTest

/// One integration scenario's world: a fresh database on the `ops/pg` server, keys, and a
/// coordinator and agents run as real `peil` processes (agents inside lab vantage namespaces,
/// reaching the coordinator over an `ipc://` socket, which crosses namespaces without any
/// network link to the host).
final class Backbone {
    let directory: URL
    let connectionString: String
    let store: PeilStore
    let lab: Lab
    private let database: TemporaryDatabase
    private(set) var processes: [PeilProcess] = []

    var endpoint: String { "ipc://\(directory.path)/coordinator.sock" }

    init(lab: Lab) throws {
        self.lab = lab
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try TemporaryDatabase(prefix: "peil_it")
        connectionString = database.connectionString
        store = try XCTUnwrap(database.store)
    }

    /// Makes a key pair; allow-listed ones go into `agents.allow`.
    @discardableResult
    func makeKey(_ name: String, allowListed: Bool) throws -> CurveKeyPair {
        let pair = try CurveKeyPair.generate()
        _ = try CurveKeyFile.write(pair, name: name, directory: directory)
        if allowListed {
            let allow = directory.appendingPathComponent("agents.allow")
            let previous = (try? String(contentsOf: allow, encoding: .utf8)) ?? ""
            try (previous + "\(pair.publicKey) \(name)\n").write(to: allow, atomically: true, encoding: .utf8)
        }
        return pair
    }

    /// `peil ARGS --database …` to completion; fails the test on a non-zero exit.
    @discardableResult
    func peil(_ arguments: [String], expectSuccess: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let result = try PeilProcess.run(arguments + ["--database", connectionString], directory: directory)
        if expectSuccess {
            XCTAssertEqual(result.status, 0, "peil \(arguments.joined(separator: " ")) failed:\n\(result.output)", file: file, line: line)
        }
        return result
    }

    /// Imports the lab's domains, each with the web host the lab gives it, as set `name`
    /// through `peil import`.
    func importLabSet(_ name: String) throws {
        let list = directory.appendingPathComponent("\(name).txt")
        try ("# lab domains\n" + lab.expectedFacts().map { "\($0.domain) \($0.web.host)" }.joined(separator: "\n") + "\n").write(to: list, atomically: true, encoding: .utf8)
        try peil(["import", "--set", name, list.path])
    }

    /// `resolveOnly`: no connect tasks (the backbone tests measure DNS only).
    func startCoordinator(agentTimeout: Double = 10, resolveOnly: Bool = true) throws -> PeilProcess {
        try makeKeyIfMissing("coordinator")
        let ready = directory.appendingPathComponent("coordinator.ready")
        try? FileManager.default.removeItem(at: ready)
        let process = try PeilProcess(name: "coordinator-\(processes.count)", arguments: [
            "coordinator", "--bind", endpoint, "--key", path("coordinator.key"), "--allow", path("agents.allow"),
            "--database", connectionString, "--agent-timeout", "\(agentTimeout)", "--ready-file", ready.path,
        ] + (resolveOnly ? ["--resolve-only"] : []), directory: directory)
        processes.append(process)
        let listening = eventually(timeout: 20) { FileManager.default.fileExists(atPath: ready.path) || !process.isRunning }
        guard listening, process.isRunning else { throw IntegrationError("coordinator did not start:\n\(process.log)") }
        return process
    }

    /// An agent in the lab vantage namespace for `families`.
    func startAgent(_ name: String, families: Set<AddressFamily>, extra: [String] = []) throws -> PeilProcess {
        let process = try PeilProcess(name: name, namespace: lab.vantageNamespace(for: families), arguments: [
            "agent", "--name", name, "--coordinator", endpoint, "--coordinator-key", path("coordinator.pub"),
            "--key", path("\(name).key"), "--root-hints", lab.rootHintsFile.path, "--trust-anchor", lab.trustAnchorFile.path,
            "--families", families.map(\.rawValue).sorted().joined(separator: ","),
        ] + extra, directory: directory)
        processes.append(process)
        return process
    }

    func measure(_ sets: String) throws -> Int64 {
        let output = try peil(["measure", "--sets", sets]).output
        guard let id = output.split(whereSeparator: \.isNewline).compactMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }).last else {
            throw IntegrationError("peil measure printed no id:\n\(output)")
        }
        return id
    }

    /// Waits until `count` agents have said HELLO (so the work is shared among them).
    func waitForAgents(_ count: Int, timeout: TimeInterval = 30) throws {
        let joined = try eventually(timeout: timeout) { try self.count("SELECT count(*) AS count FROM agents") >= count }
        if !joined { throw IntegrationError("only \(try self.count("SELECT count(*) AS count FROM agents")) of \(count) agents joined:\n\(logs)") }
    }

    func waitForCompletion(_ id: Int64, timeout: TimeInterval) throws -> MeasurementProgress {
        _ = try eventually(timeout: timeout) { try store.progress(measurementID: id).isComplete }
        return try store.progress(measurementID: id)
    }

    func count(_ query: SQLQuery) throws -> Int {
        try store.database.query(query).single().decode("count")
    }

    /// The logs of every process, for a failure message.
    var logs: String {
        processes.map { "--- \($0.name)\n\($0.log.suffix(3000))" }.joined(separator: "\n")
    }

    func tearDown() {
        for process in processes { process.stop() }
        try? database.drop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    private func makeKeyIfMissing(_ name: String) throws {
        if !FileManager.default.fileExists(atPath: path("\(name).key")) { try makeKey(name, allowListed: false) }
    }
}

struct IntegrationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
