/// The result of `check_host()` (RFC 7208 §2.6).
public enum SPFResult: String, Sendable, Hashable, Codable, CaseIterable {
    case none, neutral, pass, fail, softfail, temperror, permerror
}

/// What `check_host()` concluded, and why.
public struct SPFOutcome: Sendable, Hashable {
    public var result: SPFResult
    /// The expanded `exp=` text when the result is `fail` and the record gives a usable one.
    public var explanation: String?
    /// Why: the matching term, or what made it an error.
    public var reason: String
    /// DNS-querying terms evaluated (RFC 7208 §4.6.4 allows 10).
    public var lookups: Int
    /// Void lookups (NXDOMAIN or no records; 2 allowed).
    public var voidLookups: Int
}

/// RFC 7208 `check_host()` over an injected resolver: every mechanism and modifier, macros,
/// the 10-lookup and 2-void-lookup limits. Pure apart from the resolver.
public struct SPFEvaluator: Sendable {
    public var resolver: any MailResolver
    /// `%{r}`: the host doing the check.
    public var receiver: String
    /// `%{t}`: seconds since the epoch.
    public var timestamp: Int
    public var lookupLimit: Int
    public var voidLookupLimit: Int

    public init(resolver: any MailResolver, receiver: String = "unknown", timestamp: Int = 0,
                lookupLimit: Int = 10, voidLookupLimit: Int = 2) {
        self.resolver = resolver
        self.receiver = receiver
        self.timestamp = timestamp
        self.lookupLimit = lookupLimit
        self.voidLookupLimit = voidLookupLimit
    }

    /// Evaluates the SPF policy of the MAIL FROM domain (or of the HELO name when `sender` is
    /// empty) for mail from `ip`.
    public func checkHost(ip: IPAddress, sender: String, helo: String) async -> SPFOutcome {
        var local = "postmaster"
        var domain = helo
        if !sender.isEmpty {
            if let at = sender.lastIndex(of: "@") {
                if at != sender.startIndex { local = String(sender[..<at]) }
                domain = String(sender[sender.index(after: at)...])
            } else {
                domain = sender
            }
        }
        let session = SPFSession(evaluator: self, ip: ip.unmapped, local: local, senderDomain: domain, helo: helo)
        let (result, reason, explanation) = await session.checkHost(domain, explain: true)
        return SPFOutcome(result: result, explanation: explanation, reason: reason,
                          lookups: session.lookups, voidLookups: session.voids)
    }

    /// Whether `name` can be queried: labels of 1 to 63 octets, at most 253 in all, and (for
    /// the domain `check_host()` starts from) at least two labels ending in a valid top label.
    static func isQueryable(_ name: String, strict: Bool) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { return false }
        return !strict || (labels.count >= 2 && SPFRecord.isTopLabel(labels[labels.count - 1]))
    }

    /// A target name after macro expansion: trailing dot dropped, then labels removed from the
    /// left until it fits in 253 octets (RFC 7208 §7.3).
    static func targetName(_ expanded: String) -> String {
        var name = expanded.hasSuffix(".") ? String(expanded.dropLast()) : expanded
        while name.utf8.count > 253, let dot = name.firstIndex(of: ".") {
            name = String(name[name.index(after: dot)...])
        }
        return name
    }
}
