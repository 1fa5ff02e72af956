import Foundation

/// Writes every zone of a world to a zone file and signs the signed ones with the real ldns
/// tools (`ldns-keygen`, `ldns-signzone`, `ldns-key2ds`), children before parents so that each
/// parent carries its children's DS records. Broken variants are made on purpose: expired
/// signature dates, or a DS whose digest matches no key.
struct ZoneSigner {
    let index: WorldIndex
    let paths: LabPaths
    let runner: CommandRunner
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

    /// How many signing jobs run at once (each mostly waits for an ldns tool).
    static let parallelJobs = 3

    /// Writes and signs all zones, deepest first and a depth level in parallel; returns them
    /// and the root's DS records (the trust anchor).
    func writeAll() throws -> (zones: [WrittenZone], rootDS: [String]) {
        for directory in [paths.zones, paths.keys] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
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
    private func write(_ zone: LabZone, childDS: [String: [String]], sharedKeys: [String: URL]) throws -> (WrittenZone, [String]?) {
        let unsignedFile = paths.zoneFile(zone.name, signed: false)
        try zoneText(zone, childDS: childDS).write(to: unsignedFile, atomically: true, encoding: .utf8)
        guard zone.dnssec.isSigned else { return (WrittenZone(name: zone.name, servers: zone.servers, file: unsignedFile), nil) }
        let key = try zone.signingKey.flatMap { sharedKeys[$0] }.map { try copyKey($0, for: zone.name) } ?? generateKey(for: zone.name)
        let signedFile = paths.zoneFile(zone.name, signed: true)
        let window = zone.dnssec == .bogusExpiredSignatures ? Self.expired : Self.validity
        try runner.run(.signzone, [
            "-i", String(Int(now.timeIntervalSince1970 + window.inception)),
            "-e", String(Int(now.timeIntervalSince1970 + window.expiration)),
            "-o", DNSName.absolute(zone.name), "-f", signedFile.path, unsignedFile.path, key.path,
        ])
        var ds = try delegationSigner(of: zone.name, key: key)
        if zone.dnssec == .bogusDSMismatch { ds = ds.map(Self.corruptingDigest) }
        return (WrittenZone(name: zone.name, servers: zone.servers, file: signedFile), ds)
    }

    /// One key per shared signing-key name, made in parallel.
    private func makeSharedKeys() throws -> [String: URL] {
        let names = Array(Set(index.world.zones.compactMap(\.signingKey))).sorted()
        let keys = SigningResults()
        DispatchQueue.concurrentPerform(iterations: names.count) { position in
            do {
                keys.addKey(try generateKey(for: "key-\(names[position]).lab"), for: names[position])
            } catch {
                keys.fail(error)
            }
        }
        if let error = keys.error { throw error }
        return keys.keys
    }

    /// The shared key's files under the zone's own name: ldns-signzone wants the DNSKEY's owner
    /// to be the zone, and the DS digest covers the owner.
    private func copyKey(_ shared: URL, for zone: String) throws -> URL {
        let base = paths.keys.appendingPathComponent("K\(zone.isEmpty ? "root" : zone).shared")
        let text = try String(contentsOf: URL(fileURLWithPath: shared.path + ".key"), encoding: .utf8)
        let record = text.split(separator: "\n").first { $0.contains("DNSKEY") }.map(String.init) ?? text
        let fields = record.split(separator: "\t", maxSplits: 1)
        guard fields.count == 2 else { throw LabError(.commandFailed, "unreadable key file \(shared.path).key") }
        try "\(DNSName.absolute(zone))\t\(fields[1])\n".write(to: URL(fileURLWithPath: base.path + ".key"), atomically: true, encoding: .utf8)
        let privateFile = URL(fileURLWithPath: base.path + ".private")
        try? FileManager.default.removeItem(at: privateFile)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: shared.path + ".private"), to: privateFile)
        return base
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

    /// Makes one ECDSA P-256 key with the SEP flag that signs the whole zone; returns the key's
    /// base path (without `.key` / `.private`).
    private func generateKey(for zone: String) throws -> URL {
        let output = try runner.run(.keygen, ["-a", "ECDSAP256SHA256", "-k", DNSName.absolute(zone)], in: paths.keys)
        let base = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard base.hasPrefix("K"), !base.contains("/") else {
            throw LabError(.commandFailed, "ldns-keygen for \(DNSName.absolute(zone)) printed no key name: \(output.standardOutput)")
        }
        return paths.keys.appendingPathComponent(base)
    }

    /// DS record data (`keytag algorithm 2 digest`) for the key, SHA-256, from `ldns-key2ds`.
    private func delegationSigner(of zone: String, key: URL) throws -> [String] {
        let output = try runner.run(.key2ds, ["-n", "-2", key.path + ".key"])
        let records = output.standardOutput.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let type = fields.firstIndex(of: "DS"), fields.count >= type + 5 else { return nil }
            return fields[(type + 1)...].joined(separator: " ")
        }
        guard !records.isEmpty else {
            throw LabError(.commandFailed, "ldns-key2ds printed no DS for \(DNSName.absolute(zone)): \(output.standardOutput)")
        }
        return records
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
    private var sharedKeys: [String: URL] = [:]
    private var firstError: Error?

    func add(_ zone: ZoneSigner.WrittenZone, ds: [String]?, for name: String) {
        lock.withLock {
            zones.append(zone)
            if let ds { signers[name] = ds }
        }
    }

    func addKey(_ key: URL, for name: String) { lock.withLock { sharedKeys[name] = key } }

    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }

    var failed: Bool { lock.withLock { firstError != nil } }
    var error: Error? { lock.withLock { firstError } }
    var written: [ZoneSigner.WrittenZone] { lock.withLock { zones } }
    var keys: [String: URL] { lock.withLock { sharedKeys } }
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
