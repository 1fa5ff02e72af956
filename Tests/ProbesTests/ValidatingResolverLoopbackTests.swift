import Foundation
import PeilModel
import Synchronization
import Testing
@testable import Probes

/// libunbound end to end against a responder on 127.0.0.1 (forwarder mode): timeouts,
/// concurrency, the bogus re-ask, and the upstream fence. No traffic leaves loopback.
@Suite("Validating resolver over loopback", .serialized)
struct ValidatingResolverLoopbackTests {
    private static func configuration(port: UInt16, timeout: Duration, policy: UpstreamPolicy = .labAndLoopback,
                                      anchor: String = ResolverConfigurationTests.anchor) throws -> ResolverConfiguration {
        let paths = try ResolverConfigurationTests.files(["anchor": anchor])
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

    /// After one failed fetch of the root's keys (SERVFAIL) libunbound marks the root's key
    /// invalid for 60 s (`BOGUS_KEY_TTL`): the next answer is bogus "key for validation . is
    /// marked as invalid because of a previous …", though the root now serves its keys. That
    /// is no verdict on the zone: the keys come when asked for, so the question is validated
    /// afresh by a new context, whose own verdict is kept. Here the root's DNSKEY set is signed
    /// and anchored and the A record under it is not, so the fresh verdict is bogus for want
    /// of a DS proof, with the record kept.
    @Test(.timeLimit(.minutes(1)))
    func aValidatorsCachedKeyFailureIsValidatedAfresh() async throws {
        let root = try SignedRoot()
        let keysServed = Mutex(false)
        let server = try LoopbackDNSServer { query in
            switch LoopbackDNSServer.questionType(query) {
            case 1: LoopbackDNSServer.reply(to: query, answers: [(type: 1, rdata: [198, 18, 16, 1])])
            case 48: keysServed.withLock { $0 } ? LoopbackDNSServer.reply(to: query, answers: [(type: 48, rdata: root.dnskey), (type: 46, rdata: root.rrsig)])
                : LoopbackDNSServer.reply(to: query, rcode: 2)
            default: LoopbackDNSServer.reply(to: query)
            }
        }
        defer { server.stop() }
        var configuration = try Self.configuration(port: server.port, timeout: .seconds(20), anchor: root.anchor)
        configuration.serverWait = .milliseconds(300)
        let resolver = try ValidatingResolver(configuration)
        defer { resolver.shutdown() }
        let first = await resolver.ask("www.example.nl", .a)
        #expect(first.dnssec == .error && first.rcode == "SERVFAIL", "keys that never came: \(first)")
        keysServed.withLock { $0 = true }
        // Past libunbound's 5 s memory of the direct ask's SERVFAIL (`NORR_TTL`), not the 60 s
        // of the validator's.
        try await Task.sleep(for: LookupRetry.standard.pause)
        let second = await resolver.ask("mail.example.nl", .a)
        #expect(second.dnssec == .bogus, "\(second)")
        #expect(second.records == ["198.18.16.1"])
        #expect(second.reason?.hasPrefix("validation failure <mail.example.nl. A IN>: no DNSSEC records") == true,
                "a verdict on the record, not on the keys: \(second.reason ?? "")")
        #expect(second.reason?.hasSuffix("; validated afresh: the first validator held an earlier failure to fetch the keys of .") == true)
    }

    /// The same root, its keys served from the start: the A record is bogus at once, with the
    /// same kind of reason, so the fresh verdict above is the one a validator with no failure
    /// cached gives.
    @Test(.timeLimit(.minutes(1)))
    func theSignedRootJudgesTheUnsignedRecordBogus() async throws {
        let root = try SignedRoot()
        let server = try LoopbackDNSServer { query in
            switch LoopbackDNSServer.questionType(query) {
            case 1: LoopbackDNSServer.reply(to: query, answers: [(type: 1, rdata: [198, 18, 16, 1])])
            case 48: LoopbackDNSServer.reply(to: query, answers: [(type: 48, rdata: root.dnskey), (type: 46, rdata: root.rrsig)])
            default: LoopbackDNSServer.reply(to: query)
            }
        }
        defer { server.stop() }
        let resolver = try ValidatingResolver(Self.configuration(port: server.port, timeout: .seconds(20), anchor: root.anchor))
        defer { resolver.shutdown() }
        let record = await resolver.ask("mail.example.nl", .a)
        #expect(record.dnssec == .bogus, "\(record)")
        #expect(record.reason?.contains("DNSKEY") == false, "\(record.reason ?? "")")
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
