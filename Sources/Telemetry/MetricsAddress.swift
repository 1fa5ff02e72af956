import Foundation

/// Where a metrics endpoint listens: a literal IPv4 or IPv6 address and a port, written
/// `127.0.0.1:9464` or `[::1]:9464`. Host names are refused, so binding never resolves a name
/// and the endpoint listens on exactly the address given.
public struct MetricsAddress: Sendable, Hashable, CustomStringConvertible {
    /// The literal address, without brackets.
    public let host: String
    public let port: Int

    /// Parses `ADDRESS:PORT`; nil unless the address is a literal IP and the port is 1–65535.
    public init?(_ text: String) {
        let host: Substring, port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard Self.isIPv6(String(host)) else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard Self.isIPv4(String(host)) else { return nil }
        }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ ("0"..."9").contains($0) }),
              let number = Int(port), (1...65_535).contains(number) else { return nil }
        self.host = String(host)
        self.port = number
    }

    /// `ADDRESS:PORT`, an IPv6 address in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    private static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
