/// Tags: what the extra columns of an imported list say of a member (agency, province,
/// supplier, contract), by tag name. Reports slice by a tag as they do by layer.
public enum SetTags {
    /// A column header or a `--by` argument as a tag name: lowercased, every run of characters
    /// other than `a`–`z` and `0`–`9` one `_`, none at either end (`Domain Type` → `domain_type`,
    /// `Agency` → `agency`); nil when nothing is left.
    public static func name(_ text: String) -> String? {
        var name = ""
        var pendingSeparator = false
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                if pendingSeparator && !name.isEmpty { name.append("_") }
                pendingSeparator = false
                name.append(character)
            } else {
                pendingSeparator = true
            }
        }
        return name.isEmpty ? nil : name
    }

    /// The value members without the tag are reported under.
    public static let none = "none"
}
