import Foundation

extension PeilStore {
    /// Records a new key by the SHA-256 of its secret (64 lowercase hex digits).
    /// - Throws: ``APIKeyError`` for a bad name or hash, or a name an active key has.
    public func createAPIKey(name: String, role: APIRole, tag: TagLimit?, secretSHA256: String) throws -> APIKey {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw APIKeyError.badName(name)
        }
        guard secretSHA256.range(of: "^[0-9a-f]{64}$", options: .regularExpression) != nil else { throw APIKeyError.badSecretHash }
        return try database.transaction { connection in
            let taken = try connection.query("SELECT 1 FROM api_keys WHERE name = \(name) AND revoked_at IS NULL FOR UPDATE").rows
            guard taken.isEmpty else { throw APIKeyError.nameTaken(name) }
            let id: Int64 = try connection.query("""
                INSERT INTO api_keys (name, role, tag_name, tag_value, secret_sha256)
                VALUES (\(name), \(role.rawValue), \(tag?.name), \(tag?.value), \(secretSHA256)) RETURNING id
                """).single().decode("id")
            return try Self.apiKeys(id: id, on: connection)[0]
        }
    }

    /// Revokes the active key named `name`; returns it as it is now.
    /// - Throws: ``APIKeyError/unknownKey(_:)``.
    @discardableResult
    public func revokeAPIKey(name: String) throws -> APIKey {
        try database.transaction { connection in
            guard let id = try connection.query("""
                UPDATE api_keys SET revoked_at = now() WHERE name = \(name) AND revoked_at IS NULL RETURNING id
                """).rows.first?.decode("id", as: Int64.self) else { throw APIKeyError.unknownKey(name) }
            return try Self.apiKeys(id: id, on: connection)[0]
        }
    }

    /// Every key, revoked ones too, by name and id.
    public func apiKeys() throws -> [APIKey] {
        try database.transaction { try Self.apiKeys(on: $0) }
    }

    /// The active (not revoked) key whose secret has this SHA-256, nil when there is none.
    public func activeAPIKey(secretSHA256: String) throws -> APIKey? {
        try database.transaction { try Self.apiKeys(secretSHA256: secretSHA256, on: $0) }.first { $0.revokedAt == nil }
    }

    static func apiKeys(id: Int64? = nil, secretSHA256: String? = nil, on connection: DatabaseConnection) throws -> [APIKey] {
        try connection.query("""
            SELECT id, name, role, tag_name, tag_value, extract(epoch FROM created_at)::float8 AS created_at,
                   extract(epoch FROM revoked_at)::float8 AS revoked_at
            FROM api_keys
            WHERE (\(id)::bigint IS NULL OR id = \(id)) AND (\(secretSHA256)::text IS NULL OR secret_sha256 = \(secretSHA256))
            ORDER BY name, id
            """).rows.map { row in
            let roleName: String = try row.decode("role")
            guard let role = APIRole(rawValue: roleName) else { throw DatabaseError(code: .decoding, message: "unknown API role '\(roleName)'") }
            let tag = try row.decode("tag_name", as: String?.self).map { TagLimit(name: $0, value: try row.decode("tag_value")) }
            return APIKey(id: try row.decode("id"), name: try row.decode("name"), role: role, tag: tag,
                          createdAt: try row.date("created_at"),
                          revokedAt: try row.decode("revoked_at", as: Double?.self).map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Records one write through the API.
    public func recordAudit(keyID: Int64, method: String, path: String, target: String?, status: Int) throws {
        try database.execute("""
            INSERT INTO api_audit (key_id, method, path, target, status)
            VALUES (\(keyID), \(method), \(path), \(target), \(status))
            """)
    }

    /// The newest `limit` audit entries, newest first.
    public func auditEntries(limit: Int = 100) throws -> [AuditEntry] {
        try database.query("""
            SELECT k.name, a.method, a.path, a.target, a.status, extract(epoch FROM a.at)::float8 AS at
            FROM api_audit a JOIN api_keys k ON k.id = a.key_id
            ORDER BY a.id DESC LIMIT \(limit)
            """).rows.map { row in
            AuditEntry(keyName: try row.decode("name"), method: try row.decode("method"), path: try row.decode("path"),
                       target: try row.decode("target", as: String?.self), status: try row.decode("status"), at: try row.date("at"))
        }
    }

    /// The domains some set gives the tag of `limit` with its value: an organisation's own.
    public func domainNames(taggedWith limit: TagLimit) throws -> Set<String> {
        Set(try database.query("""
            SELECT DISTINCT d.name FROM set_members m JOIN domains d ON d.id = m.domain_id
            WHERE m.tags ->> \(limit.name) = \(limit.value)
            """).rows.map { try $0.decode("name", as: String.self) })
    }
}
