import Foundation
import PeilModel

/// The files a resolver needs to measure the lab: root hints, the root trust anchor, and a
/// ready unbound configuration per vantage.
struct ResolverFiles {
    let index: WorldIndex
    let paths: LabPaths

    /// Writes `root.hints` (the root zone's NS set and their addresses), `root.key` (the
    /// root's DS records, which `ub_ctx_add_ta_file` and unbound's `trust-anchor-file` read),
    /// and `unbound-<v4|v6|ds>.conf`.
    func write(rootDS: [String]) throws {
        guard let root = index.zone(named: ""), let group = index.group(root.servers) else {
            throw LabError(.invalidWorld, "the world has no root zone with servers")
        }
        var hints = ["; Root hints of the Peil lab (not the real root)."]
        for nameserver in group.nameservers {
            let host = DNSName.absolute(nameserver.host)
            hints.append(".\t3600000\tIN\tNS\t\(host)")
            if let address = nameserver.ipv4 { hints.append("\(host)\t3600000\tIN\tA\t\(address)") }
            if let address = nameserver.ipv6 { hints.append("\(host)\t3600000\tIN\tAAAA\t\(address)") }
        }
        try (hints.joined(separator: "\n") + "\n").write(to: paths.rootHints, atomically: true, encoding: .utf8)
        let anchors = rootDS.map { ".\t3600\tIN\tDS\t\($0)" }
        try (anchors.joined(separator: "\n") + "\n").write(to: paths.trustAnchor, atomically: true, encoding: .utf8)
        for vantage in LabTopology.vantages {
            try unboundConfiguration(families: vantage.families)
                .write(to: paths.resolverConfig(vantage.suffix), atomically: true, encoding: .utf8)
        }
    }

    /// An unbound/libunbound configuration that iterates from the lab's root with its trust
    /// anchor, using only the vantage's families. The fence against leaving the lab is the
    /// vantage namespace itself: it has routes to the lab's target ranges and nothing else.
    func unboundConfiguration(families: Set<AddressFamily>) -> String {
        """
        # Made by peil lab: resolve the lab world from a vantage with \(families.map(\.rawValue).sorted().joined(separator: "+")).
        server:
            root-hints: "\(paths.rootHints.path)"
            trust-anchor-file: "\(paths.trustAnchor.path)"
            do-ip4: \(families.contains(.ipv4) ? "yes" : "no")
            do-ip6: \(families.contains(.ipv6) ? "yes" : "no")
            username: ""
            chroot: ""
            directory: "\(paths.root.path)"
            use-syslog: no
            logfile: ""
            verbosity: 0
            val-log-level: 2
            module-config: "validator iterator"
            do-not-query-localhost: yes
            # As Peil's own resolver (ResolverConfiguration.serverWait): one try waits at most 5 s.
            infra-cache-max-rtt: 5000

        """
    }
}
