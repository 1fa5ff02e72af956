import ArgumentParser
import Checks
import PeilModel
import Probes

/// Optional resolver options for `lint`: without `--root-hints` or `--forwarder` nothing is
/// looked up. The same options as ``ResolverOptions``, with the trust anchor optional.
struct LintResolverOptions: ParsableArguments {
    @Option(help: "Root hints file: follow includes and check report destinations by full recursion.")
    var rootHints: String?

    @Option(help: "Or: a recursive resolver to forward to, ADDRESS or ADDRESS@PORT.")
    var forwarder: String?

    @Option(help: "Trust anchor file (needed with --root-hints or --forwarder).")
    var trustAnchor: String?

    @Option(name: .customLong("query-timeout"), help: "Seconds one DNS question may take.")
    var timeout: Double = 10

    @Flag(help: "Let the resolver query any public address (no special-purpose address). Without it, only loopback and the lab ranges.")
    var anyUpstream = false

    func validate() throws {
        guard rootHints == nil || forwarder == nil else { throw ValidationError("give at most one of --root-hints and --forwarder") }
        if rootHints != nil || forwarder != nil, trustAnchor == nil {
            throw ValidationError("--trust-anchor is needed with --root-hints or --forwarder")
        }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--query-timeout must be between 0 and 300 seconds") }
    }

    /// The resolver, or nil when none was asked for.
    func makeResolver() throws -> LintResolver? {
        guard let trustAnchor, rootHints != nil || forwarder != nil else { return nil }
        return LintResolver(try ValidatingResolver(ResolverOptions.configuration(
            rootHints: rootHints, forwarder: forwarder, trustAnchor: trustAnchor,
            timeout: timeout, anyUpstream: anyUpstream, families: [.ipv4, .ipv6])))
    }
}

/// The mail checks' resolver seam over Peil's validating resolver.
struct LintResolver: MailResolver {
    let resolver: ValidatingResolver

    init(_ resolver: ValidatingResolver) { self.resolver = resolver }

    func lookup(_ name: String, _ type: MailRecordType) async -> MailDNSAnswer {
        let recordType: DNSRecordType
        switch type {
        case .txt: recordType = .txt
        case .a: recordType = .a
        case .aaaa: recordType = .aaaa
        case .mx: recordType = .mx
        case .ptr: return .failure("PTR is not asked by Peil's resolver")
        }
        return MailDNSAnswer(await resolver.ask(name, recordType))
    }

    func shutdown() { resolver.shutdown() }
}
