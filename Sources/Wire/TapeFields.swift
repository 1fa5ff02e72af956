import Foundation

/// The members of one object on the tape, read by name by a decoder written for its type
/// (``TapeDecoder/builtValue(_:)``), without `Decodable`'s containers.
///
/// Each read gives the value, or throws the error, that the type's synthesized `init(from:)`
/// gets from ``TapeDecoder`` for the same member: the same `DecodingError` case at the same
/// coding path (`TapeBuiltValuesTests` compare both on every member of every such type).
/// Members are looked up from the one after the last found, as a type reads them in the order
/// it writes them; a missing or out-of-order member costs one pass over the object.
struct TapeFields {
    let decoder: TapeDecoder
    /// The decoder's tape, held here so that reading it costs no reference counting.
    private let tape: JSONTape
    let object: Int
    private let count: Int
    /// Where the next look-up starts: a member's key entry and its position in the object.
    private var nextKey: Int
    private var nextPosition = 0

    /// The object at the decoder's current entry; a `typeMismatch` (or `valueNotFound` for a
    /// null) as `container(keyedBy:)` throws when it is not an object.
    init(_ decoder: TapeDecoder) throws {
        let object = decoder.current
        guard decoder.kind(object) == .object else { throw decoder.mismatch([String: Any].self, at: object, key: nil) }
        self.decoder = decoder
        tape = decoder.tape
        self.object = object
        count = Int(tape.entries[object].count)
        nextKey = object + 1
    }

    /// The value entry of the member `name`, or nil when the object has none.
    mutating func find(_ name: StaticString) -> Int? {
        name.withUTF8Buffer { bytes in find(bytes) }
    }

    private mutating func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var key = nextKey
        var position = nextPosition
        for _ in 0..<count {
            if position == count {
                key = object + 1
                position = 0
            }
            let next = Int(tape.entries[key + 1].next)
            if tape.string(at: key, equals: bytes) {
                nextKey = next
                nextPosition = position + 1
                return key + 1
            }
            key = next
            position += 1
        }
        return nil
    }

    private func keyNotFound(_ name: StaticString) -> DecodingError {
        let key = TapeFieldKey(name)
        return .keyNotFound(key, DecodingError.Context(
            codingPath: decoder.codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
    }

    /// The value entry of `name`; `keyNotFound` when the object has none.
    private mutating func required(_ name: StaticString) throws -> Int {
        guard let index = find(name) else { throw keyNotFound(name) }
        return index
    }

    /// The value entry of `name`; nil when the member is missing or null.
    private mutating func optional(_ name: StaticString) -> Int? {
        guard let index = find(name), tape.entries[index].kind != .null else { return nil }
        return index
    }

    mutating func string(_ name: StaticString) throws -> String {
        try decoder.string(at: try required(name), key: TapeFieldKey(name))
    }

    mutating func optionalString(_ name: StaticString) throws -> String? {
        try optional(name).map { try decoder.string(at: $0, key: TapeFieldKey(name)) }
    }

    mutating func integer<Value: FixedWidthInteger>(_ name: StaticString, _ type: Value.Type = Int.self) throws -> Value {
        try decoder.integer(type, at: try required(name), key: TapeFieldKey(name))
    }

    mutating func optionalInteger<Value: FixedWidthInteger>(_ name: StaticString, _ type: Value.Type = Int.self) throws -> Value? {
        try optional(name).map { try decoder.integer(type, at: $0, key: TapeFieldKey(name)) }
    }

    mutating func bool(_ name: StaticString) throws -> Bool {
        try decoder.bool(at: try required(name), key: TapeFieldKey(name))
    }

    mutating func optionalBool(_ name: StaticString) throws -> Bool? {
        try optional(name).map { try decoder.bool(at: $0, key: TapeFieldKey(name)) }
    }

    /// An array of integers, as `[Value](from:)` reads it.
    mutating func integers<Value: FixedWidthInteger>(_ name: StaticString, _ type: Value.Type) throws -> [Value] {
        let array = try required(name)
        return try decoder.elements(ofArray: array, key: TapeFieldKey(name)) { decoder, element, position in
            try decoder.integer(type, at: element, key: TapeIndexKey(position))
        }
    }

    /// An array of string enumerations, as `[Value](from:)` reads it.
    mutating func rawValues<Value: RawRepresentable>(_ name: StaticString, _ type: Value.Type) throws -> [Value] where Value.RawValue == String {
        let array = try required(name)
        return try decoder.elements(ofArray: array, key: TapeFieldKey(name)) { decoder, element, position in
            try decoder.rawValue(type, at: element, key: TapeIndexKey(position))
        }
    }

    /// An array of strings, as `[String](from:)` reads it.
    mutating func strings(_ name: StaticString) throws -> [String] {
        try decoder.strings(ofArray: try required(name), key: TapeFieldKey(name))
    }

    /// An array of objects each read by `build`, as `[Element](from:)` reads them with the
    /// element type's `init(from:)`.
    mutating func builtArray<Element>(_ name: StaticString, _ build: (inout TapeFields) throws -> Element) throws -> [Element] {
        try decoder.builtElements(ofArray: try required(name), key: TapeFieldKey(name), build)
    }

    /// A string enumeration, as its `RawRepresentable` `init(from:)` reads it.
    mutating func rawValue<Value: RawRepresentable>(_ name: StaticString, _ type: Value.Type) throws -> Value where Value.RawValue == String {
        try decoder.rawValue(type, at: try required(name), key: TapeFieldKey(name))
    }

    mutating func optionalRawValue<Value: RawRepresentable>(_ name: StaticString, _ type: Value.Type) throws -> Value? where Value.RawValue == String {
        try optional(name).map { try decoder.rawValue(type, at: $0, key: TapeFieldKey(name)) }
    }

    /// Any other member, through its own `init(from:)` (or the decoder's built values).
    mutating func value<Value: Decodable>(_ name: StaticString, _ type: Value.Type) throws -> Value {
        try decoder.decodeValue(type, at: try required(name), key: TapeFieldKey(name))
    }

    mutating func optionalValue<Value: Decodable>(_ name: StaticString, _ type: Value.Type) throws -> Value? {
        try optional(name).map { try decoder.decodeValue(type, at: $0, key: TapeFieldKey(name)) }
    }
}

/// A member's key in a coding path, as a type's synthesized `CodingKeys` would name it.
struct TapeFieldKey: CodingKey, CustomStringConvertible {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: StaticString) { stringValue = name.description }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    var description: String { "CodingKeys(stringValue: \"\(stringValue)\", intValue: nil)" }
}

extension TapeDecoder {
    /// A string enumeration at entry `index`, as its `RawRepresentable` `init(from:)` reads it
    /// (`key` names it in the coding path).
    func rawValue<Value: RawRepresentable>(_ type: Value.Type, at index: Int, key: any CodingKey) throws -> Value where Value.RawValue == String {
        guard kind(index) == .string || kind(index) == .escapedString else { throw mismatch(String.self, at: index, key: key) }
        let raw = tape.string(at: index)
        guard let value = Value(rawValue: raw) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath(depth: path.count, appending: key),
                debugDescription: "Cannot initialize \(Value.self) from invalid String value \(raw)"))
        }
        return value
    }

    /// The elements of the array at entry `array`, each read by `element` (given the decoder,
    /// the element's entry and its position) with `key` on the coding path (nil: the array's
    /// key is on it already), as `[T](from:)` reads them; a `typeMismatch` when the entry is
    /// not an array.
    func elements<Element>(ofArray array: Int, key: (any CodingKey)?,
                           _ element: (TapeDecoder, Int, Int) throws -> Element) throws -> [Element] {
        guard kind(array) == .array else { throw mismatch([Any].self, at: array, keys: key.map { [$0] } ?? []) }
        let depth = path.count
        if let key { path.append(key) }
        defer { path.removeSubrange(depth...) }
        let count = Int(tape.entries[array].count)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        var entry = array + 1
        for position in 0..<count {
            elements.append(try element(self, entry, position))
            entry = Int(tape.entries[entry].next)
        }
        return elements
    }

    /// The strings of the array at entry `array`, as `[String](from:)` reads them.
    func strings(ofArray array: Int, key: (any CodingKey)?) throws -> [String] {
        try elements(ofArray: array, key: key) { decoder, entry, position in try decoder.string(at: entry, key: TapeIndexKey(position)) }
    }

    /// The elements of the array at entry `array`, each an object read by `build`, as `[T](from:)`
    /// reads them with `T`'s `init(from:)`.
    func builtElements<Element>(ofArray array: Int, key: (any CodingKey)?, _ build: (inout TapeFields) throws -> Element) throws -> [Element] {
        let saved = current
        defer { current = saved }
        return try elements(ofArray: array, key: key) { decoder, entry, position in
            decoder.current = entry
            decoder.path.append(TapeIndexKey(position))
            defer { decoder.path.removeLast() }
            var fields = try TapeFields(decoder)
            return try build(&fields)
        }
    }

    /// As ``mismatch(_:at:key:)``, with `keys` after the current path.
    func mismatch(_ type: Any.Type, at index: Int, keys: [any CodingKey]) -> DecodingError {
        let context = DecodingError.Context(codingPath: path + keys, debugDescription: mismatchDescription(type, at: index))
        return kind(index) == .null ? .valueNotFound(type, context) : .typeMismatch(type, context)
    }
}
