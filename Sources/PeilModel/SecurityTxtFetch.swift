/// What a `web` task fetched of security.txt (RFC 9116) over HTTPS at one address, in the order
/// of Internet.nl's `checks/tasks/securitytxt.py`: `GET /.well-known/security.txt`, then
/// `GET /security.txt` when the first answered, but not 200. Same address, the web host as
/// Host and SNI; redirects are not followed (Internet.nl follows them: a 3xx is not judged).
public struct SecurityTxtFetch: Codable, Sendable, Hashable {
    /// The exchanges in order: the well-known path first, the legacy path second when asked.
    public var exchanges: [HTTPExchange]
    /// The body of the last exchange when it answered 200: its first ``maxBodyBytes`` bytes
    /// decoded as UTF-8 (invalid bytes replaced); nil for any other status.
    public var body: String?
    /// Whether the body went on past ``maxBodyBytes`` (only the first part is kept and judged,
    /// as Internet.nl judges the first 100 KiB).
    public var bodyTruncated: Bool
    /// When the fetch was made (seconds since 1970): the moment `Expires` is judged against.
    public var fetchedAt: Int64

    /// Internet.nl's `SECURITYTXT_MAX_LENGTH`.
    public static let maxBodyBytes = 100 * 1024
    public static let wellKnownPath = "/.well-known/security.txt"
    public static let legacyPath = "/security.txt"

    public init(exchanges: [HTTPExchange], body: String? = nil, bodyTruncated: Bool = false, fetchedAt: Int64) {
        self.exchanges = exchanges
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.fetchedAt = fetchedAt
    }
}
