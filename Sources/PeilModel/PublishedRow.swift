/// One row of published results (the government report's `web.csv`/`mail.csv`): a domain's
/// status words for the web or the mail test, as `peil import-results` stores them.
public struct PublishedRow: Codable, Sendable, Hashable {
    /// The domain as ``SeedList`` names it: a web row's `www.` is taken off (`www.x.nl` → `x.nl`).
    public var domain: String
    /// The host the row is about (the web host for web rows).
    public var host: String
    /// `web` or `mail`.
    public var test: String
    public var layer: Layer
    public var formalReaction: Bool
    /// Status word by bulk column name (`hsts` → `passed`).
    public var statuses: [String: String]

    public init(domain: String, host: String, test: String, layer: Layer, formalReaction: Bool, statuses: [String: String]) {
        self.domain = domain
        self.host = host
        self.test = test
        self.layer = layer
        self.formalReaction = formalReaction
        self.statuses = statuses
    }
}
