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

    /// Writes and signs all zones; returns them and the root's DS records (the trust anchor).
    func writeAll() throws -> (zones: [WrittenZone], rootDS: [String]) {
        for directory in [paths.zones, paths.keys] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        var dsByZone: [String: [String]] = [:]
        var written: [WrittenZone] = []
        let deepestFirst = index.world.zones.sorted {
            (DNSName.depth($0.name), $0.name) > (DNSName.depth($1.name), $1.name)
        }
        for zone in deepestFirst {
            let text = zoneText(zone, childDS: dsByZone)
            let unsignedFile = paths.zoneFile(zone.name, signed: false)
            try text.write(to: unsignedFile, atomically: true, encoding: .utf8)
            guard zone.dnssec.isSigned else {
                written.append(WrittenZone(name: zone.name, servers: zone.servers, file: unsignedFile))
                continue
            }
            let key = try generateKey(for: zone.name)
            let signedFile = paths.zoneFile(zone.name, signed: true)
            let window = zone.dnssec == .bogusExpiredSignatures ? Self.expired : Self.validity
            try runner.run(.signzone, [
                "-i", String(Int(now.timeIntervalSince1970 + window.inception)),
                "-e", String(Int(now.timeIntervalSince1970 + window.expiration)),
                "-o", DNSName.absolute(zone.name), "-f", signedFile.path, unsignedFile.path, key.path,
            ])
            var ds = try delegationSigner(of: zone.name, key: key)
            if zone.dnssec == .bogusDSMismatch { ds = ds.map(Self.corruptingDigest) }
            dsByZone[zone.name] = ds
            written.append(WrittenZone(name: zone.name, servers: zone.servers, file: signedFile))
        }
        return (written.reversed(), dsByZone[""] ?? [])
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
