import ArgumentParser
import Foundation
import Store

/// `peil bench read`: `peil results` and `peil report` of a synthetic measurement of
/// `--domains` domains, each run as a child process and measured alone (``MeasuredChild``):
/// wall time, CPU and peak resident memory. The measurement is made directly in a scratch
/// database of its own (`INSERT … SELECT generate_series`): a set `bench` of the domains
/// `d1.nl` … with layers and an `agency` tag, one completed resolve task each carrying a real
/// resolution, and links from every domain to the connect tasks (with their results) that the
/// same real domain relied on — the median-sized completed resolution among domains with
/// connect results in `--observations-from`, as if every domain were hosted alike.
struct ReadBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Wall time and peak memory of `peil results` and `peil report` over a synthetic measurement (a scratch database of its own)."
    )

    /// What one command over one measurement gave.
    struct Figures: Codable {
        var domains: Int
        var command: String
        /// Seconds the scratch measurement took to make (the same for both commands of a size).
        var fillSeconds: Double
        var child: MeasuredChild
        /// The child's last line of output (its summary, or its error).
        var output: String
    }

    @Option(name: .customLong("database"), help: "The PostgreSQL server (a role that may CREATE DATABASE; default: $PEIL_DATABASE_URL).")
    var server: String?

    @Option(name: .customLong("observations-from"), help: "Database whose stored observations the domains carry (default: the --database one).")
    var observationsFrom: String?

    @Option(help: "Domains in the measurement; repeat for several sizes (default 1000000).")
    var domains: [Int] = []

    @Option(help: "Which commands: results, report or both, comma-separated.")
    var commands = "results,report"

    @Option(help: "The peil executable to run (default: this one).")
    var peil: String?

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    var sizes: [Int] { domains.isEmpty ? [1_000_000] : domains }
    var commandList: [String] { commands.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        guard sizes.allSatisfy({ (1...50_000_000).contains($0) }) else { throw ValidationError("--domains must be 1…50000000") }
        guard !commandList.isEmpty, commandList.allSatisfy(["results", "report"].contains) else {
            throw ValidationError("--commands takes results and report")
        }
    }

    func run() throws {
        let template = try ReadTemplate.load(from: Database(connectionString: observationsFrom ?? server))
        let executable = peil ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
        print("resolution \(template.resolution.utf8.count) bytes, \(template.connects.count) connect tasks linked to every domain")
        print("  domains  command  exit  fill s   wall s   user s   sys s  peak RSS MB")
        var figures: [Figures] = []
        for size in sizes {
            let scratch = try ScratchDatabase(server: server)
            defer { scratch.drop() }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peil-bench-read-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let started = ContinuousClock.now
            let measurement = try template.fill(try scratch.connect(statementTimeout: .seconds(3600)), domains: size)
            let fill = (ContinuousClock.now - started).seconds
            for command in commandList {
                let output = folder.appendingPathComponent("\(command).out").path
                let arguments = command == "results"
                    ? ["results", "--database", scratch.connectionString, "--measurement", String(measurement), "--format", "csv"]
                    : ["report", "--database", scratch.connectionString, "--measurement", String(measurement),
                       "--out", folder.appendingPathComponent("report").path]
                let child = try MeasuredChild.run(executable, arguments, outputPath: output)
                let row = Figures(domains: size, command: command, fillSeconds: fill, child: child,
                                  output: MeasuredChild.lastLine(ofFile: output))
                figures.append(row)
                print(String(format: "%9d  %-7@  %4d  %6.1f  %7.1f  %7.1f  %6.1f  %11.1f", size, command, child.exitStatus, fill,
                             child.wallSeconds, child.userSeconds, child.systemSeconds, child.peakResidentMegabytes))
                if child.exitStatus != 0 { print("  peil \(command) said: \(row.output)") }
                try? FileManager.default.removeItem(atPath: output)
            }
        }
        try writeBenchFigures(figures, to: json)
    }
}

/// The real domain the bench's synthetic ones copy: its resolution and the connect tasks it relied on.
struct ReadTemplate {
    struct Connect {
        var kind: String
        var domain: String
        var webHost: String
        var family: String?
        var address: String
        var endpointKey: String
        var target: String
        var observation: String?
    }

    var resolution: String
    var connects: [Connect]

    /// The median-sized completed resolution of a domain with connect results, and its connect tasks.
    static func load(from database: Database) throws -> ReadTemplate {
        guard let chosen = try database.query("""
            WITH candidates AS (
                SELECT r.measurement_id, t.domain_id, r.task_id, r.observation::text AS json, octet_length(r.observation::text) AS bytes
                FROM results r JOIN tasks t ON t.id = r.task_id
                WHERE t.kind = 'resolve' AND EXISTS (
                    SELECT 1 FROM task_links l JOIN results c ON c.task_id = l.task_id
                    WHERE l.measurement_id = r.measurement_id AND l.domain_id = t.domain_id)
            )
            SELECT measurement_id, domain_id, json FROM candidates
            ORDER BY bytes, task_id OFFSET (SELECT count(*) / 2 FROM candidates) LIMIT 1
            """).rows.first else {
            throw BenchError("\(database.target) holds no completed resolution with connect results: give --observations-from a database with a measured twin")
        }
        let measurement: Int64 = try chosen.decode("measurement_id"), domain: Int64 = try chosen.decode("domain_id")
        let connects = try database.query("""
            SELECT c.kind, c.domain, c.web_host, c.family, c.address, c.endpoint_key, c.target::text AS target, r.observation::text AS observation
            FROM task_links l JOIN tasks c ON c.id = l.task_id LEFT JOIN results r ON r.task_id = c.id
            WHERE l.measurement_id = \(measurement) AND l.domain_id = \(domain)
            ORDER BY c.id
            """).rows.map { row in
            Connect(kind: try row.decode("kind"), domain: try row.decode("domain"), webHost: try row.decode("web_host"),
                    family: try row.decode("family", as: String?.self), address: try row.decode("address"),
                    endpointKey: try row.decode("endpoint_key"), target: try row.decode("target"),
                    observation: try row.decode("observation", as: String?.self))
        }
        return ReadTemplate(resolution: try chosen.decode("json"), connects: connects)
    }

    /// Makes the synthetic measurement of `domains` domains in `database` (a fresh scratch one).
    /// - Returns: the measurement's id.
    func fill(_ database: Database, domains: Int) throws -> Int64 {
        try database.execute("INSERT INTO domains (name) SELECT 'd' || n || '.nl' FROM generate_series(1, \(domains)) AS n")
        let set: Int64 = try database.query("INSERT INTO sets (name) VALUES ('bench') RETURNING id").single().decode("id")
        try database.execute("""
            INSERT INTO set_members (set_id, domain_id, layer, organisation, tests_web, tests_mail, tags)
            SELECT \(set), id, (ARRAY['rijk', 'gemeenten', 'provincies', 'waterschappen'])[1 + id % 4], 'organisation ' || id % 500,
                   true, true, jsonb_build_object('agency', 'agency ' || id % 50)
            FROM domains
            """)
        let measurement: Int64 = try database.query("INSERT INTO measurements (sets) VALUES (ARRAY['bench']) RETURNING id").single().decode("id")
        try database.execute("""
            INSERT INTO tasks (measurement_id, kind, domain_id, domain, web_host, family, state, attempt, finished_at)
            SELECT \(measurement), 'resolve', id, name, 'www.' || name, 'ipv4', 'done', 1, now() FROM domains
            """)
        try database.execute("""
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            SELECT id, \(measurement), kind, domain, 1, 'bench', \(resolution)::json FROM tasks WHERE measurement_id = \(measurement)
            """)
        var taskIDs: [Int64] = []
        for connect in connects {
            let id: Int64 = try database.query("""
                INSERT INTO tasks (measurement_id, kind, domain, web_host, family, state, attempt, finished_at, address, endpoint_key, target)
                VALUES (\(measurement), \(connect.kind), \(connect.domain), \(connect.webHost), \(connect.family),
                        \(connect.observation == nil ? "not_testable" : "done"), 1, now(), \(connect.address), \(connect.endpointKey), \(connect.target)::jsonb)
                RETURNING id
                """).single().decode("id")
            if let observation = connect.observation {
                try database.execute("""
                    INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
                    VALUES (\(id), \(measurement), \(connect.kind), \(connect.domain), 1, 'bench', \(observation)::json)
                    """)
            }
            taskIDs.append(id)
        }
        try database.execute("""
            INSERT INTO task_links (measurement_id, domain_id, task_id)
            SELECT \(measurement), d.id, t FROM domains d, unnest(\(array: taskIDs)::bigint[]) AS t
            """)
        try database.execute("ANALYZE domains, sets, set_members, measurements, tasks, results, task_links")
        return measurement
    }
}
