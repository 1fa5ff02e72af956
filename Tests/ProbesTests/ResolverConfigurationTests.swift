import Foundation
import PeilModel
import PeilTestSupport
import Testing
@testable import Probes

@Suite("Resolver configuration")
struct ResolverConfigurationTests {
    /// Root hints on loopback addresses: even a resolver started by mistake from these would
    /// send nothing past this machine's loopback.
    static let hints = """
        ; test root hints
        .                        3600000      NS    A.ROOT.LAB.
        a.root.lab.              3600000      A     127.0.0.53
        a.root.lab.              3600000      AAAA  ::1
        .                        3600000 IN   NS    b.root.lab.
        b.root.lab.              3600000 IN   A     127.0.0.54
        """
    static let anchor = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"

    /// Writes files into a fresh scratch folder (removed when the test process exits) and returns their paths.
    static func files(_ contents: [String: String]) throws -> [String: String] {
        let folder = try ScratchFolders.make("peil-probes")
        var paths: [String: String] = [:]
        for (name, text) in contents {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths[name] = url.path
        }
        return paths
    }

    private func code(_ configuration: ResolverConfiguration) -> ResolverError.Code? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error.code
        }
    }

    @Test func rootHintsAreReadLikeAZoneFile() {
        let hints = RootHints.parse(Self.hints)
        #expect(hints.rootServers == ["a.root.lab.", "b.root.lab."])
        #expect(hints.addresses.count == 3)
        #expect(!hints.hasInclude)
        let continuation = RootHints.records(in: "a.root.lab. 3600 A 198.18.0.1\n    3600 AAAA 2001:2::1\n$TTL 3600\n")
        #expect(continuation.map(\.owner) == ["a.root.lab.", "a.root.lab."])
        #expect(continuation.map(\.type) == ["A", "AAAA"])
    }

    @Test func goodConfigurations() throws {
        let paths = try Self.files(["hints": Self.hints, "anchor": Self.anchor])
        #expect(code(ResolverConfiguration(upstream: .rootHints(file: paths["hints"]!), trustAnchorFile: paths["anchor"]!)) == nil)
        #expect(code(ResolverConfiguration(upstream: .rootHints(file: paths["hints"]!), trustAnchorFile: paths["anchor"]!, families: [.ipv6])) == nil)
        #expect(code(ResolverConfiguration(upstream: .forwarder(address: "127.0.0.1@5353"), trustAnchorFile: paths["anchor"]!)) == nil)
        #expect(code(ResolverConfiguration(upstream: .forwarder(address: "2001:2::53"), trustAnchorFile: paths["anchor"]!)) == nil)
        let dnskey = try Self.files(["anchor": ". 3600 IN DNSKEY 257 3 13 ( abc= ) ; KSK\n"])
        #expect(code(ResolverConfiguration(upstream: .forwarder(address: "198.18.0.53"), trustAnchorFile: dnskey["anchor"]!)) == nil)
    }

    @Test(arguments: [
        ("", ResolverError.Code.rootHintsInvalid),
        ("a.root.lab. 3600 A 198.18.0.1\n", .rootHintsInvalid), // no root NS: libunbound would use its built-in hints
        (". 3600 NS a.root.lab.\n", .rootHintsInvalid), // an NS without address
        (". 3600 NS a.root.lab.\nb.root.lab. 3600 A 198.18.0.1\n", .rootHintsInvalid), // address of another name
        (". 3600 NS a.root.lab.\na.root.lab. 3600 A 198.18.0.300\n", .rootHintsInvalid),
        (". 3600 NS a.root.lab.\na.root.lab. 3600 A 198.41.0.4\n", .upstreamNotAllowed), // a real root server
        (". 3600 NS a.root.lab.\na.root.lab. 3600 A 198.18.0.1\nx. 1 AAAA 2001:503:ba3e::2:30\n", .upstreamNotAllowed),
        (". 3600 NS a.root.lab.\na.root.lab. 3600 A 198.18.0.1\n$INCLUDE /etc/other\n", .rootHintsInvalid),
    ])
    func badRootHintsAreRefused(text: String, expected: ResolverError.Code) throws {
        let paths = try Self.files(["hints": text, "anchor": Self.anchor])
        #expect(code(ResolverConfiguration(upstream: .rootHints(file: paths["hints"]!), trustAnchorFile: paths["anchor"]!)) == expected)
    }

    @Test func hintsWithoutAnAddressOfAnEnabledFamilyAreRefused() throws {
        let paths = try Self.files(["hints": ". NS a.root.lab.\na.root.lab. A 127.0.0.53\n", "anchor": Self.anchor])
        #expect(code(ResolverConfiguration(upstream: .rootHints(file: paths["hints"]!), trustAnchorFile: paths["anchor"]!, families: [.ipv6])) == .rootHintsInvalid)
    }

    @Test func otherRefusals() throws {
        let paths = try Self.files(["hints": Self.hints, "anchor": Self.anchor, "empty": "; nothing\n"])
        let hints = ResolverConfiguration.Upstream.rootHints(file: paths["hints"]!)
        #expect(code(ResolverConfiguration(upstream: .rootHints(file: "/nonexistent/hints"), trustAnchorFile: paths["anchor"]!)) == .rootHintsUnreadable)
        #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: "/nonexistent/anchor")) == .trustAnchorInvalid)
        #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["empty"]!)) == .trustAnchorInvalid)
        #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["anchor"]!, families: [])) == .noAddressFamily)
        #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["anchor"]!, queryTimeout: .zero)) == .limitInvalid)
        #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["anchor"]!, maxQueriesInFlight: 0)) == .limitInvalid)
        for wait in [Duration.zero, .milliseconds(99), .milliseconds(120_001)] {
            #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["anchor"]!, serverWait: wait)) == .limitInvalid, "\(wait)")
        }
        for wait in [Duration.milliseconds(100), .seconds(5), .seconds(120)] {
            #expect(code(ResolverConfiguration(upstream: hints, trustAnchorFile: paths["anchor"]!, serverWait: wait)) == nil, "\(wait)")
        }
        for bad in ["resolver.lab", "198.18.0.1@dns", "198.18.0.1@70000", ""] {
            #expect(code(ResolverConfiguration(upstream: .forwarder(address: bad), trustAnchorFile: paths["anchor"]!)) == .forwarderInvalid, "\(bad)")
        }
        #expect(code(ResolverConfiguration(upstream: .forwarder(address: "198.18.0.1"), trustAnchorFile: paths["anchor"]!, families: [.ipv6])) == .forwarderInvalid)
        for outside in ["9.9.9.9", "192.168.1.1", "10.0.0.53@53", "2620:fe::fe"] {
            #expect(code(ResolverConfiguration(upstream: .forwarder(address: outside), trustAnchorFile: paths["anchor"]!)) == .upstreamNotAllowed, "\(outside)")
        }
        #expect(code(ResolverConfiguration(upstream: .forwarder(address: "9.9.9.9"), trustAnchorFile: paths["anchor"]!, upstreamPolicy: .publicOnly)) == nil)
        for special in ["192.168.1.1", "127.0.0.1", "169.254.169.254@53", "fd00::53"] {
            #expect(code(ResolverConfiguration(upstream: .forwarder(address: special), trustAnchorFile: paths["anchor"]!, upstreamPolicy: .publicOnly)) == .upstreamNotAllowed, "\(special)")
        }
    }

    @Test func resolverRefusesToStartOnABadConfiguration() throws {
        let paths = try Self.files(["hints": "a.root.lab. A 198.18.0.1\n", "anchor": Self.anchor])
        #expect(throws: ResolverError.self) {
            _ = try ValidatingResolver(ResolverConfiguration(upstream: .rootHints(file: paths["hints"]!), trustAnchorFile: paths["anchor"]!))
        }
    }
}
