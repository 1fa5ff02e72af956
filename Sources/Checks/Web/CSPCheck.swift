/// The Content-Security-Policy subtest (`http_csp`, optional), following Internet.nl's
/// `HeaderCheckerContentSecurityPolicy` (checks/tasks/http_headers.py).
///
/// Policies are the comma-separated items of the joined field values; directives are split on
/// `;`, tokens on whitespace; directive names are matched case-sensitively against the known
/// list and unknown ones are ignored, as are tokens a directive does not accept. Directives
/// repeated across policies accumulate. Any problem gives a warning with one finding per
/// problem, using Internet.nl's message ids.
public enum CSPCheck {
    public static let name = "http_csp"

    struct Directive {
        let kinds: CSPSourceKinds
        /// Directives whose sources apply when this one is absent, in order.
        let fallbacks: [String]
        /// Whether the directive is kept when it has no value.
        let emptyAllowed: Bool
        /// Non-source values (media types, sandbox flags, report groups, trusted types).
        let freeForm: Bool

        init(_ kinds: CSPSourceKinds, fallbacks: [String] = [], emptyAllowed: Bool = false, freeForm: Bool = false) {
            self.kinds = kinds
            self.fallbacks = fallbacks
            self.emptyAllowed = emptyAllowed
            self.freeForm = freeForm
        }
    }

    static let directives: [String: Directive] = [
        "child-src": Directive(.script, fallbacks: ["default-src"]),
        "connect-src": Directive(.fetch, fallbacks: ["default-src"]),
        "default-src": Directive(.fetch),
        "font-src": Directive(.fetch, fallbacks: ["default-src"]),
        "frame-src": Directive(.fetch, fallbacks: ["child-src", "default-src"]),
        "img-src": Directive(.script, fallbacks: ["default-src"]),
        "manifest-src": Directive(.fetch, fallbacks: ["default-src"]),
        "media-src": Directive(.fetch, fallbacks: ["default-src"]),
        "object-src": Directive(.fetch, fallbacks: ["default-src"]),
        "prefetch-src": Directive(.fetch, fallbacks: ["default-src"]),
        "script-src": Directive(.script, fallbacks: ["default-src"]),
        "script-src-elem": Directive(.script, fallbacks: ["script-src", "default-src"]),
        "script-src-attr": Directive(.script, fallbacks: ["script-src", "default-src"]),
        "style-src": Directive(.fetch, fallbacks: ["default-src"]),
        "style-src-elem": Directive([.fetch, .reportSample], fallbacks: ["style-src", "default-src"]),
        "style-src-attr": Directive([.fetch, .reportSample], fallbacks: ["style-src", "default-src"]),
        "worker-src": Directive(.fetch, fallbacks: ["child-src", "script-src", "default-src"]),
        "base-uri": Directive(.script),
        "plugin-types": Directive([], freeForm: true),
        "sandbox": Directive([], emptyAllowed: true, freeForm: true),
        "form-action": Directive(.script),
        "frame-ancestors": Directive([.host, .scheme, .selfOrNoneExact]),
        "navigate-to": Directive(.script),
        "report-to": Directive([], freeForm: true),
        "block-all-mixed-content": Directive([], emptyAllowed: true),
        "trusted-types": Directive([], emptyAllowed: true, freeForm: true),
        "upgrade-insecure-requests": Directive([], emptyAllowed: true),
    ]

    /// The parsed policy: for each known directive present, its accepted sources in order.
    public typealias ParsedPolicy = [String: [CSPSource]]

    /// Parses the joined header the way Internet.nl does.
    public static func parse(_ headerValues: [String]) -> ParsedPolicy {
        var parsed: ParsedPolicy = [:]
        for policy in SecurityHeaders.items(headerValues) {
            for part in policy.split(separator: ";") {
                let tokens = part.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" }).map(String.init)
                guard let name = tokens.first, let directive = directives[name] else { continue }
                let values = tokens.dropFirst()
                if values.isEmpty {
                    if directive.emptyAllowed || (directive.kinds.isEmpty && !directive.freeForm) {
                        parsed[name, default: []] += []
                    }
                    continue
                }
                if directive.freeForm {
                    parsed[name, default: []] += freeFormValues(name, Array(values))
                    continue
                }
                for token in values {
                    if let source = CSPSource.classify(token, kinds: directive.kinds) {
                        parsed[name, default: []].append(source)
                    }
                }
            }
        }
        return parsed
    }

    private static func freeFormValues(_ name: String, _ values: [String]) -> [CSPSource] {
        switch name {
        case "plugin-types":
            return values.filter { token in
                let parts = token.split(separator: "/", omittingEmptySubsequences: false)
                return parts.count >= 2 && !parts[0].isEmpty && !parts[1].isEmpty
            }.map { .other($0) }
        case "sandbox":
            let flags = ["allow-downloads-without-user-activation", "allow-forms", "allow-modals", "allow-orientation-lock",
                         "allow-pointer-lock", "allow-popups", "allow-popups-to-escape-sandbox", "allow-presentation",
                         "allow-same-origin", "allow-scripts", "allow-storage-access-by-user-activation",
                         "allow-top-navigation", "allow-top-navigation-by-user-activation"]
            return values.filter { v in flags.contains { v.hasPrefix($0) } }.map { .other($0) }
        default:
            return [.other(values.joined(separator: " "))]
        }
    }

    /// Sources of the given directives, each replaced by its first present fallback when absent;
    /// with nil, every parsed directive.
    static func sources(_ parsed: ParsedPolicy, _ names: [String]? = nil) -> [CSPSource] {
        guard let names else { return parsed.keys.sorted().flatMap { parsed[$0] ?? [] } }
        var result: [CSPSource] = []
        for name in names {
            if let own = parsed[name] {
                result += own
            } else if let fallback = directives[name]?.fallbacks.first(where: { parsed[$0] != nil }) {
                result += parsed[fallback] ?? []
            }
        }
        return result
    }

    /// The problems Internet.nl reports, in its order, as message ids.
    public static func problems(_ parsed: ParsedPolicy, host: String) -> [String] {
        let all = sources(parsed)
        func any(_ list: [CSPSource], _ test: (CSPSource) -> Bool) -> Bool { list.contains(where: test) }
        var out: [String] = []
        if any(all, { $0 == .unsafeInline }) { out.append("has-unsafe-inline") }
        if any(all, { $0 == .unsafeEval }) { out.append("has-unsafe-eval") }
        if any(all, {
            if case .host(let scheme?, _) = $0, scheme == "http" || scheme == "*" { return true }
            return $0 == .scheme("http")
        }) { out.append("has-http") }
        if any(all, { $0 == .scheme("https") }) { out.append("has-bare-https") }
        if any(all, { if case .host(nil, _) = $0 { return true }; return false }) { out.append("has-host-without-scheme") }
        if any(sources(parsed, ["object-src", "script-src"]), { $0 == .scheme("data") }) { out.append("has-data") }
        if any(all, { if case .host(_, let h) = $0 { return h == "*" || h == "127.0.0.1" }; return false }) {
            out.append("has-invalid-host")
        }
        if any(all, { $0 == .unsafeHashes }) { out.append("has-unsafe-hashes") }
        let selfNoneOrHost: (CSPSource) -> Bool = {
            if case .host = $0 { return true }
            return $0 == .selfKeyword || $0 == .none
        }
        let defaultOK = selfOrSimilar(parsed["default-src"] ?? [], host: host)
        if !defaultOK { out.append("missing-invalid-default-src") }
        if !defaultOK && !any(sources(parsed, ["frame-src"]), selfNoneOrHost) { out.append("missing-invalid-frame-src") }
        if !any(parsed["frame-ancestors"] ?? [], { $0 == .selfKeyword || $0 == .none }) {
            out.append("missing-invalid-frame-ancestors")
        }
        if !selfOrSimilar(parsed["base-uri"] ?? [], host: host) { out.append("missing-invalid-base-uri") }
        if !any(parsed["form-action"] ?? [], selfNoneOrHost) { out.append("missing-invalid-form-action") }
        return out
    }

    /// `'none'` alone, or `'self'` with only hosts of the tested host's own domain family
    /// (equal, wildcard parent, or subdomain; all sharing the shortest as base) and
    /// `'report-sample'`.
    static func selfOrSimilar(_ list: [CSPSource], host: String) -> Bool {
        let domain = trimDots(host)
        var counted = 0, matchedHosts = 0
        var foundSelf = false, foundNone = false
        var hosts = Set<String>()
        for source in list {
            switch source {
            case .selfKeyword:
                counted += 1
                foundSelf = true
            case .reportSample:
                counted += 1
            case .host(_, let raw):
                counted += 1
                let h = trimDots(raw)
                hosts.insert(h)
                if h == domain {
                    matchedHosts += 1
                } else if h.hasPrefix("*.") {
                    let parent = String(h.dropFirst(2))
                    guard !parent.isEmpty, domain.hasSuffix(parent) else { return false }
                    matchedHosts += 1
                } else {
                    guard h.hasSuffix(domain) else { return false }
                    matchedHosts += 1
                }
            case .none:
                foundNone = true
            default:
                break
            }
        }
        if foundNone && !foundSelf && counted == 0 { return true }
        guard foundSelf else { return false }
        if !hosts.isEmpty {
            guard matchedHosts > 0, let base = hosts.min(by: { $0.count < $1.count }) else { return false }
            guard hosts.allSatisfy({ $0.hasSuffix(base) }) else { return false }
        }
        return counted == list.count
    }

    private static func trimDots(_ s: String) -> String {
        var s = Substring(s)
        while s.hasSuffix(".") { s = s.dropLast() }
        return String(s)
    }

    /// Evaluates the CSP field values of the response for `host`.
    public static func evaluate(_ headerValues: [String], host: String, ruleSet: RuleSet = .internetnlCurrent) -> SubtestResult {
        let values = SecurityHeaders.items(headerValues)
        guard !values.isEmpty else {
            return SubtestResult(name: name, status: .warning, requirement: .optional, findings: [Finding("header-missing", subject: "Content-Security-Policy")])
        }
        let found = values.map { Finding("header-value", subject: $0) }
        let problems = problems(parse(headerValues), host: host)
        if problems.isEmpty {
            return SubtestResult(name: name, status: .passed, requirement: .optional, findings: found)
        }
        return SubtestResult(name: name, status: .warning, requirement: .optional, findings: found + problems.map { Finding($0) })
    }
}
