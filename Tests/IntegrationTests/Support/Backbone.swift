import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// One integration scenario's world: a fresh database on the `ops/pg` server and a
/// ``LabFleet`` (keys, a coordinator and agents run as real `peil` processes, the agents inside
/// lab vantage namespaces, reaching the coordinator over an `ipc://` socket; or, on the lab's
/// hosts, the coordinator in the coordinator host on TCP, reaching PostgreSQL through its Unix
/// socket, and the agents in the agent hosts).
final class Backbone {
    let directory: URL
    let connectionString: String
    let store: PeilStore
    let lab: Lab
    let fleet: LabFleet
    private let database: TemporaryDatabase

    /// `onHosts`: the fleet runs on the lab's hosts (``Lab/hosts``).
    init(lab: Lab, onHosts: Bool = false) throws {
        self.lab = lab
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-it-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try TemporaryDatabase(prefix: "peil_it")
        connectionString = database.connectionString
        store = try XCTUnwrap(database.store)
        let coordinatorDatabase = onHosts ? try database.socketConnectionString(passfileDirectory: directory) : connectionString
        fleet = LabFleet(peil: PeilProcess.peilBinary, lab: lab, directory: directory, database: coordinatorDatabase, hosts: onHosts ? lab.hosts : [])
    }

    /// Makes a key pair; allow-listed ones go into `agents.allow`.
    func makeKey(_ name: String, allowListed: Bool) throws {
        try fleet.makeKey(name, allowListed: allowListed)
    }

    /// `peil ARGS --database …` to completion (within `timeout` seconds: judging a twin sample
    /// in a debug build on a loaded machine takes minutes); fails the test on a non-zero exit.
    @discardableResult
    func peil(_ arguments: [String], expectSuccess: Bool = true, timeout: TimeInterval = 300,
              file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let result = try PeilProcess.run(arguments + ["--database", connectionString], directory: directory, timeout: timeout)
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
        PeilProcess(try fleet.startCoordinator(["--agent-timeout", "\(agentTimeout)"] + (resolveOnly ? ["--resolve-only"] : [])))
    }

    /// An agent in the lab vantage namespace for `families`.
    func startAgent(_ name: String, families: Set<AddressFamily>, extra: [String] = []) throws -> PeilProcess {
        PeilProcess(try fleet.startAgent(name, families: families, extra))
    }

    /// An agent on a lab host, named `<host>-<family>` (``LabFleet/agentName(on:)``).
    func startAgent(on host: LabHost, extra: [String] = []) throws -> PeilProcess {
        PeilProcess(try fleet.startAgent(LabFleet.agentName(on: host), on: host, extra))
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
    var logs: String { fleet.logs }

    func tearDown() {
        fleet.stop()
        try? database.drop()
        try? FileManager.default.removeItem(at: directory)
    }

}

struct IntegrationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
