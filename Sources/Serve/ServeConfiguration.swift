import Checks
import Foundation

/// How `peil serve` runs: where it listens, its limits, and how it reads the Public Suffix List.
public struct ServeConfiguration: Sendable {
    /// The address to bind (`127.0.0.1`, `::1`, `0.0.0.0`).
    public var host: String
    /// The port; 0 lets the system choose.
    public var port: Int
    /// The largest request body accepted (a seed list of a few thousand lines fits); larger is 413.
    public var maxBodyBytes: Int
    /// Requests per key: a burst of `rateBurst`, refilled at `ratePerSecond`; beyond is 429.
    public var rateBurst: Double
    public var ratePerSecond: Double
    /// Reads the Public Suffix List when verdicts are judged (the mail authentication rules).
    public var loadSuffixList: @Sendable () throws -> PublicSuffixList
    /// TLS: the certificate chain and the private key (PEM files); nil serves plain HTTP.
    public var tls: (certificateFile: String, keyFile: String)?

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 4 << 20, rateBurst: Double = 60,
                ratePerSecond: Double = 10, loadSuffixList: @escaping @Sendable () throws -> PublicSuffixList) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.rateBurst = rateBurst
        self.ratePerSecond = ratePerSecond
        self.loadSuffixList = loadSuffixList
    }

    /// `http` or `https`, as the server speaks.
    public var scheme: String { tls == nil ? "http" : "https" }

    /// `HOST:PORT`, `[IPV6]:PORT` as `--bind` takes it; nil when it is neither.
    public static func parseBind(_ text: String) -> (host: String, port: Int)? {
        let host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65_535).contains(port) else { return nil }
        return (String(host), port)
    }
}
