import Checks
import Foundation
import LabEndpoints
import PeilModel
import XCTest

@testable import Lab

/// The twin's pages over IPv4 and IPv6: every variant is there, and the check, given the pages
/// the lab serves each web host over both families, comes to the truth's `web_ipv6_ws_similar`.
final class TwinSameWebsiteTests: XCTestCase {
    func testEveryVariantIsThereOnAnsweringPlatforms() throws {
        let twin = try TwinWorldTests.twin.get()
        let answering = Set(twin.webPlatforms.filter { $0.ipv6Service == .answering }.map(\.id))
        let domains = twin.domains.filter { answering.contains($0.web.platform) }
        XCTAssertTrue(domains.contains { $0.web.differentContentOverIPv6 })
        XCTAssertTrue(domains.contains { $0.web.scriptNonce })
        XCTAssertTrue(domains.contains { !$0.web.scriptNonce && !$0.web.differentContentOverIPv6 })
        let statuses = Set(try TwinWorldTests.truth.get().compactMap { $0.subtests["internetnl-current"]?[SubtestID.webIPv6WSSimilar.rawValue]?.status })
        XCTAssertEqual(statuses, [.passed, .warning, .failed, .notTested])
    }

    /// Each answering web host's `GET /` as the endpoint server answers it over each family
    /// (its own nonce each time), judged by ``IPv6Subtests/sameWebsite(ipv4:_:ipv6:_:)``.
    func testTheCheckJudgesWhatIsServedAsTheTruthSays() throws {
        let twin = try TwinWorldTests.twin.get()
        let plan = TwinEndpoints.plan(twin)
        let sites = Dictionary(plan.sites.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        let platforms = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let truth = Dictionary(uniqueKeysWithValues: try TwinWorldTests.truth.get().map { ($0.domain, $0) })
        var judged = 0
        for domain in twin.domains {
            guard let platform = platforms[domain.web.platform], platform.ipv6Service == .answering, let site = sites[domain.web.host] else { continue }
            func served(ipv6: Bool) -> WebObservation {
                let nonce = UUID().uuidString
                let page = { WebPageDigest(body: Array(site.page(path: "/", nonce: nonce, ipv6: ipv6).utf8)) }
                let https = platform.https == .tls ? HTTPExchange(url: "https://\(site.host)/", status: 200, page: page()) : nil
                let http = site.redirectStatus.map { HTTPExchange(url: "http://\(site.host)/", status: $0, page: WebPageDigest(body: Array("moved".utf8))) }
                    ?? HTTPExchange(url: "http://\(site.host)/", status: 200, page: page())
                return WebObservation(tls: TLSScanResult(outcome: platform.https == .tls ? .completed : .unreachable), https: https, http: http, port80: .open)
            }
            let cell = IPv6Subtests.sameWebsite(ipv4: "198.18.0.1", served(ipv6: false), ipv6: "2001:2::1", served(ipv6: true))
            let want = truth[domain.name]?.subtests["internetnl-current"]?[SubtestID.webIPv6WSSimilar.rawValue]
            XCTAssertEqual(cell.status, want?.status, "\(domain.name): \(cell.because); truth \(want?.because ?? "none")")
            judged += 1
        }
        XCTAssertGreaterThan(judged, 30)
    }
}
