import Foundation
import LabEndpoints
import PeilModel

/// The lab: a stand-in for the measured internet inside network namespaces of its own.
///
/// `up()` builds the namespaces, writes and signs every zone of the world, starts one knotd
/// per server group in `<prefix>-dns` (behind the DNS delay relay when there is an RTT),
/// writes the resolver inputs, and starts the web and mail servers (the endpoint server,
/// nginx, Postfix); `down()` undoes all of it, from the manifest, in any process. The ground
/// truth needs no running lab.
public struct Lab: Sendable {
    public let configuration: LabConfiguration
    public let world: LabWorld
    /// What the endpoint server serves (web and mail platforms); nil: DNS only.
    public let endpoints: EndpointPlan?

    let paths: LabPaths
    let topology: LabTopology
    let runner = CommandRunner()

    /// A lab of `world` (the minimal one unless told) under this configuration.
    /// With `endpoints`, `up` also makes the lab CA and certificates, puts the platforms'
    /// addresses in `<prefix>-web`, publishes real TLSA digests, and starts the endpoint server.
    public init(configuration: LabConfiguration = LabConfiguration(), world: LabWorld = .minimal, endpoints: EndpointPlan? = nil) {
        self.configuration = configuration
        self.world = world
        self.endpoints = endpoints
        paths = LabPaths(configuration.stateDirectory)
        let addresses = world.serverGroups.flatMap(\.nameservers).flatMap(\.answeringAddresses)
        topology = LabTopology(prefix: configuration.prefix, nameserverAddresses: addresses, endpointAddresses: endpoints?.addresses ?? [],
                               refusesUnserved: configuration.refusesUnservedAddresses, hosts: configuration.hosts)
    }

    /// A lab with this prefix and state directory (default `<repo>/var/lab`).
    public init(prefix: String, stateDirectory: URL? = nil, world: LabWorld = .minimal) {
        self.init(configuration: LabConfiguration(prefix: prefix, stateDirectory: stateDirectory), world: world)
    }

    /// Root hints for a resolver: the lab root's NS set with A and AAAA (valid after `up`).
    public var rootHintsFile: URL { paths.rootHints }

    /// The root trust anchor, DS records in zone-file form (valid after `up`; new keys each `up`).
    public var trustAnchorFile: URL { paths.trustAnchor }

    /// `lab.json`, the manifest of what the running lab made.
    public var manifestFile: URL { paths.manifest }

    /// A ready unbound configuration (root hints, trust anchor, `do-ip4`/`do-ip6`) for the
    /// vantage with these families, for `unbound-host -C` or `ub_ctx_config`.
    public func resolverConfigurationFile(for families: Set<AddressFamily>) -> URL {
        let namespace = vantageNamespace(for: families)
        return paths.resolverConfig(String(namespace.dropFirst(configuration.prefix.count + 1)))
    }

    /// The vantage namespace with exactly these families: `<prefix>-v4`, `<prefix>-v6` or
    /// `<prefix>-ds` (dual stack, also for an empty set). Run clients in it with
    /// `ip netns exec <namespace> …`.
    public func vantageNamespace(for families: Set<AddressFamily>) -> String {
        topology.vantage(for: families)
    }

    /// The namespace holding every authoritative server (`<prefix>-dns`).
    public var dnsNamespace: String { "\(configuration.prefix)-dns" }

    /// Every namespace the lab makes, router first.
    public var namespaces: [String] { topology.namespaces }

    /// The hosts `up` makes under this configuration: the coordinator host first, then the
    /// agent hosts; empty unless ``LabConfiguration/hosts`` > 0.
    public var hosts: [LabHost] { topology.hosts }

    /// The hosts of the running lab, from its manifest (whatever configuration brought it up);
    /// empty when it has none or is not up.
    public func recordedHosts() throws -> [LabHost] {
        try LabManifest.load(from: paths)?.hosts ?? []
    }

    /// The ground truth of this lab's world (see ``LabWorld/expectedFacts()``).
    public func expectedFacts() -> [DNSFacts] { world.expectedFacts() }

    /// Checks what `up` and `down` need: root, the programs, a valid configuration and world.
    public func preflight() throws {
        try configuration.validate()
        guard geteuid() == 0 else {
            throw LabError(.notRoot, "the lab makes network namespaces and binds port 53: run it as root")
        }
        for tool in LabTool.required { _ = try tool.path() }
        try world.validate()
        if let endpoints {
            let problems = try realServerProblems(endpoints)
            guard problems.isEmpty else {
                throw LabError(.invalidWorld, "nginx and Postfix cannot serve these platforms as the world says: " + problems.prefix(10).joined(separator: "; "))
            }
        }
    }

    /// Brings the lab up, first tearing down a lab of the same prefix and state directory
    /// that is still there. On failure, whatever was made is taken down again (logs kept in
    /// the state directory) and the error says what failed.
    @discardableResult
    public func up() throws -> LabManifest {
        try preflight()
        try down(keepState: false)
        let vantages = Dictionary(uniqueKeysWithValues: LabTopology.vantages.map { vantage in
            (vantage.families.map(\.rawValue).sorted().joined(separator: "+"), vantageNamespace(for: vantage.families))
        })
        var manifest = LabManifest(prefix: configuration.prefix, paths: paths, vantages: vantages, startedAt: Date())
        manifest.hosts = topology.hosts
        do {
            try manifest.save(to: paths)
            try topology.build(runner: runner, batchDirectory: paths.network) { namespace in
                manifest.namespaces.append(namespace)
                try manifest.save(to: paths)
            }
            let served = try endpoints.map { try prepareEndpoints($0) } ?? world
            let index = WorldIndex(served)
            let signed = try ZoneSigner(index: index, paths: paths, now: Date()).writeAll()
            func record(_ process: LabManifest.Process) throws {
                manifest.processes.append(process)
                try manifest.save(to: paths)
            }
            // Every knotd loads its zones while the next starts; each is recorded once it serves
            // (one that fails before that is still stopped by `down`, which ends every process
            // in the lab's namespaces).
            var servers: [KnotServer] = []
            for (position, group) in world.serverGroups.enumerated() {
                let zones = signed.zones.filter { $0.servers == group.id }
                guard !zones.isEmpty else { continue }
                var server = KnotServer(group: group, zones: zones, directory: paths.knot(group.id), namespace: dnsNamespace)
                server.backendPort = relaysDNS ? Self.backendPort(position) : nil
                try server.launch(runner: runner)
                servers.append(server)
            }
            for server in servers {
                let group = server.group
                let pid = try server.waitUntilServing(runner: runner)
                try record(LabManifest.Process(
                    program: "knotd", role: group.id, pid: pid, namespace: dnsNamespace, configFile: server.configFile.path,
                    logFile: server.logFile.path, addresses: server.backendPort.map { ["127.0.0.1@\($0)"] } ?? server.listenAddresses))
            }
            if relaysDNS { try record(try startDNSRelay()) }
            try ResolverFiles(index: index, paths: paths).write(rootDS: signed.rootDS)
            if let endpoints { try startEndpoints(endpoints, record: record) }
            manifest.complete = true
            try manifest.save(to: paths)
            return manifest
        } catch {
            try? down(keepState: true)
            throw error
        }
    }
}
