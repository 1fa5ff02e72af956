import Foundation

/// Decodes the wire's message bodies: a `Decoder` over a ``JSONTape``.
///
/// Foundation's `JSONDecoder` was about a quarter of the coordinator's CPU at full ingest
/// (docs/SCALE.md): it makes a dictionary of every object's keys and a `String` of every key.
/// This one reads the tape in place: a key is compared as bytes with the `CodingKey`'s name, a
/// value is found by stepping over its siblings, and nothing is allocated for a value that is
/// not a string, an array or a container. It gives the same values as `JSONDecoder` for what
/// both accept (`WireJSONDecoderTests` compare them on every kind of report) and is stricter:
/// a key twice in one object is refused. `Date` and `Data` are refused too: the wire has
/// neither, and their meaning would depend on a strategy. The types sent most (a report and
/// its observations, assignments) are built from the tape without their `init(from:)`
/// (`TapeBuiltValues.swift`), with the same values and errors.
public struct WireJSONDecoder: Sendable {
    /// See ``TapeDecoder/buildsValues``.
    let buildsValues: Bool

    public init() { buildsValues = true }

    init(buildsValues: Bool) { self.buildsValues = buildsValues }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: data, locatingMember: { _ in nil }).value
    }

    /// The value, and where the value of the top-level member that `key` names (from the
    /// decoded value) stands in `data`, as offsets from its first byte: the very bytes the
    /// member was decoded from, which the strict parse guarantees mean nothing else (no key
    /// twice, no escape JSON lacks, no lone surrogate, UTF-8).
    public func decode<T: Decodable>(_ type: T.Type, from data: Data,
                                     locatingMember key: (T) -> String?) throws -> (value: T, member: Range<Int>?) {
        let tape = try JSONTape(parsing: [UInt8](data))
        let value = try TapeDecoder(tape: tape, current: 0, path: [], buildsValues: buildsValues).decodeValue(T.self, at: 0, key: nil)
        return (value, key(value).flatMap(tape.memberRange))
    }

    /// The value, and for each element of its top-level member `arrayKey` (an array, whose
    /// elements `elements` gives from the decoded value, in order), where the element stands in
    /// `data` and where the value of its member that `key` names stands (offsets from the first
    /// byte, as ``decode(_:from:locatingMember:)`` gives them).
    public func decode<T: Decodable, Element>(_ type: T.Type, from data: Data, elementsOf arrayKey: String, _ elements: (T) -> [Element],
                                              locatingMember key: (Element) -> String?) throws -> (value: T, elements: [(element: Range<Int>, member: Range<Int>?)]) {
        let tape = try JSONTape(parsing: [UInt8](data))
        let value = try TapeDecoder(tape: tape, current: 0, path: [], buildsValues: buildsValues).decodeValue(T.self, at: 0, key: nil)
        let decoded = elements(value)
        let entries = tape.elements(ofMember: arrayKey)
        guard entries.count == decoded.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(arrayKey): \(entries.count) elements, \(decoded.count) decoded"))
        }
        return (value, zip(entries, decoded).map { entry, element in
            (tape.range(of: entry), key(element).flatMap { tape.memberRange($0, inObject: entry) })
        })
    }
}

/// One coding path component: a member's key or an element's index.
struct TapeIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

/// The `Decoder` the decoded types see. One instance serves a whole document: decoding a
/// nested value moves `current` to it and pushes its key on `path`, and undoes both after.
final class TapeDecoder: Decoder {
    let tape: JSONTape
    /// The entry of the value being decoded.
    var current: Int
    var path: [any CodingKey]
    /// Whether the types of ``builtValue(_:)`` are built from the tape directly (false: through
    /// their `init(from:)`, as any other type; the tests compare the two).
    let buildsValues: Bool

    init(tape: JSONTape, current: Int, path: [any CodingKey], buildsValues: Bool = true) {
        self.tape = tape
        self.current = current
        self.path = path
        self.buildsValues = buildsValues
    }

    var codingPath: [any CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func codingPath(depth: Int, appending key: (any CodingKey)?) -> [any CodingKey] {
        var result = Array(path.prefix(depth))
        if let key { result.append(key) }
        return result
    }

    func kind(_ index: Int) -> JSONTape.Kind { tape.entries[index].kind }

    private func found(_ index: Int) -> String {
        switch kind(index) {
        case .null: "null"
        case .true, .false: "a boolean"
        case .integer, .number: "a number"
        case .string, .escapedString: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    func mismatchDescription(_ type: Any.Type, at index: Int) -> String {
        "Expected to decode \(type) but found \(found(index)) instead."
    }

    func mismatch(_ type: Any.Type, at index: Int, key: (any CodingKey)?) -> DecodingError {
        let context = DecodingError.Context(codingPath: codingPath(depth: path.count, appending: key),
                                            debugDescription: mismatchDescription(type, at: index))
        return kind(index) == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }

    func corrupted(_ reason: String, key: (any CodingKey)?) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: codingPath(depth: path.count, appending: key), debugDescription: reason))
    }

    // MARK: Scalars

    func bool(at index: Int, key: (any CodingKey)?) throws -> Bool {
        switch kind(index) {
        case .true: return true
        case .false: return false
        default: throw mismatch(Bool.self, at: index, key: key)
        }
    }

    func string(at index: Int, key: (any CodingKey)?) throws -> String {
        guard kind(index) == .string || kind(index) == .escapedString else { throw mismatch(String.self, at: index, key: key) }
        return tape.string(at: index)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        switch kind(index) {
        case .integer, .number:
            // `1e2` and `100.0` are whole numbers, as Foundation reads them; a fraction is not.
            let whole = kind(index) == .integer ? tape.integerMagnitude(at: index) : tape.wholeNumber(at: index)
            if let (negative, magnitude) = whole {
                if !negative {
                    if let value = T(exactly: magnitude) { return value }
                } else if magnitude <= 1 << 63 {
                    let value = magnitude == 1 << 63 ? Int64.min : -Int64(magnitude)
                    if let fitted = T(exactly: value) { return fitted }
                }
            }
        default:
            throw mismatch(type, at: index, key: key)
        }
        throw corrupted("Number \(tape.numberText(at: index)) is not representable in Swift.", key: key)
    }

    func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        guard kind(index) == .integer || kind(index) == .number else { throw mismatch(type, at: index, key: key) }
        guard let value = T(String(tape.numberText(at: index))), value.isFinite else {
            throw corrupted("Number \(tape.numberText(at: index)) is not representable in Swift.", key: key)
        }
        return value
    }

    // MARK: Any value

    /// The value at entry `index` as a `T`; `key` names it in the coding path.
    func decodeValue<T: Decodable>(_ type: T.Type, at index: Int, key: (any CodingKey)?) throws -> T {
        if T.self == String.self { return try string(at: index, key: key) as! T }
        if T.self == Int.self { return try integer(Int.self, at: index, key: key) as! T }
        if T.self == UInt16.self { return try integer(UInt16.self, at: index, key: key) as! T }
        if T.self == Int64.self { return try integer(Int64.self, at: index, key: key) as! T }
        if T.self == Bool.self { return try bool(at: index, key: key) as! T }
        if T.self == Date.self || T.self == Data.self {
            throw corrupted("\(T.self) is not a type the wire carries.", key: key)
        }
        let saved = current
        let depth = path.count
        current = index
        if let key { path.append(key) }
        defer {
            current = saved
            path.removeSubrange(depth...)
        }
        if buildsValues, let built = try builtValue(T.self) { return built }
        return try T(from: self)
    }

    // MARK: Containers

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind(current) == .object else { throw mismatch([String: Any].self, at: current, key: nil) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self, object: current, depth: path.count))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind(current) == .array else { throw mismatch([Any].self, at: current, key: nil) }
        return TapeUnkeyedContainer(decoder: self, array: current, depth: path.count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TapeSingleValueContainer(decoder: self, value: current, depth: path.count)
    }

    /// A decoder of its own for a value decoded out of order (a nested container, a super
    /// decoder), whose coding path must not depend on this one's stack.
    func detached(at index: Int, key: any CodingKey, depth: Int) -> TapeDecoder {
        TapeDecoder(tape: tape, current: index, path: codingPath(depth: depth, appending: key), buildsValues: buildsValues)
    }
}
