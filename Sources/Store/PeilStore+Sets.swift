import Foundation
import PeilModel

extension PeilStore {
    /// Makes `entries` the membership of set `name` (created if new), atomically: either the
    /// whole list replaces the old one or, on any error, the set stays as it was.
    ///
    /// Entries for the same domain are merged first (``SeedList/merge(_:)``). Domains are
    /// shared between sets; what a set says about a domain (layer, organisation, web host, tags)
    /// belongs to that set.
    public func importSet(name: String, entries: [SetEntry]) throws -> ImportSummary {
        let setName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !setName.isEmpty else { throw StoreError.emptySetName }
        let members = try SQLJSON(SeedList.merge(entries).map(MemberRow.init))
        return try database.transaction { connection in
            try Self.replaceMembers(of: setName, with: members, on: connection)
        }
    }

    /// The body of ``importSet(name:entries:)`` inside a caller's transaction.
    static func replaceMembers(of setName: String, with members: SQLJSON, on connection: DatabaseConnection) throws -> ImportSummary {
        let setID: Int64 = try connection.query("""
            INSERT INTO sets (name) VALUES (\(setName))
            ON CONFLICT (name) DO UPDATE SET imported_at = now()
            RETURNING id
            """).single().decode("id")
        let before: Int = try connection.query(
            "SELECT count(*) AS n FROM set_members WHERE set_id = \(setID)").single().decode("n")
        let newDomains = try connection.execute("""
            INSERT INTO domains (name)
            SELECT m.domain FROM jsonb_to_recordset(\(members)::jsonb) AS m(domain text)
            ON CONFLICT (name) DO NOTHING
            """)
        let removed = try connection.execute("""
            DELETE FROM set_members sm USING domains d
            WHERE sm.set_id = \(setID) AND sm.domain_id = d.id
              AND d.name NOT IN (SELECT m.domain FROM jsonb_to_recordset(\(members)::jsonb) AS m(domain text))
            """)
        let after = try connection.execute("""
            INSERT INTO set_members (set_id, domain_id, layer, organisation, web_host, tests_web, tests_mail, tags)
            SELECT \(setID)::bigint, d.id, m.layer, m.organisation, m.web_host, m.tests_web, m.tests_mail, m.tags
            FROM jsonb_to_recordset(\(members)::jsonb)
                 AS m(domain text, layer text, organisation text, web_host text,
                      tests_web boolean, tests_mail boolean, tags jsonb)
            JOIN domains d ON d.name = m.domain
            ON CONFLICT (set_id, domain_id) DO UPDATE
            SET layer = excluded.layer, organisation = excluded.organisation,
                web_host = excluded.web_host, tests_web = excluded.tests_web,
                tests_mail = excluded.tests_mail, tags = excluded.tags
            """)
        return ImportSummary(set: setName, domains: after, added: after - (before - removed),
                             removed: removed, newDomains: newDomains)
    }

    /// Makes `entries` the membership of set `name` inside a caller's transaction.
    static func importSet(name: String, entries: [SetEntry], on connection: DatabaseConnection) throws -> ImportSummary {
        let setName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !setName.isEmpty else { throw StoreError.emptySetName }
        return try replaceMembers(of: setName, with: try SQLJSON(SeedList.merge(entries).map(MemberRow.init)), on: connection)
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

/// A set member as it travels to PostgreSQL inside one JSON parameter.
private struct MemberRow: Encodable {
    var domain: String
    var layer: String?
    var organisation: String?
    var web_host: String?
    var tests_web: Bool
    var tests_mail: Bool
    var tags: [String: String]

    init(_ entry: SetEntry) {
        domain = entry.domain.value
        layer = entry.layer?.rawValue
        organisation = entry.organisation
        web_host = entry.webHost?.value
        tests_web = entry.testsWeb
        tests_mail = entry.testsMail
        tags = entry.tags
    }
}
