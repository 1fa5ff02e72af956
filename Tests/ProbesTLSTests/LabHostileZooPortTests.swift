import Foundation
import Lab
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The lab's endpoint server (`peil lab serve --plan`) with the hostile HTTP ports and the
/// all-suites and long-chain TLS ports on loopback: the plan's `http-*`, `tls-all-suites` and
/// `tls-long-chain` modes reach the behaviours the in-process servers serve, and each probe
/// ends within its bound with the same result.
@Suite("Lab endpoint server: hostile HTTP ports, all-suites and long-chain TLS ports", .serialized,
       .enabled(if: TestRequirements.isMet(.peilBinary), "needs the built peil"), .blockingWork)
struct LabHostileZooPortTests {
    @Test(.timeLimit(.minutes(2)))
    func hostileHTTPAndTLSPortsOfThePlanAreServedAndProbesEndInTime() throws {
        let folder = try TestProcess.scratchFolder("hostile-zoo-ports")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let modes: [EndpointPortMode] = [.httpSlowloris, .httpEndlessHead, .httpRedirectLoop, .httpNotHTTP, .tlsAllSuites, .tlsLongChain]
        guard let served = try HostilePlanServer.start(modes, service: .web, id: "web-hostile-zoo", name: "www.hostile.lab", in: folder) else { return }
        defer { served.server.stop() }
        let ports = served.ports

        let clock = ContinuousClock()
        let limits = HTTPLimits(timeout: .seconds(3))
        let slack: Duration = .seconds(3)
        for (mode, expected) in [(EndpointPortMode.httpSlowloris, "no complete response head within 3 s"), (.httpEndlessHead, "response head over 32 KiB"),
                                 (.httpRedirectLoop, ""), (.httpNotHTTP, "not HTTP: the answer starts \"SSH-2.0-")] {
            var exchange: HTTPExchange?
            let elapsed = try clock.measure {
                let stream = try TCPStream.connect(address: "127.0.0.1", port: ports[mode]!, deadline: .now + .seconds(2))
                defer { stream.close() }
                exchange = HTTPClient.get(url: "http://www.hostile.lab/", host: "www.hostile.lab", over: stream, limits: limits)
            }
            let result = try #require(exchange)
            print("\(mode.rawValue): \(result.status.map(String.init) ?? "-") in \(elapsed): \(result.error ?? "-")")
            if expected.isEmpty {
                #expect(result.status == 301 && result.values("Location") == ["http://www.hostile.lab/1"])
            } else {
                #expect(result.status == nil && result.error?.hasPrefix(expected) == true, "\(mode.rawValue): \(result.error ?? "-")")
            }
            #expect(elapsed < limits.timeout + slack, "\(mode.rawValue)")
        }
        let budget: Duration = .seconds(60)
        for mode in [EndpointPortMode.tlsAllSuites, .tlsLongChain] {
            var result: TLSScanResult?
            let elapsed = clock.measure {
                result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: ports[mode]!, serverName: "www.hostile.lab"),
                                         options: HostileTLSZooTests.options, deadline: ProbeDeadline(.now + budget))
            }
            let scan = try #require(result)
            print("\(mode.rawValue): \(scan.outcome), \(scan.handshakes) handshakes in \(elapsed): \(scan.detail ?? "-")")
            #expect(scan.outcome == .completed && scan.observation?.versions.contains(.ssl3) == true, "\(mode.rawValue)")
            #expect(mode != .tlsLongChain || scan.detail?.contains("certificate chain not read") == true, "\(scan.detail ?? "-")")
            #expect(elapsed < budget, "\(mode.rawValue)")
        }
    }
}
