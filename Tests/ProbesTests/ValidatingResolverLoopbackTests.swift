import Foundation
import PeilModel
import Testing
@testable import Probes

/// libunbound end to end against a responder on 127.0.0.1 (forwarder mode): timeouts,
/// concurrency, the bogus re-ask, and the upstream fence. No traffic leaves loopback.
@Suite("Validating resolver over loopback", .serialized)
struct ValidatingResolverLoopbackTests {
    private static func configuration(port: UInt16, timeout: Duration, policy: UpstreamPolicy = .labAndLoopback) throws -> ResolverConfiguration {
        let paths = try ResolverConfigurationTests.files(["anchor": ResolverConfigurationTests.anchor])
        return ResolverConfiguration(upstream: .forwarder(address: "127.0.0.1@\(port)"), trustAnchorFile: paths["anchor"]!,
                                     families: [.ipv4], queryTimeout: timeout, upstreamPolicy: policy)
    }

    /// Behaviour, not speed: every question ends, as TIMEOUT with the deadline named. The time
    /// limit only catches a hang; how long it takes is a benchmark's business, not a test's.
    @Test(.timeLimit(.minutes(1)))
    func silentServersTimeOutWithinTheQueryTimeoutEvenWhenManyAreAsked() async throws {
        let server = try LoopbackDNSServer { _ in nil }
        defer { server.stop() }
        let resolver = try ValidatingResolver(Self.configuration(port: server.port, timeout: .milliseconds(600)))
        defer { resolver.shutdown() }
        let records = await withTaskGroup(of: DNSQueryRecord.self) { group in
            for index in 0..<40 { group.addTask { await resolver.ask("host\(index).example.nl", .a) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(records.count == 40)
        #expect(records.allSatisfy { $0.rcode == "TIMEOUT" && $0.dnssec == .error })
        #expect(records.allSatisfy { $0.reason?.contains("0.6 seconds") == true }, "\(records.first?.reason ?? "")")
        #expect(server.received > 0)
    }

    @Test func unsignedAnswersUnderASignedRootAreBogusButKeepTheirRecords() async throws {
        let server = try LoopbackDNSServer { query in
            LoopbackDNSServer.questionType(query) == 1
                ? LoopbackDNSServer.reply(to: query, answers: [(type: 1, rdata: [198, 18, 16, 1])])
                : LoopbackDNSServer.reply(to: query)
        }
        defer { server.stop() }
        let resolver = try ValidatingResolver(Self.configuration(port: server.port, timeout: .seconds(5)))
        defer { resolver.shutdown() }
        let record = await resolver.ask("WWW.Example.NL.", .a)
        #expect(record.name == "www.example.nl")
        #expect(record.type == "A")
        #expect(record.dnssec == .bogus)
        #expect(record.rcode == "NOERROR")
        #expect(record.records == ["198.18.16.1"])
        #expect(record.reason?.isEmpty == false, "why_bogus should be reported")
    }

    /// A bogus for want of keys is checked (`QueryRecordBuilder.keysNotFetched`): with the
    /// root's DNSKEY questions never answered, libunbound calls the answer bogus ("no DNSKEY
    /// rrset for trust anchor ."); asked for those keys itself, the root does not answer either,
    /// so the record is `error`, not a broken chain. With them answered empty the same answer
    /// stays bogus (the test above).
    @Test(.timeLimit(.minutes(1)))
    func keysThatNeverComeMakeAnErrorNotABogus() async throws {
        let server = try LoopbackDNSServer { query in
            switch LoopbackDNSServer.questionType(query) {
            case 1: LoopbackDNSServer.reply(to: query, answers: [(type: 1, rdata: [198, 18, 16, 1])])
            case 48: nil
            default: LoopbackDNSServer.reply(to: query)
            }
        }
        defer { server.stop() }
        var configuration = try Self.configuration(port: server.port, timeout: .seconds(20))
        configuration.serverWait = .milliseconds(300)
        let resolver = try ValidatingResolver(configuration)
        defer { resolver.shutdown() }
        let record = await resolver.ask("www.example.nl", .a)
        #expect(record.dnssec == .error && record.rcode == "SERVFAIL", "\(record)")
        #expect(record.reason?.hasPrefix("the DNSKEY of . did not come within the nameserver wait") == true, "\(record.reason ?? "")")
        #expect(record.records.isEmpty)
    }

    @Test func theFenceKeepsLibunboundAwayFromDisallowedAddresses() async throws {
        let server = try LoopbackDNSServer { LoopbackDNSServer.reply(to: $0) }
        defer { server.stop() }
        // Loopback is not allowed here; build the context directly, past the configuration check.
        let configuration = try Self.configuration(port: server.port, timeout: .seconds(3), policy: .only([IPNetwork("198.18.0.0/15")!]))
        let context = try UnboundContextFactory.make(configuration, validating: false)
        let loop = try UnboundEventLoop(context: context, timeout: .seconds(3), maxInFlight: 8, name: "fence-test")
        defer { loop.shutdown() }
        let outcome = await loop.resolve("www.example.nl", type: 1)
        let record = QueryRecordBuilder.record(name: "www.example.nl", type: .a, validated: outcome, timeout: .seconds(3))
        #expect(record.dnssec == .error)
        #expect(record.records.isEmpty)
        #expect(server.received == 0)
    }

    /// A 30 s question ends with ERROR (shutdown), not TIMEOUT: that it ended early is in the
    /// response code; the time limit only catches a hang.
    @Test(.timeLimit(.minutes(1)))
    func shutdownEndsOpenQuestions() async throws {
        let server = try LoopbackDNSServer { _ in nil }
        defer { server.stop() }
        let resolver = try ValidatingResolver(Self.configuration(port: server.port, timeout: .seconds(30)))
        async let record = resolver.ask("slow.example.nl", .a)
        try await Task.sleep(for: .milliseconds(200))
        resolver.shutdown()
        let ended = await record
        #expect(ended.rcode == "ERROR")
        #expect(await resolver.ask("after.example.nl", .a).rcode == "ERROR")
    }

    /// `peil resolve` shuts its resolver down twice (once itself, once on deinit). The loop used
    /// to close its wake-up pipe when its thread ended, so the second shutdown wrote into a
    /// closed pipe (SIGPIPE: the process died with its output unflushed) or into whatever took
    /// the descriptor next. Here the pipes opened next take every freed descriptor: no byte may
    /// reach any of them.
    @Test
    func aSecondShutdownWritesIntoNoOtherDescriptor() async throws {
        let server = try LoopbackDNSServer { _ in nil }
        defer { server.stop() }
        for _ in 0..<3 {
            let resolver = try ValidatingResolver(Self.configuration(port: server.port, timeout: .seconds(30)))
            resolver.shutdown()
            try await Task.sleep(for: .milliseconds(100)) // the loop threads end
            var pipes: [[Int32]] = []
            defer { for fds in pipes { close(fds[0]); close(fds[1]) } }
            for _ in 0..<32 {
                var fds: [Int32] = [-1, -1]
                #expect(pipe(&fds) == 0)
                _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
                pipes.append(fds)
            }
            resolver.shutdown()
            _ = await resolver.ask("after.example.nl", .a)
            for fds in pipes {
                var byte: UInt8 = 0
                #expect(read(fds[0], &byte, 1) == -1, "a wake-up landed in another pipe")
            }
        }
    }
}
