import Foundation
import PeilModel

/// The lab's network: a core router namespace joined by one veth pair each to target
/// namespaces (servers, addresses on their `lo`), to vantage namespaces (clients), each
/// vantage with only its own families' addresses and routes, and, when asked for, to host
/// namespaces (``LabHost``: a coordinator host and agent hosts). Nothing is created in, or
/// connected to, the host's namespace: every veth is made with both ends already inside lab
/// namespaces, and no namespace has a default route.
struct LabTopology: Sendable {
    /// A namespace joined to the core.
    struct Member: Sendable, Hashable {
        /// Namespace name suffix (`<prefix>-<suffix>`), also the core's interface `to-<suffix>`.
        let suffix: String
        /// Link number: 198.19.<link>.0/24 and 2001:2:0:<100+link>::/64.
        let link: Int
        let families: Set<AddressFamily>
        /// For targets: the addresses on `lo` and the pools the core routes to it.
        let addresses: [String]
        let pools: [LabAddressPool]
        /// The prefixes it reaches through the core (each only where it has the family).
        let routes: [String]
        /// For the refusing target: its pools taken whole as local addresses (`route add local`).
        var holdsPoolsWhole = false
    }

    let prefix: String
    let members: [Member]
    /// The coordinator host first, then the agent hosts; empty without hosts.
    let hosts: [LabHost]

    static let vantages: [(suffix: String, families: Set<AddressFamily>)] = [
        ("v4", [.ipv4]), ("v6", [.ipv6]), ("ds", [.ipv4, .ipv6]),
    ]

    /// The minimal lab: one DNS target namespace holding every nameserver address, the three
    /// vantages, and `hosts` agent hosts with a coordinator host when `hosts` > 0. Without
    /// endpoint addresses and with `refusesUnserved`, a `closed` target takes the web, mail and
    /// host pools whole, so that a connection to any of them is reset at once.
    init(prefix: String, nameserverAddresses: [String], endpointAddresses: [String] = [], refusesUnserved: Bool = false, hosts: Int = 0) {
        self.prefix = prefix
        let targetRoutes = [LabAddressPlan.targetIPv4Prefix, LabAddressPlan.targetIPv6Prefix]
        let linkRoutes = [LabAddressPlan.linkIPv4Prefix, LabAddressPlan.linkIPv6Prefix]
        var members = Self.vantages.enumerated().map { offset, vantage in
            Member(suffix: vantage.suffix, link: offset + 1, families: vantage.families, addresses: [], pools: [], routes: targetRoutes)
        }
        members.append(Member(suffix: "dns", link: 16, families: [.ipv4, .ipv6], addresses: nameserverAddresses, pools: [.nameserver],
                              routes: linkRoutes))
        if !endpointAddresses.isEmpty {
            // The endpoint server's namespace: every web and mail platform address.
            members.append(Member(suffix: "web", link: 17, families: [.ipv4, .ipv6], addresses: endpointAddresses, pools: [.web, .mail],
                                  routes: linkRoutes))
        } else if refusesUnserved {
            members.append(Member(suffix: "closed", link: 18, families: [.ipv4, .ipv6], addresses: [], pools: [.web, .mail, .host],
                                  routes: linkRoutes, holdsPoolsWhole: true))
        }
        self.hosts = LabHost.plan(prefix: prefix, agentHosts: hosts)
        for host in self.hosts {
            // The coordinator host reaches every host link; an agent host the targets, as a
            // vantage does, and the coordinator host's link.
            let routes = host.role == .coordinator
                ? [LabHost.linksIPv4Block, LabHost.linksIPv6Block]
                : targetRoutes + [LabHost.coordinatorIPv4Link, LabHost.coordinatorIPv6Link]
            members.append(Member(suffix: host.name, link: host.link, families: Set(host.families), addresses: [], pools: [], routes: routes))
        }
        self.members = members
    }

    var core: String { "\(prefix)-core" }

    func namespace(_ member: Member) -> String { "\(prefix)-\(member.suffix)" }

    /// Every namespace, core first.
    var namespaces: [String] { [core] + members.map(namespace) }

    /// The namespace of the vantage with exactly these families.
    func vantage(for families: Set<AddressFamily>) -> String {
        let suffix = Self.vantages.first { $0.families == families }?.suffix ?? "ds"
        return "\(prefix)-\(suffix)"
    }

    /// Creates the namespaces, links, addresses and routes. `recordNamespace` is called before
    /// each namespace is made, so a failure part-way leaves a manifest `down` can follow.
    func build(runner: CommandRunner, batchDirectory: URL, recordNamespace: (String) throws -> Void) throws {
        try FileManager.default.createDirectory(at: batchDirectory, withIntermediateDirectories: true)
        for name in namespaces {
            try recordNamespace(name)
            try runner.run(.ip, ["netns", "add", name])
        }
        try setKernelOptions(core, [
            "ipv4/ip_forward": 1, "ipv6/conf/all/forwarding": 1,
            "ipv6/conf/default/accept_dad": 0, "ipv6/conf/all/accept_dad": 0,
        ], runner: runner)
        for member in members {
            let options: [String: Int] = member.families.contains(.ipv6)
                ? ["ipv6/conf/default/accept_dad": 0, "ipv6/conf/all/accept_dad": 0]
                : ["ipv6/conf/default/disable_ipv6": 1, "ipv6/conf/all/disable_ipv6": 1]
            try setKernelOptions(namespace(member), options, runner: runner)
        }
        try batch(core, members.map { "link add to-\($0.suffix) type veth peer name to-core netns \(namespace($0))" },
                  name: "core-links", in: batchDirectory, runner: runner)
        var coreOptions: [String: Int] = [:]
        for member in members where !member.families.contains(.ipv6) {
            coreOptions["ipv6/conf/to-\(member.suffix)/disable_ipv6"] = 1
        }
        if !coreOptions.isEmpty { try setKernelOptions(core, coreOptions, runner: runner) }
        try batch(core, coreCommands(), name: "core", in: batchDirectory, runner: runner)
        for member in members {
            try batch(namespace(member), memberCommands(member), name: member.suffix, in: batchDirectory, runner: runner)
        }
    }

    /// Deletes those of the lab's namespaces that exist (processes in them must be gone first).
    func remove(runner: CommandRunner, extra: [String] = []) throws {
        let existing = Set(Self.existingNamespaces(runner: runner))
        for name in Set(namespaces + extra).sorted() where existing.contains(name) {
            try runner.run(.ip, ["netns", "del", name])
        }
    }

    /// Names of all network namespaces on the machine (`ip netns list`).
    static func existingNamespaces(runner: CommandRunner) -> [String] {
        guard let output = try? runner.runAllowingFailure(.ip, ["netns", "list"], timeout: 10), output.status == 0 else { return [] }
        return output.standardOutput.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private func coreCommands() -> [String] {
        var commands = ["link set lo up"]
        for member in members {
            let device = "to-\(member.suffix)"
            if member.families.contains(.ipv4) {
                commands.append("addr add \(LabAddressPlan.linkIPv4(member.link, coreSide: true))/24 dev \(device)")
            }
            if member.families.contains(.ipv6) {
                commands.append("addr add \(LabAddressPlan.linkIPv6(member.link, coreSide: true))/64 dev \(device) nodad")
            }
            commands.append("link set \(device) up")
            for pool in member.pools {
                commands.append("route add \(LabAddressPlan.ipv4Block(pool)) via \(LabAddressPlan.linkIPv4(member.link, coreSide: false))")
                commands.append("route add \(LabAddressPlan.ipv6Block(pool)) via \(LabAddressPlan.linkIPv6(member.link, coreSide: false))")
            }
        }
        return commands
    }

    private func memberCommands(_ member: Member) -> [String] {
        var commands = ["link set lo up"]
        for address in member.addresses {
            commands.append(address.contains(":") ? "addr add \(address)/128 dev lo nodad" : "addr add \(address)/32 dev lo")
        }
        for pool in member.pools where member.holdsPoolsWhole {
            commands.append("route add local \(LabAddressPlan.ipv4Block(pool)) dev lo")
            commands.append("route add local \(LabAddressPlan.ipv6Block(pool)) dev lo")
        }
        if member.families.contains(.ipv4) {
            commands.append("addr add \(LabAddressPlan.linkIPv4(member.link, coreSide: false))/24 dev to-core")
        }
        if member.families.contains(.ipv6) {
            commands.append("addr add \(LabAddressPlan.linkIPv6(member.link, coreSide: false))/64 dev to-core nodad")
        }
        commands.append("link set to-core up")
        for route in member.routes {
            let isIPv6 = route.contains(":")
            guard member.families.contains(isIPv6 ? .ipv6 : .ipv4) else { continue }
            let gateway = isIPv6 ? LabAddressPlan.linkIPv6(member.link, coreSide: true) : LabAddressPlan.linkIPv4(member.link, coreSide: true)
            commands.append("route add \(route) via \(gateway)")
        }
        return commands
    }

    /// Runs `ip -n <namespace> -batch <file>` with these commands, keeping the file for reading.
    private func batch(_ namespace: String, _ commands: [String], name: String, in directory: URL, runner: CommandRunner) throws {
        let file = directory.appendingPathComponent("\(name).ip")
        try (commands.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        try runner.run(.ip, ["-n", namespace, "-batch", file.path])
    }

    /// Writes `/proc/sys/net/<key>` inside the namespace (per-namespace kernel settings).
    private func setKernelOptions(_ namespace: String, _ options: [String: Int], runner: CommandRunner) throws {
        let script = options.sorted { $0.key < $1.key }.map { "echo \($0.value) > /proc/sys/net/\($0.key)" }.joined(separator: " && ")
        try runner.run(.ip, ["netns", "exec", namespace, "/bin/sh", "-c", script])
    }
}
