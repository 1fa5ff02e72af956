/// A world with its zones indexed, and the records the lab derives for each zone: SOA, apex
/// NS, nameserver addresses, delegations and glue. Zone files and the ground truth both read
/// zone content from here, so they cannot disagree.
struct WorldIndex: Sendable {
    let world: LabWorld
    private let zonesByName: [String: LabZone]
    private let groupsByID: [String: LabServerGroup]
    private let childrenByZone: [String: [LabZone]]
    private let nameserverAddressesByZone: [String: [LabRecord]]

    /// The serial every lab zone carries.
    static let serial = 2021033101
    /// TTL of every record the lab writes.
    static let ttl = 300

    init(_ world: LabWorld) {
        self.world = world
        var zones: [String: LabZone] = [:]
        for zone in world.zones { zones[zone.name] = zone }
        zonesByName = zones
        var groups: [String: LabServerGroup] = [:]
        for group in world.serverGroups { groups[group.id] = group }
        groupsByID = groups

        func containing(_ name: String) -> String? {
            var candidate: String? = name
            while let current = candidate {
                if zones[current] != nil { return current }
                candidate = DNSName.parent(of: current)
            }
            return nil
        }
        var children: [String: [LabZone]] = [:]
        for zone in world.zones where !zone.name.isEmpty {
            if let parent = DNSName.parent(of: zone.name).flatMap(containing) {
                children[parent, default: []].append(zone)
            }
        }
        childrenByZone = children
        var addresses: [String: [LabRecord]] = [:]
        for group in world.serverGroups {
            for nameserver in group.nameservers {
                guard let zone = containing(nameserver.host) else { continue }
                addresses[zone, default: []] += Self.addressRecords(of: nameserver)
            }
        }
        nameserverAddressesByZone = addresses
    }

    func zone(named name: String) -> LabZone? { zonesByName[name] }

    func group(_ id: String) -> LabServerGroup? { groupsByID[id] }

    /// The deepest zone whose apex is `name` or one of its ancestors.
    func zoneContaining(_ name: String) -> LabZone? {
        var candidate: String? = name
        while let current = candidate {
            if let zone = zonesByName[current] { return zone }
            candidate = DNSName.parent(of: current)
        }
        return nil
    }

    /// The zone that delegates to `zone`; nil for the root.
    func parent(of zone: LabZone) -> LabZone? {
        DNSName.parent(of: zone.name).flatMap(zoneContaining)
    }

    /// Zones delegated from `zone`.
    func children(of zone: LabZone) -> [LabZone] { childrenByZone[zone.name] ?? [] }

    /// Zones from the root down to `zone`, root first.
    func chain(to zone: LabZone) -> [LabZone] {
        var path = [zone]
        while let parent = parent(of: path[0]) { path.insert(parent, at: 0) }
        return path
    }

    /// The data the zone is authoritative for: SOA, apex NS, addresses of nameservers whose
    /// names lie in it, and its own records.
    func authoritativeRecords(of zone: LabZone) -> [LabRecord] {
        let nameservers = group(zone.servers)?.nameservers ?? []
        let primary = nameservers.first.map { DNSName.absolute($0.host) } ?? "."
        let contact = zone.name.isEmpty ? "hostmaster." : "hostmaster.\(zone.name)."
        let soa = LabRecord(owner: zone.name, type: "SOA", data: "\(primary) \(contact) \(Self.serial) 3600 600 86400 \(Self.ttl)")
        let apexNS = nameservers.map { LabRecord(owner: zone.name, type: "NS", data: DNSName.absolute($0.host)) }
        return [soa] + apexNS + (nameserverAddressesByZone[zone.name] ?? []) + zone.records
    }

    /// NS records and glue (addresses of nameservers named inside the child) for every zone
    /// delegated from `zone`. DS records are added by the signer, which knows the keys.
    func delegationRecords(of zone: LabZone) -> [LabRecord] {
        children(of: zone).flatMap { child -> [LabRecord] in
            let nameservers = group(child.servers)?.nameservers ?? []
            let ns = nameservers.map { LabRecord(owner: child.name, type: "NS", data: DNSName.absolute($0.host)) }
            let glue = nameservers.filter { DNSName.isAtOrBelow($0.host, child.name) }.flatMap(Self.addressRecords)
            return ns + glue
        }
    }

    /// Records the zone is authoritative for at `name` with this type.
    func records(at name: String, type: String, in zone: LabZone) -> [LabRecord] {
        authoritativeRecords(of: zone).filter { $0.owner == name && $0.type == type }
    }

    /// Whether `name` exists in `zone` (has records, or names below it do: an empty
    /// non-terminal), counting delegation points.
    func nameExists(_ name: String, in zone: LabZone) -> Bool {
        let owners = authoritativeRecords(of: zone).map(\.owner) + children(of: zone).map(\.name)
        return owners.contains { DNSName.isAtOrBelow($0, name) }
    }

    static func addressRecords(of nameserver: LabNameserver) -> [LabRecord] {
        [nameserver.ipv4.map { LabRecord.a(nameserver.host, $0) }, nameserver.ipv6.map { LabRecord.aaaa(nameserver.host, $0) }]
            .compactMap { $0 }
    }
}
