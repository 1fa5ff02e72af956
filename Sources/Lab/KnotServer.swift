import Foundation

/// One knotd process: a server group's nameservers, serving that group's pre-signed zone files
/// as they are (Knot's own signing is off). Behind the DNS delay relay it listens on
/// `127.0.0.1@<backendPort>` only, and the relay holds the published addresses.
struct KnotServer: Sendable {
    let group: LabServerGroup
    let zones: [ZoneSigner.WrittenZone]
    let directory: URL
    let namespace: String
    var backendPort: Int?

    var configFile: URL { directory.appendingPathComponent("knot.conf") }
    var pidFile: URL { directory.appendingPathComponent("knot.pid") }
    var logFile: URL { directory.appendingPathComponent("knot.log") }
    var socket: URL { directory.appendingPathComponent("knot.sock") }
    var startOutput: URL { directory.appendingPathComponent("knotd.out") }

    /// Every address this group's nameservers listen on.
    var listenAddresses: [String] {
        group.nameservers.flatMap(\.answeringAddresses)
    }

    /// The configuration file's text.
    func configuration() -> String {
        let endpoints = backendPort.map { ["127.0.0.1@\($0)"] } ?? listenAddresses.map { "\($0)@53" }
        let listen = endpoints.map { "\"\($0)\"" }.joined(separator: ", ")
        var lines = [
            "# Made by peil lab for the server group \(group.id); removed by `peil lab down`.",
            "server:",
            "    rundir: \"\(directory.path)\"",
            "    pidfile: \"\(pidFile.path)\"",
            "    listen: [ \(listen) ]",
            "    udp-workers: 1",
            "    tcp-workers: 1",
            "    background-workers: 1",
            "log:",
            "  - target: \"\(logFile.path)\"",
            "    any: info",
            "database:",
            "    storage: \"\(directory.appendingPathComponent("db").path)\"",
            "control:",
            "    listen: \"\(socket.path)\"",
            "template:",
            "  - id: default",
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            "    semantic-checks: off",
            "zone:",
        ]
        for zone in zones {
            lines.append("  - domain: \"\(DNSName.absolute(zone.name))\"")
            lines.append("    file: \"\(zone.file.path)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the configuration and starts knotd as a daemon inside the target namespace, without
    /// waiting for its zones: several servers load side by side, and ``waitUntilServing(runner:)``
    /// then gives each one's process id.
    func launch(runner: CommandRunner) throws {
        guard socket.path.utf8.count < 100 else {
            throw LabError(.invalidConfiguration, "state directory path too long for a control socket: \(socket.path)")
        }
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: directory.appendingPathComponent("db"), withIntermediateDirectories: true)
        for stale in [pidFile, socket, logFile] { try? fileManager.removeItem(at: stale) }
        try configuration().write(to: configFile, atomically: true, encoding: .utf8)
        try runner.run(.knotc, ["-c", configFile.path, "conf-check"])
        let status = try runner.runDetached(.ip, ["netns", "exec", namespace, try LabTool.knotd.path(), "-c", configFile.path, "-d"], logFile: startOutput)
        guard status == 0 else { throw failure("knotd exited \(status) when starting") }
    }

    /// After ``launch(runner:)``: polls (bounded, about 10 s) until the pid file names a live
    /// knotd and every zone has a serial, and returns the pid; fails at once when knotd exits or
    /// logs an error (a zone that does not load).
    func waitUntilServing(runner: CommandRunner) throws -> Int32 {
        var pid: Int32?
        for _ in 0..<100 {
            if pid == nil, let text = try? String(contentsOf: pidFile, encoding: .utf8) {
                pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let log = try? String(contentsOf: logFile, encoding: .utf8), log.contains(" error: ") {
                throw failure("knotd reported an error")
            }
            if let pid {
                guard LabProcesses.isAlive(pid, named: "knotd") else { throw failure("knotd (pid \(pid)) exited after starting") }
                let output = try runner.runAllowingFailure(.knotc, ["-c", configFile.path, "-t", "2", "zone-status"], timeout: 5)
                // "serial: 2021033101" once loaded; "none" before, "-" when loading failed.
                let loaded = output.standardOutput.split(separator: "\n").filter { line in
                    guard let range = line.range(of: "serial: ") else { return false }
                    return Int(line[range.upperBound...].prefix { !$0.isWhitespace }) != nil
                }
                if output.status == 0 && loaded.count == zones.count { return pid }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw failure(pid == nil ? "knotd wrote no pid file" : "knotd did not load all \(zones.count) zones")
    }

    /// A `serverFailedToStart` error with the end of the server's logs.
    private func failure(_ what: String) -> LabError {
        let lines = [startOutput, logFile].compactMap { try? String(contentsOf: $0, encoding: .utf8) }
            .joined(separator: "\n").split(separator: "\n")
        let problems = lines.filter { $0.contains(" error: ") || $0.contains(" critical: ") || $0.contains(" warning: ") }.prefix(10)
        let shown = (problems.isEmpty ? [] : ["errors:"] + problems) + ["last lines:"] + lines.suffix(5)
        return LabError(.serverFailedToStart, "\(what) (server group \(group.id), config \(configFile.path), log \(logFile.path)); "
            + shown.joined(separator: "\n    "))
    }
}
