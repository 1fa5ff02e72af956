import Foundation

/// Writes every zone of a world to a zone file and signs the signed ones with libldns in process
/// (``LDNSSigning``: what `ldns-keygen`, `ldns-signzone` and `ldns-key2ds` did as processes until
/// session 21), children before parents so that each parent carries its children's DS records.
/// Broken variants are made on purpose: expired signature dates, or a DS whose digest matches no
/// key.
struct ZoneSigner {
    let index: WorldIndex
    let paths: LabPaths
    let now: Date

    /// A zone as written, ready to be served.
    struct WrittenZone: Sendable {
        let name: String
        let servers: String
        /// The file knotd loads (the signed one for signed zones).
        let file: URL
    }

    /// Valid signatures: from a day ago for a year.
    static let validity: (inception: TimeInterval, expiration: TimeInterval) = (-86_400, 365 * 86_400)
    /// Expired signatures: made 60 days ago, expired 30 days ago.
    static let expired: (inception: TimeInterval, expiration: TimeInterval) = (-60 * 86_400, -30 * 86_400)

    /// How many zones are signed at once (signing is CPU work now).
    static var parallelJobs: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    /// Writes and signs all zones, deepest first and a depth level in parallel; returns them
    /// and the root's DS records (the trust anchor).
    func writeAll() throws -> (zones: [WrittenZone], rootDS: [String]) {
        try FileManager.default.createDirectory(at: paths.zones, withIntermediateDirectories: true)
        let results = SigningResults()
        let sharedKeys = try makeSharedKeys()
        let levels = Dictionary(grouping: index.world.zones) { DNSName.depth($0.name) }
        for depth in levels.keys.sorted(by: >) {
            let zones = levels[depth]!.sorted { $0.name < $1.name }
            let childDS = results.delegationSigners()
            let next = Counter()
            DispatchQueue.concurrentPerform(iterations: Self.parallelJobs) { _ in
                while let position = next.take(below: zones.count), !results.failed {
                    do {
                        let (written, ds) = try write(zones[position], childDS: childDS, sharedKeys: sharedKeys)
                        results.add(written, ds: ds, for: zones[position].name)
                    } catch {
                        results.fail(error)
                    }
                }
            }
            if let error = results.error { throw error }
        }
        let written = results.written.sorted { (DNSName.depth($0.name), $0.name) < (DNSName.depth($1.name), $1.name) }
        return (written, results.delegationSigners()[""] ?? [])
    }

    /// Writes one zone and signs it if it is signed; returns it and its DS records.
    private func write(_ zone: LabZone, childDS: [String: [String]], sharedKeys: [String: LDNSSigning.Key]) throws -> (WrittenZone, [String]?) {
        let unsignedFile = paths.zoneFile(zone.name, signed: false)
        let text = zoneText(zone, childDS: childDS)
        try text.write(to: unsignedFile, atomically: true, encoding: .utf8)
        guard zone.dnssec.isSigned else { return (WrittenZone(name: zone.name, servers: zone.servers, file: unsignedFile), nil) }
        // A shared key (one provider signing many zones) signs each zone under that zone's own
        // name: the DNSKEY's owner is the zone, and the DS digest covers the owner.
        let key = try zone.signingKey.flatMap { sharedKeys[$0] } ?? LDNSSigning.generateKey()
        let window = zone.dnssec == .bogusExpiredSignatures ? Self.expired : Self.validity
        let signed = try LDNSSigning.sign(zoneText: text, origin: zone.name, key: key, ttl: UInt32(WorldIndex.ttl),
                                          inception: UInt32(now.timeIntervalSince1970 + window.inception),
                                          expiration: UInt32(now.timeIntervalSince1970 + window.expiration))
        let signedFile = paths.zoneFile(zone.name, signed: true)
        try signed.zone.write(to: signedFile, atomically: true, encoding: .utf8)
        let ds = zone.dnssec == .bogusDSMismatch ? Self.corruptingDigest(signed.ds) : signed.ds
        return (WrittenZone(name: zone.name, servers: zone.servers, file: signedFile), [ds])
    }

    /// One key per shared signing-key name.
    private func makeSharedKeys() throws -> [String: LDNSSigning.Key] {
        var keys: [String: LDNSSigning.Key] = [:]
        for name in Set(index.world.zones.compactMap(\.signingKey)).sorted() {
            keys[name] = try LDNSSigning.generateKey()
        }
        return keys
    }

    /// Zone file text: authoritative data, delegations with glue, and DS for children that
    /// publish one.
    func zoneText(_ zone: LabZone, childDS: [String: [String]]) -> String {
        var lines = ["$ORIGIN \(DNSName.absolute(zone.name))", "$TTL \(WorldIndex.ttl)"]
        let records = index.authoritativeRecords(of: zone) + index.delegationRecords(of: zone)
        lines += records.map { "\(DNSName.absolute($0.owner))\t\(WorldIndex.ttl)\tIN\t\($0.type)\t\($0.data)" }
        for child in index.children(of: zone) where child.dnssec.hasDS {
            lines += (childDS[child.name] ?? []).map { "\(DNSName.absolute(child.name))\t\(WorldIndex.ttl)\tIN\tDS\t\($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same DS with its digest's last hex digit changed, so it matches no key.
    static func corruptingDigest(_ ds: String) -> String {
        guard let last = ds.last else { return ds }
        return String(ds.dropLast()) + (last == "0" ? "1" : "0")
    }
}

/// What the parallel signing jobs produce, behind a lock.
private final class SigningResults: @unchecked Sendable {
    private let lock = NSLock()
    private var zones: [ZoneSigner.WrittenZone] = []
    private var signers: [String: [String]] = [:]
    private var firstError: Error?

    func add(_ zone: ZoneSigner.WrittenZone, ds: [String]?, for name: String) {
        lock.withLock {
            zones.append(zone)
            if let ds { signers[name] = ds }
        }
    }

    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }

    var failed: Bool { lock.withLock { firstError != nil } }
    var error: Error? { lock.withLock { firstError } }
    var written: [ZoneSigner.WrittenZone] { lock.withLock { zones } }
    func delegationSigners() -> [String: [String]] { lock.withLock { signers } }
}

/// Hands out 0, 1, 2, … to parallel workers.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below limit: Int) -> Int? {
        lock.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}
