import Foundation
import LabEndpoints
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

/// The hostile zoo's TLS servers (`LabEndpoints.HostileTLSServer`, the behaviours the lab's
/// endpoint server serves) scanned on loopback: each scan ends well before its deadline,
/// and none ends `completed` (whose observation verdicts could call failed).
@Suite("TLS scanner: tarpit, reset, garbage", .serialized, .blockingWork)
struct HostileTLSScanTests {
    static let limits = HelloLimits(connectTimeout: .seconds(1), answerTimeout: .seconds(1))
    /// Room for scheduling on a loaded machine; the bounds asserted are far below what the
    /// scans cost without their limits (a timeout per hello: minutes).
    static let slack: Duration = .seconds(3)

    static func scan(_ server: HostileTLSServer, options: TLSScanOptions, deadline: ProbeDeadline) -> (TLSScanResult, Duration) {
        let clock = ContinuousClock()
        var result: TLSScanResult?
        let elapsed = clock.measure {
            result = TLSScanner.scan(TLSScanTarget(address: "127.0.0.1", port: server.port, serverName: "tarpit.lab"), options: options, deadline: deadline)
        }
        print("\(server.behaviour): \(result!.outcome), \(result!.handshakes) handshakes in \(elapsed): \(result!.detail ?? "-")")
        return (result!, elapsed)
    }

    /// ServerHello, then silence: the first two hellos' flights time out and the scan stops,
    /// instead of waiting out every remaining hello.
    @Test(.timeLimit(.minutes(1)))
    func aTarpitCostsTwoTimeoutsNotOnePerHello() throws {
        let server = try HostileTLSServer(.tarpit)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: Self.limits, retries: 1)
        let budget: Duration = .seconds(20)
        let (result, elapsed) = Self.scan(server, options: options, deadline: ProbeDeadline(.now + budget))
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.detail?.contains("2 consecutive timeouts") == true)
        #expect(result.handshakes == 2)
        #expect(elapsed < Self.limits.answerTimeout * 2 + Self.slack, "two answer timeouts, not the task budget")
    }

    /// With the consecutive-timeout rule out of the way, the task deadline alone ends the scan.
    @Test(.timeLimit(.minutes(1)))
    func theTaskDeadlineEndsATarpitScan() throws {
        let server = try HostileTLSServer(.tarpit)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: Self.limits, retries: 1, maxConsecutiveTimeouts: 1_000)
        let budget: Duration = .seconds(4)
        let (result, elapsed) = Self.scan(server, options: options, deadline: ProbeDeadline(.now + budget))
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.detail?.contains("task deadline reached") == true)
        #expect(elapsed < budget + Self.slack)
    }

    /// A cancellation raised from another thread (the agent stopping) ends the scan at its
    /// next step, long before the deadline.
    @Test(.timeLimit(.minutes(1)))
    func aCancelledScanStopsAtItsNextStep() throws {
        let server = try HostileTLSServer(.tarpit)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: Self.limits, retries: 1, maxConsecutiveTimeouts: 1_000)
        let cancellation = ProbeCancellation()
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 1.5)
            cancellation.cancel()
        }
        let (result, elapsed) = Self.scan(server, options: options, deadline: ProbeDeadline(.now + .seconds(600), cancellation: cancellation))
        #expect(result.outcome == .inconclusive)
        #expect(result.detail?.contains("cancelled") == true)
        #expect(elapsed < .milliseconds(1_500) + Self.limits.answerTimeout + Self.slack)
    }

    /// A reset once the ClientHello is in: taken as a refusal after the retry, quickly; no
    /// observation, so no verdict can call anything failed.
    @Test(.timeLimit(.minutes(1)))
    func aResetMidHandshakeEndsQuicklyWithoutAnObservation() throws {
        let server = try HostileTLSServer(.reset)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: Self.limits, retries: 1)
        let (result, elapsed) = Self.scan(server, options: options, deadline: ProbeDeadline(.now + .seconds(20)))
        #expect(result.outcome != .completed && result.observation == nil)
        #expect(elapsed < Self.slack * 2)
    }

    /// A truncated ServerHello: malformed, retried, then inconclusive (an error, not "no TLS").
    @Test(.timeLimit(.minutes(1)))
    func garbageInsteadOfAServerHelloIsInconclusive() throws {
        let server = try HostileTLSServer(.garbage)
        defer { server.stop() }
        let options = TLSScanOptions(cipherOrderPlan: .internetnlCurrent, limits: Self.limits, retries: 1)
        let (result, elapsed) = Self.scan(server, options: options, deadline: ProbeDeadline(.now + .seconds(20)))
        #expect(result.outcome == .inconclusive && result.observation == nil)
        #expect(result.detail?.contains("malformed") == true)
        #expect(elapsed < Self.slack * 2)
    }
}
