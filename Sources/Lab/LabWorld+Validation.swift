extension LabWorld {
    /// Checks that the world can be served: names well formed, every zone served by a known
    /// group and reachable by delegation from a signed root, no record hidden below a
    /// delegation, every nameserver with an address, every domain inside some zone.
    /// Throws ``LabError`` with code `invalidWorld`, naming every problem found.
    public func validate() throws {
        var problems: [String] = []
        let index = WorldIndex(self)

        var groupIDs = Set<String>()
        var hosts = Set<String>()
        for group in serverGroups {
            if !groupIDs.insert(group.id).inserted { problems.append("server group \(group.id) listed twice") }
            if group.id.isEmpty || !group.id.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) {
                problems.append("server group id '\(group.id)' is not [a-z0-9-]+")
            }
            if group.nameservers.isEmpty { problems.append("server group \(group.id) has no nameserver") }
            for nameserver in group.nameservers {
                if !DNSName.isWellFormed(nameserver.host) || nameserver.host.isEmpty { problems.append("nameserver name '\(nameserver.host)' is malformed") }
                if !hosts.insert(nameserver.host).inserted { problems.append("nameserver \(nameserver.host) is in more than one group") }
                if nameserver.ipv4 == nil && nameserver.ipv6 == nil { problems.append("nameserver \(nameserver.host) has no address") }
                if let address = nameserver.ipv4, !LabAddressPlan.isLabTargetIPv4(address) {
                    problems.append("nameserver \(nameserver.host) address \(address) is outside \(LabAddressPlan.targetIPv4Prefix)")
                }
                if let address = nameserver.ipv6, !LabAddressPlan.isLabTargetIPv6(address) {
                    problems.append("nameserver \(nameserver.host) address \(address) is outside \(LabAddressPlan.targetIPv6Prefix)")
                }
            }
        }

        var zoneNames = Set<String>()
        for zone in zones {
            if !zoneNames.insert(zone.name).inserted { problems.append("zone '\(zone.name)' listed twice") }
            if !DNSName.isWellFormed(zone.name) { problems.append("zone name '\(zone.name)' is malformed") }
            if index.group(zone.servers) == nil { problems.append("zone '\(zone.name)' names unknown server group \(zone.servers)") }
            let children = index.children(of: zone)
            for record in zone.records {
                if !DNSName.isAtOrBelow(record.owner, zone.name) || !DNSName.isWellFormed(record.owner) {
                    problems.append("record \(record.owner) \(record.type) is not a name in zone '\(zone.name)'")
                } else if let child = children.first(where: { DNSName.isAtOrBelow(record.owner, $0.name) }) {
                    problems.append("record \(record.owner) \(record.type) in '\(zone.name)' is hidden by the delegation of \(child.name)")
                }
                // NS may be written: extra apex names, or a delegation the lab does not derive
                // (the hostile world's nameserver that never answers).
                if ["SOA", "DS", "DNSKEY", "RRSIG", "NSEC", "NSEC3"].contains(record.type) {
                    problems.append("record \(record.owner) \(record.type): the lab writes \(record.type) records itself")
                }
            }
        }
        if let root = index.zone(named: "") {
            if root.dnssec != .signed { problems.append("the root zone must be signed (it is the trust anchor)") }
        } else {
            problems.append("no root zone (name \"\")")
        }
        for domain in domains {
            if domain.name.isEmpty || !DNSName.isWellFormed(domain.name) { problems.append("domain '\(domain.name)' is malformed") }
            if domain.webHost.isEmpty || !DNSName.isWellFormed(domain.webHost) { problems.append("web host '\(domain.webHost)' of \(domain.name) is malformed") }
        }
        if Set(domains.map(\.name)).count != domains.count { problems.append("a domain is listed twice") }
        if !problems.isEmpty {
            throw LabError(.invalidWorld, "the lab world is invalid:\n  " + problems.joined(separator: "\n  "))
        }
    }
}
