import Foundation
import PeilModel
import PeilTestSupport
import XCTest

@testable import Lab

/// The twin's generator, compiler and ground truth, without a running lab.
final class TwinWorldTests: XCTestCase {
    /// `shared/data` (see ``TestPaths``).
    static var dataDirectory: URL { TestPaths.seedData }

    static let data = Result { try TwinSeedData.load(from: dataDirectory) }
    static let twin = Result { TwinGenerator.generate(seed: 2021, data: try data.get()) }
    static let truth = Result { try twin.get().truth() }

    func testGenerationIsDeterministicForASeed() throws {
        let again = TwinGenerator.generate(seed: 2021, data: try Self.data.get())
        XCTAssertEqual(try again.encoded(), try Self.twin.get().encoded())
        let other = TwinGenerator.generate(seed: 7, data: try Self.data.get())
        XCTAssertNotEqual(other, try Self.twin.get(), "another seed, another world")
        let decoded = try JSONDecoder().decode(TwinWorld.self, from: try Self.twin.get().encoded())
        XCTAssertEqual(decoded, try Self.twin.get(), "the world file round-trips")
    }

    func testEveryDistinctDomainIsInTheTwinAndItsLabWorldIsValid() throws {
        let twin = try Self.twin.get()
        XCTAssertEqual(twin.domains.count, 2466)
        XCTAssertEqual(twin.domains.filter { $0.sets.contains("primary") }.count, 558)
        XCTAssertEqual(twin.domains.filter { $0.sets.contains("broad") }.count, 2466, "the broad set is the list with the primary set")
        XCTAssertNoThrow(try TwinCompiler.labWorld(twin).validate())
    }

    /// Every primary domain's 20 columns are its rows in web.csv and mail.csv, and the only
    /// statuses taken from the report instead of derived are the documented DANE quirk.
    func testPrimaryTruthEqualsTheMarch2021Rows() throws {
        let data = try Self.data.get()
        let truth = Dictionary(uniqueKeysWithValues: try Self.truth.get().map { ($0.domain, $0) })
        var mismatches: [String] = []
        var overridden = 0
        for (domain, row) in data.web {
            for column in BulkColumns.web.map(\.name) where truth[domain]?.web[column]?.status != row.statuses[column] {
                mismatches.append("\(domain) web \(column): \(truth[domain]?.web[column].map { "\($0.status.rawValue) (\($0.because))" } ?? "-"), csv \(row.statuses[column]?.rawValue ?? "-")")
            }
        }
        for (domain, row) in data.mail {
            for column in BulkColumns.mail.map(\.name) {
                let column_ = truth[domain]?.mail[column]
                if column_?.derived != nil { overridden += 1 }
                if column_?.status != row.statuses[column] {
                    mismatches.append("\(domain) mail \(column): \(column_.map { "\($0.status.rawValue) (\($0.because))" } ?? "-"), csv \(row.statuses[column]?.rawValue ?? "-")")
                }
            }
        }
        XCTAssertEqual(data.web.count, 553)
        XCTAssertEqual(data.mail.count, 558)
        XCTAssertEqual(mismatches.count, 0, mismatches.prefix(40).joined(separator: "\n"))
        XCTAssertLessThanOrEqual(overridden, 6, "only the no-MX DANE quirk is taken from the report")
    }

    /// Broad-only domains adopt every column less than primary domains do.
    func testBroadAdoptionIsLowerThanPrimaryForEveryColumn() throws {
        let truth = try Self.truth.get()
        let primary = truth.filter { $0.sets.contains("primary") }, broadOnly = truth.filter { $0.sets == ["broad"] }
        XCTAssertEqual(broadOnly.count, 2466 - 558)
        func adoption(_ domains: [TwinDomainTruth], _ status: (TwinDomainTruth) -> Status?) -> Double {
            let counted = domains.compactMap(status).compactMap(\.countsAsAdopted)
            return Double(counted.filter { $0 }.count) / Double(max(counted.count, 1))
        }
        for column in BulkColumns.web.map(\.name) {
            let p = adoption(primary) { $0.web[column]?.status }, b = adoption(broadOnly) { $0.web[column]?.status }
            print(String(format: "web  %-16@ primary %5.1f%%  broad-only %5.1f%%", column, p * 100, b * 100))
            XCTAssertLessThan(b, p, "web \(column)")
        }
        for column in BulkColumns.mail.map(\.name) {
            let p = adoption(primary) { $0.mail[column]?.status }, b = adoption(broadOnly) { $0.mail[column]?.status }
            print(String(format: "mail %-16@ primary %5.1f%%  broad-only %5.1f%%", column, p * 100, b * 100))
            XCTAssertLessThan(b, p, "mail \(column)")
        }
    }

    /// Providers, the cloud mail provider, self-hosted DANE and shared web addresses.
    func testStructureIsRealistic() throws {
        let twin = try Self.twin.get()
        let used = Set(twin.domains.map(\.dnsProvider))
        XCTAssertTrue((25...40).contains(used.count), "\(used.count) DNS providers in use")
        XCTAssertGreaterThanOrEqual(twin.dnsProviders.filter { $0.nameservers.allSatisfy { $0.ipv6Service == .none } }.count, 3)
        XCTAssertEqual(twin.dnsProviders.filter { p in p.nameservers.filter { $0.ipv6Service != .none }.count == 1 }.count, 1)
        let cloud = twin.mailPlatforms.filter { $0.provider == "wolkmail" }
        let cloudHosts = Set(cloud.flatMap(\.hostNames))
        let cloudDomains = twin.domains.filter { $0.mail.mx.contains { cloudHosts.contains($0.host) } }
        XCTAssertGreaterThanOrEqual(cloudDomains.count, 300)
        XCTAssertGreaterThanOrEqual(cloudDomains.filter { $0.layer == "gemeenten" }.count, 75, "the cloud hosts many municipalities")
        let lab = TwinCompiler.labWorld(twin)
        let cloudZone = try XCTUnwrap(lab.zones.first { $0.name == TwinGenerator.cloudZone })
        XCTAssertEqual(cloudZone.dnssec, .unsigned)
        XCTAssertFalse(cloudZone.records.contains { $0.type == "TLSA" }, "no DANE at the cloud")
        let truth = try Self.truth.get()
        let selfHostedDANE = twin.mailPlatforms.filter { $0.provider == "self" && $0.tlsa == .valid }.map { $0.hostNames[0] }
        let secured = truth.filter { t in t.mail["dane"]?.status == .passed && t.facts.mx.contains { selfHostedDANE.contains($0.host) } }
        XCTAssertGreaterThanOrEqual(secured.count, 20, "self-hosted mail with DANE")
        var tenants: [String: Int] = [:]
        for domain in twin.domains { tenants[domain.web.platform, default: 0] += 1 }
        let shared = twin.webPlatforms.filter { $0.provider != "self" }
        XCTAssertGreaterThanOrEqual(shared.filter { (tenants[$0.id] ?? 0) >= 20 }.count, 5, "shared hosting with many domains per address")
    }

    /// The failures have more than one cause each.
    func testFailuresAreVaried() throws {
        let truth = try Self.truth.get()
        func causes(_ column: String, mail: Bool) -> Set<String> {
            Set(truth.compactMap { t -> String? in
                let value = mail ? t.mail[column] : t.web[column]
                guard value?.status == .failed else { return nil }
                return value!.because.split(separator: ":").first.map(String.init)?.split(separator: " ").prefix(3).joined(separator: " ")
            })
        }
        for (column, mail) in [("dnssec", false), ("hsts", false), ("ipv6_webserver", false), ("ipv6_nameserver", false), ("https_redirect", false),
                               ("dmarc", true), ("spf_policy", true), ("dane", true), ("dmarc_policy", true), ("ipv6_mailserver", true)] {
            XCTAssertGreaterThanOrEqual(causes(column, mail: mail).count, 2, "\(column): \(causes(column, mail: mail))")
        }
    }
}
