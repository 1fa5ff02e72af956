import PeilModel

/// Route origin validation (RFC 6811 §2) of one route against a set of validated ROAs.
public enum RouteOriginValidation {
    /// The validation state of a route, with RFC 6811's three outcomes.
    public enum State: Sendable, Hashable, CustomStringConvertible {
        /// A covering ROA names the origin AS and allows the route's length.
        case valid
        /// Covering ROAs exist, but none matches: `reason` is `as` (no covering ROA names the
        /// origin AS) or `length` (one does, but the route is longer than its maxLength).
        case invalid(reason: InvalidReason)
        /// No ROA covers the route.
        case notFound

        public var description: String {
            switch self {
            case .valid: "valid"
            case .invalid(let reason): "invalid (\(reason.rawValue))"
            case .notFound: "not-found"
            }
        }
    }

    /// Why a covered route is invalid, in Routinator's words.
    public enum InvalidReason: String, Sendable, Hashable {
        case originAS = "as"
        case length
    }

    /// The ROAs that cover `route`: of its family, their prefix containing the route's.
    public static func covering(_ route: OriginRoute, in roas: [ValidatedROA]) -> [ValidatedROA] {
        roas.filter { $0.prefix.isIPv6 == route.prefix.isIPv6 && $0.prefix.contains(route.prefix) }
    }

    /// The state of `route` (RFC 6811 §2): a ROA for AS 0 covers but never matches.
    public static func validate(_ route: OriginRoute, against roas: [ValidatedROA]) -> State {
        state(of: route, covering: covering(route, in: roas))
    }

    /// The state of `route` against a snapshot's ROAs, found through its prefix table.
    public static func validate(_ route: OriginRoute, in snapshot: RPKISnapshot) -> State {
        state(of: route, covering: snapshot.roas(covering: route.prefix))
    }

    /// The state of `route` given the ROAs that cover it.
    static func state(of route: OriginRoute, covering candidates: [ValidatedROA]) -> State {
        if candidates.isEmpty { return .notFound }
        let sameOrigin = candidates.filter { $0.asn == route.origin && $0.asn != 0 }
        if sameOrigin.contains(where: { route.prefix.prefixLength <= $0.maxLength }) { return .valid }
        return .invalid(reason: sameOrigin.isEmpty ? .originAS : .length)
    }

    /// The routes of a table that contain `address` (4 or 16 octets), most specific first.
    public static func routes(containing address: [UInt8], in routes: [OriginRoute]) -> [OriginRoute] {
        routes.filter { $0.prefix.isIPv6 == (address.count == 16) && $0.prefix.contains(address) }
            .sorted(by: OriginRoute.mostSpecificFirst)
    }
}
