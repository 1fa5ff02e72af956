import Foundation

/// One HTTP header field a site sends.
public struct EndpointHeader: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// What a site sends over HTTPS when its plan names no header set: all four security
    /// headers, with good values.
    public static let defaultSecurityHeaders = [
        EndpointHeader("X-Frame-Options", "SAMEORIGIN"), EndpointHeader("X-Content-Type-Options", "nosniff"),
        EndpointHeader("Referrer-Policy", "no-referrer"),
        EndpointHeader("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'"),
    ]
}

/// The security.txt a site serves over HTTPS: at one of the two paths (the other answers 404),
/// or at neither.
public struct EndpointSecurityTxt: Codable, Sendable, Hashable {
    /// `/.well-known/security.txt` or `/security.txt`; nil: 404 at both.
    public var path: String?
    /// The `Content-Type` value.
    public var contentType: String
    /// The text, with ``expiresPlaceholder`` where the `Expires` date goes.
    public var template: String
    /// Days from the moment the text is made (served, or nginx configured) to its `Expires`.
    public var expiresInDays: Int

    /// Stands for the `Expires` date in ``template``.
    public static let expiresPlaceholder = "{expires}"
    /// The two paths clients ask (RFC 9116 §3).
    public static let paths = ["/.well-known/security.txt", "/security.txt"]

    public init(path: String?, contentType: String, template: String, expiresInDays: Int) {
        self.path = path
        self.contentType = contentType
        self.template = template
        self.expiresInDays = expiresInDays
    }

    /// The text as served at `now`: `Expires` ``expiresInDays`` days later, RFC 3339 in UTC.
    public func body(now: Date) -> String {
        let expires = now.addingTimeInterval(Double(expiresInDays) * 86_400)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return template.replacingOccurrences(of: Self.expiresPlaceholder, with: formatter.string(from: expires))
    }
}
