import Foundation
import PeilTestSupport
import Store
import XCTest

extension TemporaryDatabase {
    /// This database as the owner over the server's Unix socket, `host='<socket directory>'`,
    /// for a process in a lab namespace (which has no route to the machine's 127.0.0.1). Only a
    /// superuser may read `unix_socket_directories`, so the directory is the first of the
    /// `ops/pg` cluster's (`run/` beside the password file's `secrets/`), `/run/postgresql` and
    /// `/tmp` that holds the server's socket file; connecting through it to this database proves
    /// it is the same server. libpq picks a password file line for a socket connection by the
    /// socket directory, so the connection string's own password file is copied into
    /// `passfileDirectory` with each line repeated for that directory. Throws `XCTSkip` when no
    /// socket file is found.
    func socketConnectionString(passfileDirectory: URL) throws -> String {
        let database = try XCTUnwrap(store?.database)
        let row = try database.query("SELECT inet_server_port()::text AS port, current_user::text AS role").single()
        let port: String = try row.decode("port"), role: String = try row.decode("role")
        let source = Self.passfile(in: connectionString)
        let clusterSockets = source.map { URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("run").path }
        let candidates = [clusterSockets, "/run/postgresql", "/var/run/postgresql", "/tmp"].compactMap { $0 }
        guard let socketDirectory = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/.s.PGSQL.\(port)") }) else {
            throw XCTSkip("needs PostgreSQL's Unix socket .s.PGSQL.\(port) in one of \(candidates)")
        }
        var connection = "host='\(socketDirectory)' port=\(port) dbname=\(name) user=\(role)"
        if let source {
            let lines = try String(contentsOfFile: source, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
            let host = socketDirectory.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
            let socketLines = lines.compactMap { line in Self.afterHostField(line).map { "\(host):\($0)" } }
            let passfile = passfileDirectory.appendingPathComponent("socket.pgpass")
            _ = FileManager.default.createFile(atPath: passfile.path, contents: Data(((lines + socketLines).joined(separator: "\n") + "\n").utf8),
                                               attributes: [.posixPermissions: 0o600])
            connection += " passfile='\(passfile.path)'"
        }
        _ = try Database(connectionString: connection)
        return connection
    }

    /// The password file a connection string names (`passfile='…'` or `passfile=…`), else `PGPASSFILE`.
    private static func passfile(in connection: String) -> String? {
        if let range = connection.range(of: #"passfile='[^']*'"#, options: .regularExpression) {
            return String(connection[range].dropFirst("passfile='".count).dropLast())
        }
        if let range = connection.range(of: #"passfile=[^ ]+"#, options: .regularExpression) {
            return String(connection[range].dropFirst("passfile=".count))
        }
        return ProcessInfo.processInfo.environment["PGPASSFILE"]
    }

    /// What follows the first field (the host) of a password file line; nil for a comment.
    private static func afterHostField(_ line: String) -> String? {
        guard !line.hasPrefix("#") else { return nil }
        var escaped = false
        for index in line.indices {
            if escaped { escaped = false; continue }
            if line[index] == "\\" { escaped = true } else if line[index] == ":" { return String(line[line.index(after: index)...]) }
        }
        return nil
    }
}
