import Foundation
import Lab
import PeilModel
import PeilTestSupport
import Testing

/// `peil resolve` inside the lab's vantage namespaces, against real Knot DNS servers with
/// signed, unsigned and broken zones, compared with the lab's ground truth.
@Suite("Resolve in the lab", .serialized, .enabled(if: ProbesLabTrait.available, "needs root, knotd, ip and the built peil"), .probesLab, .blockingWork)
struct LabResolveTests {
    private var lab: Lab { ProbesLabTrait.current! }

    @Test func everyLabDomainMatchesTheTruthFromTheDualStackVantage() async throws {
        let lab = self.lab
        let domains = lab.world.domains.sorted { $0.name < $1.name }
        #expect(domains.count >= 20)
        let started = ContinuousClock.now
        // Three resolutions at a time: each is its own process with a cold cache.
        let runs = try await withThrowingTaskGroup(of: (LabDomain, LabResolve.Run).self) { group in
            var results: [(LabDomain, LabResolve.Run)] = []
            var pending = domains[...]
            for _ in 0..<3 {
                guard let domain = pending.popFirst() else { break }
                group.addTask { (domain, try LabResolve.run(lab, domain: domain, families: [.ipv4, .ipv6])) }
            }
            while let result = try await group.next() {
                results.append(result)
                if let domain = pending.popFirst() {
                    group.addTask { (domain, try LabResolve.run(lab, domain: domain, families: [.ipv4, .ipv6])) }
                }
            }
            return results
        }
        let total = ContinuousClock.now - started
        #expect(runs.count == domains.count)
        for (domain, run) in runs.sorted(by: { $0.0.name < $1.0.name }) {
            guard let observation = run.observation else {
                Issue.record("\(domain.name): exit \(run.status), no JSON; stderr: \(run.standardError)")
                continue
            }
            let expected = try #require(lab.world.expectedFacts(for: domain.name))
            LabResolve.compare(observation.facts, expected)
            #expect(observation.queries.allSatisfy { $0.rcode != "TIMEOUT" }, "\(domain.name): a question timed out")
        }
        let slowest = runs.map(\.1.elapsed).max() ?? .zero
        print("resolved \(runs.count) lab domains in \(total) (3 at a time); slowest single domain \(slowest)")
    }

    @Test func theIPv4OnlyVantageResolvesOverIPv4Alone() throws {
        for name in ["rijksoverheid.nl", "defensie.nl", "ncsc.nl"] {
            let domain = try #require(lab.world.domains.first { $0.name == name })
            let run = try LabResolve.run(lab, domain: domain, families: [.ipv4])
            let observation = try #require(run.observation, "\(name): \(run.standardError)")
            LabResolve.compare(observation.facts, try #require(lab.world.expectedFacts(for: name)))
            print("IPv4-only vantage: \(name) in \(run.elapsed)")
        }
    }

    @Test func theIPv6OnlyVantageResolvesOverIPv6Alone() throws {
        // Every server on rijksoverheid.nl's paths (root, nl, alfa) has an IPv6 address.
        let domain = try #require(lab.world.domains.first { $0.name == "rijksoverheid.nl" })
        let run = try LabResolve.run(lab, domain: domain, families: [.ipv6])
        let observation = try #require(run.observation, "\(run.standardError)")
        LabResolve.compare(observation.facts, try #require(lab.world.expectedFacts(for: domain.name)))
        print("IPv6-only vantage: \(domain.name) in \(run.elapsed)")

        // defensie.nl's nameservers have no AAAA: unreachable from here, so no IPv4 was used.
        let unreachable = try #require(lab.world.domains.first { $0.name == "defensie.nl" })
        let failed = try #require(try LabResolve.run(lab, domain: unreachable, families: [.ipv6]).observation)
        #expect(failed.facts.dnssec == .error)
        #expect(failed.queries.first { $0.name == "defensie.nl" && $0.type == "SOA" }?.rcode == "SERVFAIL")
    }
}
