import Foundation

/// Validates JSON values against the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it)
/// that `openapi.json` uses: `type` (a name or a list of names, `null` among them),
/// `properties`, `required`, `additionalProperties` (false or a schema), `items`, `enum`,
/// `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `pattern`, `oneOf`
/// (exactly one alternative fits) and `$ref` to `#/components/schemas/NAME`. Any other keyword is refused when the schema is
/// checked (``unsupportedKeywords(in:)``), so the document cannot quietly say more than is validated.
public struct SchemaValidator: Sendable {
    /// `components.schemas` of the document, by name.
    let schemas: [String: JSONValue]

    /// Keywords the validator checks, and those it reads as documentation only.
    static let checked: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "enum", "minimum",
                                       "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "oneOf", "$ref"]
    static let annotations: Set<String> = ["description", "title", "format", "example", "examples"]

    public init(schemas: [String: JSONValue]) {
        self.schemas = schemas
    }

    /// Every way `value` breaks `schema`, each as `PATH: what` (`$.items[2].domain: …`); empty when it fits.
    public func problems(_ value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let keywords) = schema else { return ["\(path): the schema is not an object"] }
        if let reference = keywords["$ref"]?.string {
            let prefix = "#/components/schemas/"
            guard reference.hasPrefix(prefix), let target = schemas[String(reference.dropFirst(prefix.count))] else {
                return ["\(path): unresolvable $ref \(reference)"]
            }
            return problems(value, against: target, at: path)
        }
        var found: [String] = []
        if case .array(let alternatives) = keywords["oneOf"] {
            let fitting = alternatives.filter { problems(value, against: $0, at: path).isEmpty }.count
            if fitting != 1 { found.append("\(path): fits \(fitting) of the oneOf alternatives, not exactly one") }
        }
        if let type = keywords["type"] {
            let allowed: Set<String> = switch type {
            case .string(let name): [name]
            case .array(let names): Set(names.compactMap(\.string))
            default: []
            }
            guard !allowed.isDisjoint(with: value.typeNames) else {
                return ["\(path): expected \(allowed.sorted().joined(separator: " or ")), found \(value.typeNames.sorted().last ?? "?")"]
            }
        }
        if case .array(let options) = keywords["enum"], !options.contains(value) {
            found.append("\(path): not one of the allowed values")
        }
        switch value {
        case .object(let members): found += objectProblems(members, keywords, path)
        case .array(let elements): found += arrayProblems(elements, keywords, path)
        case .string(let text): found += stringProblems(text, keywords, path)
        case .number(let number): found += numberProblems(number, keywords, path)
        case .null, .bool: break
        }
        return found
    }

    func objectProblems(_ members: [String: JSONValue], _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        let properties: [String: JSONValue] = if case .object(let defined) = keywords["properties"] { defined } else { [:] }
        if case .array(let required) = keywords["required"] {
            for name in required.compactMap(\.string) where members[name] == nil {
                found.append("\(path): required field '\(name)' is missing")
            }
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let schema = properties[name] {
                found += problems(member, against: schema, at: "\(path).\(name)")
            } else if case .bool(false) = keywords["additionalProperties"] {
                found.append("\(path): unknown field '\(name)'")
            } else if let extra = keywords["additionalProperties"], case .object = extra {
                found += problems(member, against: extra, at: "\(path).\(name)")
            }
        }
        return found
    }

    func arrayProblems(_ elements: [JSONValue], _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        if case .number(let least) = keywords["minItems"], Double(elements.count) < least { found.append("\(path): fewer than \(Int(least)) items") }
        if case .number(let most) = keywords["maxItems"], Double(elements.count) > most { found.append("\(path): more than \(Int(most)) items") }
        if let items = keywords["items"] {
            for (index, element) in elements.enumerated() { found += problems(element, against: items, at: "\(path)[\(index)]") }
        }
        return found
    }

    func stringProblems(_ text: String, _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        if case .number(let least) = keywords["minLength"], Double(text.count) < least { found.append("\(path): shorter than \(Int(least)) characters") }
        if case .number(let most) = keywords["maxLength"], Double(text.count) > most { found.append("\(path): longer than \(Int(most)) characters") }
        if let pattern = keywords["pattern"]?.string, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): does not match \(pattern)")
        }
        return found
    }

    func numberProblems(_ number: Double, _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found: [String] = []
        if case .number(let least) = keywords["minimum"], number < least { found.append("\(path): below \(least)") }
        if case .number(let most) = keywords["maximum"], number > most { found.append("\(path): above \(most)") }
        return found
    }

    /// Keywords in `schema` (and the schemas inside it) that this validator neither checks nor
    /// reads as documentation, each with where it is.
    public static func unsupportedKeywords(in schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let keywords) = schema else { return [] }
        var found: [String] = []
        for (keyword, value) in keywords.sorted(by: { $0.key < $1.key }) {
            switch keyword {
            case "properties":
                if case .object(let properties) = value {
                    for (name, inner) in properties.sorted(by: { $0.key < $1.key }) { found += unsupportedKeywords(in: inner, at: "\(path).properties.\(name)") }
                }
            case "items", "additionalProperties":
                found += unsupportedKeywords(in: value, at: "\(path).\(keyword)")
            case "oneOf":
                if case .array(let alternatives) = value {
                    for (index, inner) in alternatives.enumerated() { found += unsupportedKeywords(in: inner, at: "\(path).oneOf[\(index)]") }
                }
            default:
                if !checked.contains(keyword) && !annotations.contains(keyword) { found.append("\(path): \(keyword)") }
            }
        }
        return found
    }
}
