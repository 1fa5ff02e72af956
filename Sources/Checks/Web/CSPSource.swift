/// One CSP source expression, classified the way Internet.nl's CSP check sees it.
public enum CSPSource: Sendable, Hashable {
    /// `scheme://host:port/path` or a bare `host` (then `scheme` is nil).
    case host(scheme: String?, host: String)
    /// `https:`, `http:`, `data:`, `blob:`, `mediastream:`, `filesystem:`.
    case scheme(String)
    case selfKeyword
    case none
    case unsafeInline
    case unsafeEval
    case unsafeHashes
    /// `'nonce-…'` or `'sha256-…'` etc.
    case nonceOrHash
    case strictDynamic
    case reportSample
    /// A value the directive accepts that carries no meaning for the verdict (a media type,
    /// a sandbox flag, a report-to group, a trusted-types policy).
    case other(String)
}

/// The kinds of source expression a directive accepts (Internet.nl's per-directive patterns).
struct CSPSourceKinds: OptionSet, Sendable {
    let rawValue: Int
    static let host = CSPSourceKinds(rawValue: 1)
    static let scheme = CSPSourceKinds(rawValue: 2)
    /// `'self'`, `'none'`, `'unsafe-*'`, nonces and hashes.
    static let keywords = CSPSourceKinds(rawValue: 4)
    static let strictDynamic = CSPSourceKinds(rawValue: 8)
    static let reportSample = CSPSourceKinds(rawValue: 16)
    /// `'self'` or `'none'`, exactly (frame-ancestors).
    static let selfOrNoneExact = CSPSourceKinds(rawValue: 32)
    static let fetch: CSPSourceKinds = [.host, .scheme, .keywords]
    static let script: CSPSourceKinds = [.host, .scheme, .keywords, .strictDynamic, .reportSample]
}

extension CSPSource {
    /// Classifies one whitespace-free token for a directive accepting `kinds`; nil when the
    /// directive does not accept it (Internet.nl then ignores the token).
    static func classify(_ token: String, kinds: CSPSourceKinds) -> CSPSource? {
        if kinds.contains(.host), let (scheme, host) = hostSource(token) {
            return .host(scheme: scheme, host: host)
        }
        if kinds.contains(.scheme), let scheme = schemeSource(token) {
            return .scheme(scheme)
        }
        if kinds.contains(.keywords), let keyword = keyword(token) {
            return keyword
        }
        if kinds.contains(.selfOrNoneExact) {
            if token == "'self'" { return .selfKeyword }
            if token == "'none'" { return CSPSource.none }
        }
        if kinds.contains(.strictDynamic), token.hasPrefix("'strict-dynamic'") { return .strictDynamic }
        if kinds.contains(.reportSample), token.hasPrefix("'report-sample'") { return .reportSample }
        return nil
    }

    /// `'self'`, `'none'`, `'unsafe-…'`, nonce or hash at the start of the token (Internet.nl
    /// matches these as a prefix, so `'self'x` counts as `'self'`).
    static func keyword(_ token: String) -> CSPSource? {
        let fixed: [(String, CSPSource)] = [
            ("'self'", .selfKeyword), ("'unsafe-eval'", .unsafeEval), ("'unsafe-hashes'", .unsafeHashes),
            ("'unsafe-inline'", .unsafeInline), ("'none'", .none),
        ]
        for (prefix, source) in fixed where token.hasPrefix(prefix) { return source }
        for prefix in ["'nonce-", "'sha256-", "'sha384-", "'sha512-"] where token.hasPrefix(prefix) {
            let body = token.dropFirst(prefix.count)
            let base64 = body.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }
            guard !base64.isEmpty else { continue }
            let padding = body.dropFirst(base64.count).prefix { $0 == "=" }
            if body.dropFirst(base64.count + padding.count).first == "'" { return .nonceOrHash }
        }
        return nil
    }

    /// `https:` and the other scheme-only sources Internet.nl recognises.
    static func schemeSource(_ token: String) -> String? {
        guard token.hasSuffix(":") else { return nil }
        let scheme = String(token.dropLast())
        return ["http", "https", "data", "mediastream", "blob", "filesystem"].contains(scheme) ? scheme : nil
    }

    /// `[scheme "://"] host [":" (digits / "*")] ["/" path]`, host being a run without `:`, `/`
    /// or `'`, or a bracketed literal. The longest scheme that leaves a valid rest wins.
    static func hostSource(_ token: String) -> (String?, String)? {
        let chars = Array(token)
        var candidates: [(String?, Int)] = []
        if chars.count >= 3 {
            for i in stride(from: chars.count - 3, through: 1, by: -1)
            where chars[i] == ":" && chars[i + 1] == "/" && chars[i + 2] == "/" {
                candidates.append((String(chars[..<i]), i + 3))
            }
        }
        candidates.append((nil, 0))
        for (scheme, start) in candidates {
            if let host = hostPortPath(Array(chars[start...])) { return (scheme, host) }
        }
        return nil
    }

    private static func hostPortPath(_ chars: [Character]) -> String? {
        guard let first = chars.first else { return nil }
        if first == "[" {
            for close in stride(from: chars.count - 1, through: 2, by: -1) where chars[close] == "]" {
                if portPath(chars[(close + 1)...]) { return String(chars[...close]) }
            }
        }
        let hostEnd = chars.firstIndex { $0 == ":" || $0 == "/" || $0 == "'" } ?? chars.count
        guard hostEnd > 0, portPath(chars[hostEnd...]) else { return nil }
        return String(chars[..<hostEnd])
    }

    private static func portPath(_ rest: ArraySlice<Character>) -> Bool {
        var rest = rest
        if rest.first == ":" {
            rest = rest.dropFirst()
            if rest.first == "*" {
                rest = rest.dropFirst()
            } else {
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty else { return false }
                rest = rest.dropFirst(digits.count)
            }
        }
        return rest.isEmpty || rest.first == "/"
    }
}
