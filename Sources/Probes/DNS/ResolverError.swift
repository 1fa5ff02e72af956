/// Why a resolver could not be set up, or a resolution could not start. Errors in answering a question are not thrown: they
/// are reported in the ``PeilModel/DNSQueryRecord`` (rcode `SERVFAIL`/`TIMEOUT`/`ERROR`).
public struct ResolverError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure, as a small closed set.
    public enum Code: String, Sendable, Hashable {
        /// The root hints file cannot be read.
        case rootHintsUnreadable
        /// The root hints file has no root NS set, or an NS without any address.
        case rootHintsInvalid
        /// The forwarder is not an IP address (optionally `@port`).
        case forwarderInvalid
        /// A root hint or forwarder address lies outside the allowed upstream networks.
        case upstreamNotAllowed
        /// The trust anchor file cannot be read or holds no DS/DNSKEY record.
        case trustAnchorInvalid
        /// No address family is enabled.
        case noAddressFamily
        /// A timeout or limit that is zero or negative.
        case limitInvalid
        /// libunbound refused an option or could not start.
        case unbound
        /// The resolver's own event loop could not be set up (pipe, thread).
        case eventLoop
        /// A domain or host name that cannot be asked.
        case invalidName
    }

    public var code: Code
    /// Human-readable detail: file names, offending addresses, libunbound's message.
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
