import Foundation
import PeilModel

extension PeilStore {
    /// Makes `entries` the membership of set `name` (created if new), atomically: either the
    /// whole list replaces the old one or, on any error, the set stays as it was.
    ///
    /// Entries for the same domain are merged as ``SeedList/merge(_:)`` does. Domains are
    /// shared between sets; what a set says about a domain (layer, organisation, web host, tags)
    /// belongs to that set.
    public func importSet(name: String, entries: [SetEntry]) throws -> ImportSummary {
        try importSet(name: name, streaming: { members in
            for entry in entries { try members.append(entry) }
        })
    }

    /// Makes the entries `feed` appends the membership of set `name`, as
    /// ``importSet(name:entries:)`` does, without holding them: they travel to a staging table
    /// through COPY in blocks while `feed` runs, and are merged there. When `feed` throws (a
    /// list with bad lines), nothing is imported and its error is rethrown.
    public func importSet(name: String, streaming feed: (SetMemberSink) throws -> Void) throws -> ImportSummary {
        let setName = try Self.checkedSetName(name)
        return try database.transaction { connection in
            try Self.replaceMembers(of: setName, on: connection, feed)
        }
    }

    /// Makes `entries` the membership of set `name` inside a caller's transaction.
    static func importSet(name: String, entries: [SetEntry], on connection: DatabaseConnection) throws -> ImportSummary {
        try replaceMembers(of: try checkedSetName(name), on: connection) { members in
            for entry in entries { try members.append(entry) }
        }
    }

    static func checkedSetName(_ name: String) throws -> String {
        let setName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !setName.isEmpty else { throw StoreError.emptySetName }
        return setName
    }

    /// The body of the imports inside a caller's transaction: the entries into
    /// `set_import_staging` (whose rows no other transaction ever sees: they are deleted before
    /// this one ends), then merged per domain (the tests asked for add up; the first layer,
    /// organisation and web host given win, per tag the first value given) into the set.
    static func replaceMembers(of setName: String, on connection: DatabaseConnection, _ feed: (SetMemberSink) throws -> Void) throws -> ImportSummary {
        let members = SetMemberSink(connection: connection)
        try feed(members)
        try members.flush()
        let setID: Int64 = try connection.query("""
            INSERT INTO sets (name) VALUES (\(setName))
            ON CONFLICT (name) DO UPDATE SET imported_at = now()
            RETURNING id
            """).single().decode("id")
        let before: Int = try connection.query(
            "SELECT count(*) AS n FROM set_members WHERE set_id = \(setID)").single().decode("n")
        // In name order (byte order, as Swift sorts the ASCII names), as the list was inserted before.
        let newDomains = try connection.execute("""
            INSERT INTO domains (name)
            SELECT domain FROM (SELECT DISTINCT domain FROM set_import_staging) s ORDER BY domain COLLATE "C"
            ON CONFLICT (name) DO NOTHING
            """)
        let removed = try connection.execute("""
            DELETE FROM set_members sm USING domains d
            WHERE sm.set_id = \(setID) AND sm.domain_id = d.id
              AND NOT EXISTS (SELECT 1 FROM set_import_staging s WHERE s.domain = d.name)
            """)
        let after = try connection.execute("""
            INSERT INTO set_members (set_id, domain_id, layer, organisation, web_host, tests_web, tests_mail, tags)
            SELECT \(setID)::bigint, d.id, m.layer, m.organisation, m.web_host, m.tests_web, m.tests_mail, coalesce(t.tags, '{}'::jsonb)
            FROM (SELECT domain,
                         (array_agg(layer ORDER BY seq) FILTER (WHERE layer IS NOT NULL))[1] AS layer,
                         (array_agg(organisation ORDER BY seq) FILTER (WHERE organisation IS NOT NULL))[1] AS organisation,
                         (array_agg(web_host ORDER BY seq) FILTER (WHERE web_host IS NOT NULL))[1] AS web_host,
                         bool_or(tests_web) AS tests_web, bool_or(tests_mail) AS tests_mail
                  FROM set_import_staging GROUP BY domain) m
            JOIN domains d ON d.name = m.domain
            LEFT JOIN (SELECT domain, jsonb_object_agg(key, value) AS tags
                       FROM (SELECT DISTINCT ON (s.domain, e.key) s.domain, e.key, e.value
                             FROM set_import_staging s, jsonb_each(s.tags) e
                             ORDER BY s.domain, e.key, s.seq) first
                       GROUP BY domain) t ON t.domain = m.domain
            ON CONFLICT (set_id, domain_id) DO UPDATE
            SET layer = excluded.layer, organisation = excluded.organisation,
                web_host = excluded.web_host, tests_web = excluded.tests_web,
                tests_mail = excluded.tests_mail, tags = excluded.tags
            """)
        try connection.execute("DELETE FROM set_import_staging")
        return ImportSummary(set: setName, domains: after, added: after - (before - removed),
                             removed: removed, newDomains: newDomains)
    }

    /// Every set with its domain count, counts per layer and members per tag, by name. With
    /// `limit`, only the members with that tag count, and sets without such members are left out.
    public func listSets(limitedTo limit: TagLimit? = nil) throws -> [SetSummary] {
        let rows = try database.query("""
            SELECT s.name, extract(epoch FROM s.imported_at)::float8 AS imported_at,
                   m.layer, count(m.domain_id) AS domains
            FROM sets s LEFT JOIN set_members m
                 ON m.set_id = s.id AND (\(limit?.name)::text IS NULL OR m.tags ->> \(limit?.name) = \(limit?.value))
            GROUP BY s.name, s.imported_at, m.layer
            ORDER BY s.name
            """).rows
        var summaries: [SetSummary] = []
        for row in rows {
            let name: String = try row.decode("name")
            if summaries.last?.name != name {
                summaries.append(SetSummary(name: name, domains: 0, layers: [:], withoutLayer: 0,
                                            importedAt: try row.date("imported_at")))
            }
            let count: Int = try row.decode("domains")
            guard count > 0 else { continue }
            summaries[summaries.count - 1].domains += count
            if let layerName = try row.decode("layer", as: String?.self) {
                guard let layer = Layer(rawValue: layerName) else {
                    throw DatabaseError(code: .decoding, message: "unknown layer '\(layerName)' in set \(name)")
                }
                summaries[summaries.count - 1].layers[layer] = count
            } else {
                summaries[summaries.count - 1].withoutLayer = count
            }
        }
        let tagged = try database.query("""
            SELECT s.name, t.tag, count(*) AS members
            FROM sets s JOIN set_members m ON m.set_id = s.id, jsonb_object_keys(m.tags) AS t(tag)
            WHERE \(limit?.name)::text IS NULL OR m.tags ->> \(limit?.name) = \(limit?.value)
            GROUP BY s.name, t.tag
            """).rows
        for row in tagged {
            let name: String = try row.decode("name")
            guard let index = summaries.firstIndex(where: { $0.name == name }) else { continue }
            summaries[index].tags[try row.decode("tag")] = try row.decode("members")
        }
        return limit == nil ? summaries : summaries.filter { $0.domains > 0 }
    }
}

/// Takes a set's entries one at a time into `set_import_staging`, a COPY per block of
/// ``blockRows`` rows (each COPY one short statement, however long the list).
public final class SetMemberSink {
    /// Rows held before they are sent.
    static let blockRows = 10_000
    private let connection: DatabaseConnection
    private var pending: [[String?]] = []
    private var sequence = 0

    init(connection: DatabaseConnection) {
        self.connection = connection
        pending.reserveCapacity(Self.blockRows)
    }

    /// Adds one entry; its place in the order decides which of several entries for the same
    /// domain gives the layer, organisation, web host and each tag (the first that does).
    public func append(_ entry: SetEntry) throws {
        sequence += 1
        pending.append(try Self.row(entry, sequence: sequence))
        if pending.count >= Self.blockRows { try flush() }
    }

    /// The staging row of `entry`: sequence, domain, layer, organisation, web host, the two
    /// tests, and the tags as a JSON object.
    static func row(_ entry: SetEntry, sequence: Int) throws -> [String?] {
        [String(sequence), entry.domain.value, entry.layer?.rawValue, entry.organisation, entry.webHost?.value,
         entry.testsWeb ? "t" : "f", entry.testsMail ? "t" : "f", try SQLJSON(entry.tags).text]
    }

    func flush() throws {
        guard !pending.isEmpty else { return }
        try connection.copyIn("""
            COPY set_import_staging (seq, domain, layer, organisation, web_host, tests_web, tests_mail, tags) FROM STDIN
            """) { writer in
            for row in pending { try writer.append(row: row) }
        }
        pending.removeAll(keepingCapacity: true)
    }
}
