import PeilModel

/// Percentage points: differences of two adoptions.
public enum Points {
    /// `later − earlier`, nil when either is missing.
    public static func delta(_ later: Double?, _ earlier: Double?) -> Double? {
        guard let later, let earlier else { return nil }
        return later - earlier
    }

    /// Rounded to 4 decimals for the machine-readable files (display rounds to one).
    public static func round(_ value: Double) -> Double {
        Tally.rounded(value)
    }

    /// `83.3%`, or `–` for none.
    public static func percent(_ value: Double?) -> String {
        guard let value else { return "–" }
        return format(value) + "%"
    }

    /// `+1.2 pp`, `−0.4 pp`, `0.0 pp`, or `–` for none.
    public static func signed(_ value: Double?, unit: String = " pp") -> String {
        guard let value else { return "–" }
        let rounded = (value * 10).rounded() / 10
        if rounded == 0 { return "0.0" + unit }
        return (rounded > 0 ? "+" : "−") + format(abs(rounded)) + unit
    }

    /// One decimal, without Foundation.
    public static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)"
    }
}
