import CUnbound
import PeilModel

/// libunbound's answer to one question, copied out of its `ub_result` (which is freed at once).
struct UnboundAnswer: Sendable, Hashable {
    var rcode: Int
    var secure: Bool
    var bogus: Bool
    var whyBogus: String?
    var packet: [UInt8]
}

/// How one libunbound lookup ended.
enum UnboundOutcome: Sendable, Hashable {
    case answered(UnboundAnswer)
    /// No answer within the query timeout; the lookup was cancelled.
    case timedOut
    /// libunbound reported an error (its message), or the resolver was shut down.
    case failed(String)
}

/// Creates and configures libunbound contexts. Every option Peil relies on is set here, in
/// one place, and the context is finalised before it is used so configuration errors surface
/// at start-up rather than on the first question.
enum UnboundContextFactory {
    /// A threaded context for `configuration`; `validating: false` gives an iterator-only context
    /// (the equivalent of asking with the CD bit) used to still report the records of a bogus answer.
    static func make(_ configuration: ResolverConfiguration, validating: Bool) throws(ResolverError) -> OpaquePointer {
        _ = BrokenPipes.ignored
        guard let context = ub_ctx_create() else { throw ResolverError(.unbound, "ub_ctx_create failed") }
        do {
            try configure(context, configuration, validating: validating)
            return context
        } catch {
            ub_ctx_delete(context)
            throw error
        }
    }

    private static func configure(_ context: OpaquePointer, _ configuration: ResolverConfiguration, validating: Bool) throws(ResolverError) {
        try check(ub_ctx_async(context, 1), "use threads")
        // Library logging is global in libunbound and would interleave with ours; results carry
        // the reasons (why_bogus) that matter.
        try check(ub_ctx_debugout(context, nil), "silence library log")
        try set(context, "verbosity:", "0")
        // Collect the reason for bogus answers (why_bogus) without logging them.
        try set(context, "val-log-level:", "2")
        try set(context, "do-ip4:", configuration.families.contains(.ipv4) ? "yes" : "no")
        try set(context, "do-ip6:", configuration.families.contains(.ipv6) ? "yes" : "no")
        // A lost try's wait doubles up to this cap (see ResolverConfiguration.serverWait).
        try set(context, "infra-cache-max-rtt:", String(Int(configuration.serverWait / .milliseconds(1))))
        // Loopback is allowed or not by the fence below, like every other address.
        try set(context, "do-not-query-localhost:", "no")
        for network in configuration.upstreamPolicy.deniedNetworks {
            try set(context, "do-not-query-address:", network.description)
        }
        switch configuration.upstream {
        case .rootHints(let file):
            try set(context, "root-hints:", file)
        case .forwarder(let address):
            try check(ub_ctx_set_fwd(context, address), "forwarder \(address)")
        }
        if validating {
            try check(ub_ctx_add_ta_file(context, configuration.trustAnchorFile), "trust anchor \(configuration.trustAnchorFile)")
        } else {
            try set(context, "module-config:", "iterator")
        }
        // Finalise now (the call is documented to finalise the context), so bad root hints or
        // trust anchors are reported here and not as a failed first question.
        try check(ub_ctx_zone_remove(context, "peil-finalise.invalid"), "start (root hints, trust anchor, options)")
    }

    private static func set(_ context: OpaquePointer, _ option: String, _ value: String) throws(ResolverError) {
        try check(ub_ctx_set_option(context, option, value), "option \(option) \(value)")
    }

    private static func check(_ status: Int32, _ what: String) throws(ResolverError) {
        guard status != 0 else { return }
        throw ResolverError(.unbound, "\(what): \(String(cString: ub_strerror(status)))")
    }
}
