import PeilModel

/// Internet.nl's two RPKI subtests for one kind of server (web servers, mail servers, the
/// domain's nameservers): whether a ROA covers every address ("exists") and whether every route
/// to them is valid ("valid"). Semantics of Internet.nl's `checks/tasks/rpki.py`
/// (`generate_roa_existence_report`, `generate_validity_report`) and `checks/categories.py`
/// (`RpkiExists`, `RpkiValid`), with a snapshot of ROAs and routes in place of Routinator and
/// Team Cymru:
///
/// - exists: no addresses → `not_tested`; an address without a ROA covering it or a route to
///   it → `warning` (Internet.nl's notice: the subtest stays informational); else `passed`.
/// - valid: no addresses → `not_tested`; any invalid route → `failed`; any route not found →
///   `failed`; every address unrouted → `not_tested` ("not routed"); else `passed` (an unrouted
///   address beside valid routes does not fail it).
public enum RPKISubtests {
    /// One server and its addresses, e.g. `www.example.nl` with its A and AAAA.
    public struct Host: Sendable, Hashable {
        public var name: String
        public var addresses: [String]

        public init(name: String, addresses: [String]) {
            self.name = name
            self.addresses = addresses
        }
    }

    /// The two cells for `hosts`; without a snapshot, both `not_tested` saying so.
    public static func evaluate(_ hosts: [Host], snapshot: RPKISnapshot?) -> (exists: StatusCell, valid: StatusCell) {
        guard let snapshot else {
            let cell = StatusCell(.notTested, "no RPKI data for this measurement (ROAs and origin table not given)")
            return (cell, cell)
        }
        let addressed = hosts.flatMap { host in host.addresses.map { (host: host.name, address: $0) } }
        if addressed.isEmpty {
            let cell = StatusCell(.notTested, "no addresses")
            return (cell, cell)
        }
        return (exists(addressed, snapshot), valid(addressed, snapshot))
    }

    static func exists(_ addressed: [(host: String, address: String)], _ snapshot: RPKISnapshot) -> StatusCell {
        var rows: [String] = []
        var missing = 0
        for (host, address) in addressed {
            let covered = isCovered(address, snapshot)
            if !covered { missing += 1 }
            rows.append("\(host) \(address): ROA \(covered ? "yes" : "no")")
        }
        return StatusCell(missing == 0 ? .passed : .warning, rows.joined(separator: "; "))
    }

    /// Whether a ROA covers one of the routes to `address`, or (unrouted) the address itself.
    static func isCovered(_ address: String, _ snapshot: RPKISnapshot) -> Bool {
        guard let octets = IPNetwork.parseAddress(address) else { return false }
        let routes = snapshot.routes(containing: octets)
        if routes.isEmpty, let host = IPNetwork(octets: octets, prefixLength: octets.count * 8) {
            return !snapshot.roas(covering: host).isEmpty
        }
        return routes.contains { !snapshot.roas(covering: $0.prefix).isEmpty }
    }

    static func valid(_ addressed: [(host: String, address: String)], _ snapshot: RPKISnapshot) -> StatusCell {
        var rows: [String] = []
        var invalid = 0, notFound = 0, unrouted = 0, count = 0
        var shown: Set<String> = []
        for (host, address) in addressed {
            let routes = IPNetwork.parseAddress(address).map { snapshot.routes(containing: $0) } ?? []
            if routes.isEmpty {
                count += 1
                unrouted += 1
                rows.append("\(host) \(address): not routed")
                continue
            }
            for route in routes where shown.insert("\(host) \(route.prefix) \(route.origin)").inserted {
                count += 1
                let state = RouteOriginValidation.validate(route, in: snapshot)
                switch state {
                case .valid: break
                case .invalid: invalid += 1
                case .notFound: notFound += 1
                }
                rows.append("\(host) \(route.prefix) AS\(route.origin): \(state)")
            }
        }
        let evidence = rows.joined(separator: "; ")
        if invalid > 0 { return StatusCell(.failed, evidence) }
        if notFound > 0 { return StatusCell(.failed, evidence) }
        if unrouted == count { return StatusCell(.notTested, "not routed: " + evidence) }
        return StatusCell(.passed, evidence)
    }
}
