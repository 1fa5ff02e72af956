import Foundation
import PeilModel
import XCTest

@testable import Lab

/// A twin restricted to some domains keeps what their DNS depends on, and every kept domain's
/// truth is what the whole twin says of it (tests that bring up a restricted twin compare
/// measurements with that truth).
final class TwinRestrictionTests: XCTestCase {
    func testKeptDomainsHaveTheTruthOfTheWholeTwin() throws {
        let twin = try TwinWorldTests.twin.get()
        let names = Set(twin.domains.map(\.name))
        // Domains below another twin domain (their parent zone is that domain's), and a sample.
        let nested = twin.domains.filter { domain in
            var parent = DNSName.parent(of: domain.name)
            while let name = parent, !name.isEmpty {
                if names.contains(name) { return true }
                parent = DNSName.parent(of: name)
            }
            return false
        }
        XCTAssertFalse(nested.isEmpty, "the twin has no domain below another one")
        let chosen = Set(nested.prefix(5).map(\.name) + twin.domains.enumerated().filter { $0.offset % 97 == 0 }.map(\.element.name))
        let restricted = twin.restricted(to: chosen + ["not-in-the-twin.nl"])

        let kept = Set(restricted.domains.map(\.name))
        XCTAssertTrue(chosen.isSubset(of: kept))
        XCTAssertLessThan(kept.count, chosen.count + 20, "only what the chosen depend on is added: \(kept.subtracting(chosen).sorted())")
        for domain in nested.prefix(5) {
            XCTAssertTrue(kept.contains { domain.name.hasSuffix("." + $0) }, "\(domain.name) keeps the twin domain above it")
        }
        XCTAssertEqual(restricted.dnsProviders, twin.dnsProviders)
        // Only the platforms the kept domains use, unchanged.
        let webUsed = Set(restricted.domains.map(\.web.platform))
        let mxHosts = Set(restricted.domains.flatMap { $0.mail.mx.map(\.host) })
        XCTAssertEqual(restricted.webPlatforms, twin.webPlatforms.filter { webUsed.contains($0.id) })
        XCTAssertEqual(Set(restricted.webPlatforms.map(\.id)), webUsed, "every kept domain's web platform is kept")
        XCTAssertEqual(restricted.mailPlatforms, twin.mailPlatforms.filter { !Set($0.hostNames).isDisjoint(with: mxHosts) })
        XCTAssertFalse(restricted.mailPlatforms.isEmpty, "the kept domains use no mail platform")
        XCTAssertLessThan(restricted.webPlatforms.count + restricted.mailPlatforms.count, (twin.webPlatforms.count + twin.mailPlatforms.count) / 4)
        let mailHostsKept = Set(restricted.mailPlatforms.flatMap(\.hostNames))
        let mxOnPlatforms = Set(twin.mailPlatforms.flatMap(\.hostNames)).intersection(mxHosts)
        XCTAssertTrue(mxOnPlatforms.isSubset(of: mailHostsKept), "every MX host that is on a platform keeps it")

        let whole = Dictionary(uniqueKeysWithValues: try TwinWorldTests.truth.get().map { ($0.domain, $0) })
        let truth = restricted.truth()
        XCTAssertEqual(truth.count, kept.count)
        for domain in truth {
            XCTAssertEqual(domain, whole[domain.domain], domain.domain)
        }
    }
}
