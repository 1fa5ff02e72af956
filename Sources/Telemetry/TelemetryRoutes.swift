/// What the metrics endpoint answers, without any I/O: `GET /metrics` (Prometheus text format)
/// and `GET /health`; everything else is 404, and a method other than GET or HEAD is 405.
public struct TelemetryRoutes: Sendable {
    /// A response: status, content type and body.
    public struct Response: Sendable, Equatable {
        /// The HTTP status code.
        public var status: Int
        /// The `Content-Type` header's value.
        public var contentType: String
        /// The body, sent with a `Content-Length` (none for HEAD).
        public var body: [UInt8]
    }

    /// The content type of Prometheus's text exposition format.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    private let metrics: @Sendable () -> [UInt8]
    private let health: @Sendable () -> Health

    /// `metrics` renders the Prometheus text; `health` gives the current health. Both are called
    /// on the listener's event loop, per request.
    public init(metrics: @escaping @Sendable () -> [UInt8], health: @escaping @Sendable () -> Health) {
        self.metrics = metrics
        self.health = health
    }

    /// The answer to `method` on `uri` (a query string is ignored).
    public func answer(method: String, uri: String) -> Response {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        guard path == "/metrics" || path == "/health" else { return Self.text(404, "not found\n") }
        guard method == "GET" || method == "HEAD" else { return Self.text(405, "only GET\n") }
        if path == "/metrics" {
            return Response(status: 200, contentType: Self.prometheusContentType, body: metrics())
        }
        let health = health()
        return Response(status: health.httpStatus, contentType: "application/json", body: Array((health.json + "\n").utf8))
    }

    static func text(_ status: Int, _ body: String) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }
}
