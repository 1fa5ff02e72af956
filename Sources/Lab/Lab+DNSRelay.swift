import Foundation
import LabEndpoints

extension Lab {
    /// The first loopback port of the knotd backends behind the relay (one port per server group).
    static let firstBackendPort = 10_053

    /// Whether `up` puts the DNS delay relay in front of knotd: an RTT, slow answers or loss,
    /// and a `peil` to run it.
    var relaysDNS: Bool {
        (configuration.rttMilliseconds > 0 || configuration.slowDNSAnswers != nil || (configuration.dnsLossPercent ?? 0) > 0)
            && configuration.endpointServer != nil
    }

    /// The loopback port of the knotd of the server group at `position` in the world.
    static func backendPort(_ position: Int) -> Int { firstBackendPort + position }

    /// Every published nameserver address (silent AAAA excluded) and its group's backend port.
    func dnsRelayPlan() -> DNSRelayPlan {
        var routes: [DNSRelayRoute] = []
        var seen = Set<String>()
        for (position, group) in world.serverGroups.enumerated() {
            for address in group.nameservers.flatMap(\.answeringAddresses) where seen.insert(address).inserted {
                routes.append(DNSRelayRoute(address: address, backendPort: Self.backendPort(position)))
            }
        }
        return DNSRelayPlan(rttMilliseconds: configuration.rttMilliseconds, routes: routes, slowAnswers: configuration.slowDNSAnswers,
                            lossPercent: configuration.dnsLossPercent)
    }

    /// Writes the relay plan and starts `peil lab serve --dns-relay` inside `<prefix>-dns`.
    func startDNSRelay() throws -> LabManifest.Process {
        let plan = dnsRelayPlan()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(at: paths.knot, withIntermediateDirectories: true)
        try encoder.encode(plan).write(to: paths.dnsRelayPlan)
        return try startServe(["--dns-relay", paths.dnsRelayPlan.path], role: "dns-relay", namespace: dnsNamespace, directory: paths.knot,
                              prefix: "relay", configFile: paths.dnsRelayPlan, addresses: plan.routes.map(\.address))
    }
}
