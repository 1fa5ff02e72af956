/// Helpers over the lab's canonical names: lower case, no trailing dot, root `""`.
enum DNSName {
    /// Whether `name` equals `zone` or lies below it.
    static func isAtOrBelow(_ name: String, _ zone: String) -> Bool {
        zone.isEmpty || name == zone || name.hasSuffix("." + zone)
    }

    /// Whether `name` lies strictly below `zone`.
    static func isBelow(_ name: String, _ zone: String) -> Bool {
        name != zone && isAtOrBelow(name, zone)
    }

    /// The name with its first label removed; nil for the root.
    static func parent(of name: String) -> String? {
        if name.isEmpty { return nil }
        guard let dot = name.firstIndex(of: ".") else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// Absolute zone-file form: a trailing dot, `"."` for the root.
    static func absolute(_ name: String) -> String {
        name.isEmpty ? "." : name + "."
    }

    /// Canonical form of a name written with or without trailing dot, any case.
    static func canonical(_ text: String) -> String {
        var name = text.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// Number of labels (the root has none).
    static func depth(_ name: String) -> Int {
        name.isEmpty ? 0 : name.split(separator: ".").count
    }

    /// Whether every label is a host-name-like label (letters, digits, `-`, `_`); the first
    /// label may be the wildcard `*`.
    static func isWellFormed(_ name: String) -> Bool {
        if name.isEmpty { return true }
        guard name == name.lowercased(), name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.enumerated().allSatisfy { position, label in
            if position == 0 && label == "*" && labels.count > 1 { return true }
            return !label.isEmpty && label.utf8.count <= 63
                && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
        }
    }
}
