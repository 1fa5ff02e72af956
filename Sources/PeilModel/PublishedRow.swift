/// One row of published results (the government report's `web.csv`/`mail.csv`): a domain's
/// status words for the web or the mail test, as `peil import-results` stores them.
public struct PublishedRow: Codable, Sendable, Hashable {
    /// The domain as ``SeedList`` names it: a web row's `www.` is taken off (`www.x.nl` → `x.nl`).
    public var domain: String
    /// The host the row is about (the web host for web rows).
    public var host: String
    public var test: BulkTest
    public var layer: Layer
    public var formalReaction: Bool
    /// Status by bulk column name within the test (`hsts` → `passed`).
    public var statuses: [String: Status]

    public init(domain: String, host: String, test: BulkTest, layer: Layer, formalReaction: Bool, statuses: [String: Status]) {
        self.domain = domain
        self.host = host
        self.test = test
        self.layer = layer
        self.formalReaction = formalReaction
        self.statuses = statuses
    }
}
