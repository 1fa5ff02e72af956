import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Probes
import Testing

/// The DNS cases of the hostile zoo (issue 11) as real zones served by Knot in a lab of their
/// own (``LabWorld/hostile``), each resolved by `peil resolve` (libunbound, with the mail
/// follow-up questions and the default query timeout, as an agent resolves) inside the
/// dual-stack vantage. Each test checks the final status and evidence, and that the resolution
/// ended before its budget (``DomainResolution/defaultBudget``, below the agent's task
/// deadline) plus a slack; each prints the resolving process's peak memory (`maxrss`).
@Suite("Hostile DNS in the lab", .serialized, .enabled(if: ProbesLabTrait.available, "needs root, knotd, ip and the built peil"),
       .hostileLab, .blockingWork)
struct HostileDNSLabTests {
    private var lab: Lab { HostileLabTrait.current! }

    @Test func threeThousandAddressesAreCutToSixteenWithTheCapNamed() throws {
        let run = try HostileResolve.run(lab, "manya.nl")
        let observation = try run.requireObservation()
        let answer = try #require(observation.query("www.manya.nl", "A"))
        #expect(answer.rcode == "NOERROR" && answer.dnssec == .insecure, "\(answer)")
        #expect(answer.records.count == 16)
        #expect(answer.reason?.contains("3000 addresses, first 16 kept") == true, "\(answer.reason ?? "no reason")")
        #expect(observation.facts.web.ipv4.count == 16)
    }

    @Test func fiveHundredNameserversCostThirtyTwoAddressQuestions() throws {
        let run = try HostileResolve.run(lab, "manyns.nl")
        let observation = try run.requireObservation()
        let answer = try #require(observation.query("manyns.nl", "NS"))
        #expect(answer.rcode == "NOERROR" && answer.records.count == 16, "\(answer)")
        #expect(answer.reason?.contains("500 NS names, first 16 kept") == true, "\(answer.reason ?? "no reason")")
        #expect(observation.facts.nameservers.count == 16)
        let nameserverQuestions = observation.queries.filter { $0.name.hasSuffix(".manyns.nl") && $0.name.hasPrefix("ns") }
        #expect(nameserverQuestions.count <= 32, "\(nameserverQuestions.count) questions for nameserver addresses")
        #expect(observation.facts.nameservers.allSatisfy { !$0.ipv4.isEmpty }, "every kept name has its address")
    }

    @Test func aCNAMELoopLeavesTheWebHostWithoutAddresses() throws {
        let run = try HostileResolve.run(lab, "cnameloop.nl")
        let observation = try run.requireObservation()
        let answer = try #require(observation.query("www.cnameloop.nl", "A"))
        // libunbound gives up on the loop: SERVFAIL, an error (never an address, never secure).
        #expect(answer.rcode == "SERVFAIL" && answer.dnssec == .error && answer.records.isEmpty, "\(answer)")
        #expect(observation.facts.web.ipv4.isEmpty && observation.facts.web.ipv6.isEmpty)
        #expect(observation.facts.webDNSSEC == .error)
        print("CNAME loop: www A \(answer.rcode) \(answer.dnssec.rawValue) \(answer.reason ?? "")")
    }

    @Test func anSPFIncludeLoopIsAPermanentErrorNotAnEndlessWalk() throws {
        let run = try HostileResolve.run(lab, "spfloop.nl")
        let observation = try run.requireObservation()
        #expect(observation.queries.filter { $0.type == "TXT" }.count <= 8, "the loop's two names are asked once each")
        let columns = try HostileResolve.mailColumns(lab, "spfloop.nl")
        #expect(columns.status("spf") == "passed")
        #expect(columns.status("spf_policy") == "failed", "\(columns.because("spf_policy"))")
        #expect(columns.because("spf_policy").localizedCaseInsensitiveContains("lookup"), "\(columns.because("spf_policy"))")
    }

    @Test func anIncludeChainThirtyDeepStopsAtTheTenLookupLimit() throws {
        let run = try HostileResolve.run(lab, "spfchain.nl")
        let observation = try run.requireObservation()
        let asked = observation.queries.filter { $0.name.hasSuffix(".spfchain.nl") && $0.name.hasPrefix("l") }
        #expect(asked.count <= 12, "\(asked.count) links of the chain asked; the budget needs 11")
        let columns = try HostileResolve.mailColumns(lab, "spfchain.nl")
        #expect(columns.status("spf") == "passed")
        #expect(columns.status("spf_policy") == "failed", "\(columns.because("spf_policy"))")
        #expect(columns.because("spf_policy").localizedCaseInsensitiveContains("lookup"), "\(columns.because("spf_policy"))")
    }

    @Test func aNULByteInTXTIsResolvedAndParsed() throws {
        let run = try HostileResolve.run(lab, "nulbyte.nl")
        let observation = try run.requireObservation()
        let spf = try #require(observation.query("nulbyte.nl", "TXT")?.records.first)
        #expect(spf == "v=spf1 ip4:198.18.32.1 \u{0}-all")
        let dmarc = try #require(observation.query("_dmarc.nulbyte.nl", "TXT")?.records.first)
        #expect(dmarc.unicodeScalars.contains("\u{0}"))
        // What the Store keeps: JSON with the NUL as an escape (StorableText marks it ␀).
        let json = String(decoding: try JSONEncoder().encode(observation), as: UTF8.self)
        #expect(json.contains("\\u0000"))
        let columns = try HostileResolve.mailColumns(lab, "nulbyte.nl")
        for column in ["spf", "spf_policy", "dmarc", "dmarc_policy"] {
            #expect(Status(rawValue: columns.status(column)) != nil, "\(column): \(columns.status(column))")
        }
        #expect(columns.status("spf") == "passed")
        #expect(columns.status("spf_policy") == "failed", "a NUL is not SPF syntax: \(columns.because("spf_policy"))")
        print("NUL byte: \(columns.line)")
    }

    @Test func aLargeTXTSetComesOverTCPWhole() throws {
        let run = try HostileResolve.run(lab, "bigtxt.nl")
        let observation = try run.requireObservation()
        let answer = try #require(observation.query("bigtxt.nl", "TXT"))
        #expect(answer.rcode == "NOERROR" && answer.records.count == HostileCounts.bigTXTRecords, "\(answer.rcode) \(answer.records.count)")
        #expect(observation.facts.spf == ["v=spf1 ip4:198.18.32.1 -all"])
        let columns = try HostileResolve.mailColumns(lab, "bigtxt.nl")
        #expect(columns.status("spf") == "passed" && columns.status("spf_policy") == "passed", "\(columns.line)")
    }
}

extension HostileDNSLabTests {
    /// Nameservers that never answer: silent.nl's own, and deepsilent.nl's chain of silent
    /// delegations, where every question may wait its full query timeout (45 s) and a follow-up
    /// round after them is cut by the resolution's budget (80 s) instead of adding another 45 s.
    /// The three resolutions wait side by side, each checked against the deadline.
    @Test func nameserversThatNeverAnswerEndInErrorWithinTheDeadline() throws {
        let runs = try HostileResolve.runSideBySide(lab, [("silent.nl", ["--json"]), ("silent.nl", ["--mail-columns"]),
                                                          ("deepsilent.nl", ["--json"])])
        let silent = try runs[0].requireObservation()
        let soa = try #require(silent.query("silent.nl", "SOA"))
        #expect(["SERVFAIL", "TIMEOUT"].contains(soa.rcode) && soa.dnssec == .error, "\(soa)")
        #expect(silent.facts.dnssec == .error)
        for query in silent.queries { print("  \(query.name) \(query.type) \(query.rcode) \(query.reason ?? "")") }
        #expect(silent.queries.filter { $0.name.hasSuffix("silent.nl") }.allSatisfy { $0.dnssec == .error })
        let columns = try runs[1].requireColumns()
        for column in ["spf", "dmarc"] {
            #expect(columns.status(column) == "error", "\(column) is an error, never failed: \(columns.line)")
        }

        let deep = try runs[2].requireObservation()
        for query in deep.queries { print("  \(query.name) \(query.type) \(query.rcode) \(query.reason ?? "")") }
        let deepSOA = try #require(deep.query("deepsilent.nl", "SOA"))
        #expect(["SERVFAIL", "TIMEOUT"].contains(deepSOA.rcode) && deepSOA.dnssec == .error, "\(deepSOA)")
        #expect(deep.facts.dnssec == .error)
        #expect(deep.queries.allSatisfy { $0.dnssec == .error && $0.records.isEmpty })
    }
}

/// A lab of the hostile world around the suite (own prefix and state directory).
struct HostileLabTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: Lab?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("peil-hostile-lab-\(getpid())", isDirectory: true)
        let lab = Lab(prefix: "hst\(getpid() % 100_000)", stateDirectory: state, world: .hostile)
        let started = ContinuousClock.now
        try lab.up()
        print("hostile lab \(lab.configuration.prefix) up in \(ContinuousClock.now - started)")
        defer {
            do { try lab.down() } catch { Issue.record("lab down failed: \(error)") }
        }
        try await Self.$current.withValue(lab) { try await function() }
    }
}

extension Trait where Self == HostileLabTrait {
    /// A lab of the hostile world for the duration of the suite.
    static var hostileLab: Self { Self() }
}

/// `peil resolve` for one hostile domain, timed, with the process's peak memory.
enum HostileResolve {
    /// The resolution's deadline (80 s: below the agent's task deadline with the default lease,
    /// 100 s), and the slack a loaded machine may add to it (process start, the trust anchor).
    static let deadline = DomainResolution.defaultBudget
    static let slack = Duration.seconds(10)

    struct Run {
        var domain: String
        var output: String
        var standardError: String
        var elapsed: Duration
        var timedOut: Bool
        /// Peak resident memory of `peil resolve`, KiB (`getrusage` via `/usr/bin/time`).
        var maxResidentKiB: Int?

        func requireObservation(sourceLocation: SourceLocation = #_sourceLocation) throws -> ResolutionObservation {
            try #require(try? JSONDecoder().decode(ResolutionObservation.self, from: Data(output.utf8)),
                         "\(domain): no observation; stderr: \(standardError)", sourceLocation: sourceLocation)
        }

        /// The mail-columns line of a `--mail-columns` run.
        func requireColumns(sourceLocation: SourceLocation = #_sourceLocation) throws -> Columns {
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            let object = try #require(try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                                      "\(domain): no mail columns; stderr: \(standardError)", sourceLocation: sourceLocation)
            return Columns(line: line, object: object)
        }
    }

    /// One mail-columns line of `peil resolve --mail-columns`.
    struct Columns {
        var line: String
        var object: [String: Any]

        func status(_ column: String) -> String { object[column] as? String ?? "missing" }
        func because(_ column: String) -> String { (object["because"] as? [String: Any])?[column] as? String ?? "" }
    }

    static func run(_ lab: Lab, _ domain: String, extra: [String] = ["--json"],
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let run = try perform(lab, domain, extra: extra)
        expectInTime(run, sourceLocation: sourceLocation)
        return run
    }

    /// Resolutions at once, each on a thread of its own (for the cases that wait out timeouts),
    /// each checked against the deadline as ``run(_:_:extra:sourceLocation:)`` does; in the
    /// order asked.
    static func runSideBySide(_ lab: Lab, _ resolutions: [(domain: String, extra: [String])],
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> [Run] {
        let results = SideBySideResults()
        let group = DispatchGroup()
        for (index, resolution) in resolutions.enumerated() {
            DispatchQueue.global().async(group: group) {
                results.set(index, Result { try perform(lab, resolution.domain, extra: resolution.extra) })
            }
        }
        group.wait()
        let runs = try results.all().map { try $0.get() }
        for run in runs { expectInTime(run, sourceLocation: sourceLocation) }
        return runs
    }

    private final class SideBySideResults: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Int: Result<Run, any Error>] = [:]
        func set(_ index: Int, _ result: Result<Run, any Error>) { lock.withLock { results[index] = result } }
        func all() -> [Result<Run, any Error>] { lock.withLock { results.sorted { $0.key < $1.key }.map(\.value) } }
    }

    private static func expectInTime(_ run: Run, sourceLocation: SourceLocation) {
        #expect(!run.timedOut && run.elapsed < deadline + slack,
                "\(run.domain): \(run.elapsed), the deadline is \(deadline) + \(slack)", sourceLocation: sourceLocation)
    }

    /// `peil resolve` in the dual-stack vantage, timed; checks nothing.
    private static func perform(_ lab: Lab, _ domain: String, extra: [String]) throws -> Run {
        let usage = try TestProcess.scratchFolder("hostile-rusage") + "/time"
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: usage).deletingLastPathComponent().path) }
        let arguments = ["netns", "exec", lab.vantageNamespace(for: [.ipv4, .ipv6]), "/usr/bin/time", "-f", "%M", "-o", usage,
                         TestProcess.peil!, "resolve", domain, "--root-hints", lab.rootHintsFile.path,
                         "--trust-anchor", lab.trustAnchorFile.path] + extra
        let started = ContinuousClock.now
        let result = try TestProcess.run(ProbesLabTrait.ipTool!, arguments, timeout: deadline + slack + .seconds(20))
        let elapsed = ContinuousClock.now - started
        let maxRSS = (try? String(contentsOfFile: usage, encoding: .utf8)).flatMap { Int($0.split(separator: "\n").last ?? "") }
        print("\(domain) \(extra.joined(separator: " ")): \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds]))), "
              + "peak memory \(maxRSS.map { "\($0 / 1024) MiB" } ?? "unknown") (maxrss)")
        return Run(domain: domain, output: result.standardOutput, standardError: result.standardError, elapsed: elapsed,
                   timedOut: result.timedOut, maxResidentKiB: maxRSS)
    }

    static func mailColumns(_ lab: Lab, _ domain: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Columns {
        try run(lab, domain, extra: ["--mail-columns"], sourceLocation: sourceLocation).requireColumns(sourceLocation: sourceLocation)
    }
}

extension ResolutionObservation {
    func query(_ name: String, _ type: String) -> DNSQueryRecord? {
        queries.first { $0.name == name && $0.type == type }
    }
}

/// The hostile world is a valid lab world of the sizes it promises (no lab needed).
@Suite("Hostile DNS world")
struct HostileDNSWorldTests {
    @Test func theWorldIsValidAndHoldsEveryCase() throws {
        let world = LabWorld.hostile
        try world.validate()
        let records = world.zones.flatMap(\.records)
        #expect(records.filter { $0.owner == "www.manya.nl" && $0.type == "A" }.count == HostileCounts.addresses)
        #expect(records.filter { $0.owner == "manyns.nl" && $0.type == "NS" }.count + 2 == HostileCounts.nameservers)
        #expect(records.filter { $0.owner.hasSuffix(".spfchain.nl") && $0.owner.hasPrefix("l") && $0.type == "TXT" }.count == HostileCounts.spfChainDepth)
        #expect(records.filter { $0.owner == "bigtxt.nl" && $0.type == "TXT" }.count == HostileCounts.bigTXTRecords)
        #expect(records.contains { $0.data.contains(#"\000"#) })
        #expect(records.contains { $0.owner == "silent.nl" && $0.type == "NS" })
        #expect(world.domains.count == 9)
    }
}
