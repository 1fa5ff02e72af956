import Foundation
import PeilModel
import Store
import XCTest

/// Gives every test a fresh database `peil_test_<random>` on the server of `PEIL_DATABASE_URL`
/// (default: the `ops/pg` cluster), migrated, and drops it afterwards. When PostgreSQL cannot be
/// reached the test fails, saying to run `ops/pg start`.
class StoreTestCase: XCTestCase {
    private(set) var store: PeilStore!
    private var server: Database?
    private var databaseName = ""

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let migrations = repository.appendingPathComponent("coordinator/migrations")
    static let seedData = repository.deletingLastPathComponent().appendingPathComponent("shared/data")

    /// Connects to the server before the test runs; when that fails, the test fails (it is not
    /// skipped) and its body does not run.
    override func invokeTest() {
        do {
            server = try Database(connectionString: Database.connectionString())
        } catch {
            XCTFail("PostgreSQL is not reachable: \(error). Start the local cluster with `ops/pg start` "
                + "(or point \(Database.environmentVariable) at a server where you may create databases).")
            return
        }
        super.invokeTest()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let server = try XCTUnwrap(server)
        databaseName = "peil_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // An identifier cannot be a bound parameter; this name is ours, letters and digits only.
        try server.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(databaseName)"))
        let database = try Database(connectionString: Database.connectionString(), database: databaseName)
        try Migrations.apply(from: Self.migrations, to: database)
        store = PeilStore(database: database)
    }

    override func tearDownWithError() throws {
        store = nil
        if let server, !databaseName.isEmpty {
            try server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"))
        }
        server = nil
        try super.tearDownWithError()
    }

    // MARK: helpers

    func seedEntries(_ paths: String...) throws -> [SetEntry] {
        try SeedList.parse(paths.map { path in
            SeedFile(name: path, text: try String(contentsOf: Self.seedData.appendingPathComponent(path), encoding: .utf8))
        })
    }

    func plainEntries(_ names: String...) throws -> [SetEntry] {
        try SeedList.parse(names.joined(separator: "\n"), fileName: "list")
    }

    /// A single-value count from the test database.
    func count(_ query: SQLQuery) throws -> Int {
        try store.database.query(query).single().decode("count")
    }

    func observation(for domain: String, note: String = "") -> ResolutionObservation {
        let facts = DNSFacts(
            domain: domain, dnssec: .secure, nsZone: domain,
            nameservers: [HostAddresses(host: "ns1." + domain, ipv4: ["198.18.0.53"], ipv6: ["2001:2::53"])],
            domainAddresses: HostAddresses(host: domain, ipv4: ["198.18.0.10"]),
            web: HostAddresses(host: "www." + domain, ipv4: ["198.18.0.80"]), webDNSSEC: .secure,
            mx: [MailExchanger(preference: 10, host: "mx." + domain, dnssec: .insecure, ipv4: ["198.18.0.25"])],
            nullMX: false, txt: ["v=spf1 -all", note], spf: ["v=spf1 -all"], dmarc: ["v=DMARC1; p=reject"],
            domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let query = DNSQueryRecord(name: domain, type: "SOA", rcode: "NOERROR", dnssec: .secure, records: ["x"])
        return ResolutionObservation(facts: facts, queries: [query])
    }

    func completed(_ task: TaskAssignment, note: String = "") -> TaskReport {
        TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                   resolution: observation(for: task.domain, note: note))
    }

    func failed(_ task: TaskAssignment) -> TaskReport {
        TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout, detail: "resolver timed out")
    }
}
