/// Name handling for the resolution procedure. Pure.
public enum DNSNames {
    /// Lower case, without trailing dot ("." and "" both give "").
    public static func normalise(_ name: String) -> String {
        var lower = name.lowercased()
        while lower.hasSuffix(".") { lower.removeLast() }
        return lower
    }

    /// Whether `name` can be asked: 1–63-octet labels of letters, digits, `-` and `_` (service
    /// labels such as `_dmarc`), at most 253 octets, at least one label.
    public static func isValidQueryName(_ name: String) -> Bool {
        let normalised = normalise(name)
        guard !normalised.isEmpty, normalised.utf8.count <= 253 else { return false }
        return normalised.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
        }
    }

    /// `name` and each of its ancestors, nearest first, excluding the root:
    /// `www.example.nl` → `www.example.nl`, `example.nl`, `nl`.
    public static func selfAndAncestors(_ name: String) -> [String] {
        let labels = normalise(name).split(separator: ".").map(String.init)
        return labels.indices.map { labels[$0...].joined(separator: ".") }
    }

    /// Where the NS set is looked for, in order: the domain and its ancestors that have at least
    /// two labels (Internet.nl climbs until the remaining name has no dot; a TLD's nameservers
    /// are not the domain's).
    public static func nameserverClimb(from domain: String) -> [String] {
        let names = selfAndAncestors(domain)
        let candidates = names.filter { $0.contains(".") }
        return candidates.isEmpty ? names : candidates
    }

    /// Where CAA is looked for (RFC 8659 §3): the host, then each parent up to and including the
    /// TLD; the root is never asked.
    public static func caaClimb(from host: String) -> [String] {
        selfAndAncestors(host)
    }
}
