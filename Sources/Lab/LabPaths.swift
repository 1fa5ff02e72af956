import Foundation

/// Where the lab keeps what it makes, all under one state directory.
struct LabPaths: Sendable {
    let root: URL

    init(_ stateDirectory: URL) { root = stateDirectory.standardizedFileURL }

    var manifest: URL { root.appendingPathComponent("lab.json") }
    var zones: URL { root.appendingPathComponent("zones", isDirectory: true) }
    var keys: URL { root.appendingPathComponent("keys", isDirectory: true) }
    var knot: URL { root.appendingPathComponent("knot", isDirectory: true) }
    var network: URL { root.appendingPathComponent("network", isDirectory: true) }
    var rootHints: URL { root.appendingPathComponent("root.hints") }
    var trustAnchor: URL { root.appendingPathComponent("root.key") }
    /// The endpoint server's plan, certificates, pid file and log; nginx's and Postfix's directories.
    var endpoints: URL { root.appendingPathComponent("endpoints", isDirectory: true) }
    var nginx: URL { endpoints.appendingPathComponent("nginx", isDirectory: true) }
    var postfix: URL { endpoints.appendingPathComponent("postfix", isDirectory: true) }
    /// The DNS delay relay's plan, pid file and log (next to the knotd directories).
    var dnsRelayPlan: URL { knot.appendingPathComponent("relay.json") }
    var dnsRelayPid: URL { knot.appendingPathComponent("relay.pid") }
    var dnsRelayLog: URL { knot.appendingPathComponent("relay.log") }

    /// An unbound configuration for a vantage namespace (`suffix` is `v4`, `v6` or `ds`).
    func resolverConfig(_ suffix: String) -> URL { root.appendingPathComponent("unbound-\(suffix).conf") }

    /// The working directory of one knotd.
    func knot(_ group: String) -> URL { knot.appendingPathComponent(group, isDirectory: true) }

    /// Everything `down` removes; the state directory itself goes too when it is then empty.
    var made: [URL] {
        [manifest, zones, keys, knot, network, endpoints, rootHints, trustAnchor] + ["v4", "v6", "ds"].map(resolverConfig)
    }

    func zoneFile(_ zone: String, signed: Bool) -> URL {
        zones.appendingPathComponent((zone.isEmpty ? "root" : zone) + (signed ? ".zone.signed" : ".zone"))
    }
}
