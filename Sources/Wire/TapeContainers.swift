/// An object on the tape. A key is found by comparing its bytes with each member's key in turn,
/// stepping over the values between (objects on the wire have at most a few dozen members); an
/// object of more members (a dictionary, or a hostile one) is indexed once instead.
struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    let object: Int
    let depth: Int
    /// Each member's value entry by key, for an object of more than ``indexedFrom`` members
    /// (a dictionary, or a hostile object): each key asked then costs the same.
    private let index: [String: Int]?

    /// Members from which an object's keys are looked up through an index.
    static var indexedFrom: Int { 32 }

    init(decoder: TapeDecoder, object: Int, depth: Int) {
        self.decoder = decoder
        self.object = object
        self.depth = depth
        let count = Int(decoder.tape.entries[object].count)
        guard count > Self.indexedFrom else {
            index = nil
            return
        }
        var index = [String: Int](minimumCapacity: count)
        decoder.tape.firstMember(ofObject: object) { key in
            index[decoder.tape.string(at: key)] = key + 1
            return false
        }
        self.index = index
    }

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth, appending: nil) }

    var allKeys: [Key] {
        var keys: [Key] = []
        decoder.tape.firstMember(ofObject: object) { key in
            if let key = Key(stringValue: decoder.tape.string(at: key)) { keys.append(key) }
            return false
        }
        return keys
    }

    /// The entry of the value under `key`, or nil when the object has no such member.
    private func value(for key: some CodingKey) -> Int? {
        let name = key.stringValue
        if let index { return index[name] }
        return decoder.tape.value(ofMember: name, inObject: object)
    }

    private func required(_ key: some CodingKey) throws -> Int {
        guard let index = value(for: key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(
                codingPath: codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return index
    }

    /// nil for a missing member or a null; else what `decode` makes of the member's value.
    private func optional<T>(_ key: Key, _ decode: (Int) throws -> T) throws -> T? {
        guard let index = value(for: key), decoder.kind(index) != .null else { return nil }
        return try decode(index)
    }

    func contains(_ key: Key) -> Bool { value(for: key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { decoder.kind(try required(key)) == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.bool(at: try required(key), key: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.string(at: try required(key), key: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.floatingPoint(type, at: try required(key), key: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.floatingPoint(type, at: try required(key), key: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.integer(type, at: try required(key), key: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.integer(type, at: try required(key), key: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(type, at: try required(key), key: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(key) { try decoder.bool(at: $0, key: key) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(key) { try decoder.string(at: $0, key: key) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(key) { try decoder.floatingPoint(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(key) { try decoder.floatingPoint(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(key) { try decoder.integer(type, at: $0, key: key) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try optional(key) { try decoder.decodeValue(type, at: $0, key: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.detached(at: try required(key), key: key, depth: depth).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.detached(at: try required(key), key: key, depth: depth).unkeyedContainer()
    }

    /// The `super` member's value; a missing one is an error (the wire has no class hierarchies).
    func superDecoder() throws -> any Decoder { decoder.detached(at: try required(TapeSuperKey()), key: TapeSuperKey(), depth: depth) }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.detached(at: try required(key), key: key, depth: depth) }
}

struct TapeSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// An array on the tape, read front to back. Three words, so that the existential holding it
/// needs no allocation.
struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    private var cursor: Int32
    private let total: Int32
    private var index: Int32 = 0
    private let depth: Int32

    init(decoder: TapeDecoder, array: Int, depth: Int) {
        self.decoder = decoder
        cursor = Int32(array + 1)
        total = decoder.tape.entries[array].count
        self.depth = Int32(depth)
    }

    var codingPath: [any CodingKey] { decoder.codingPath(depth: Int(depth), appending: nil) }
    var count: Int? { Int(total) }
    var isAtEnd: Bool { index >= total }
    var currentIndex: Int { Int(index) }

    /// The next element's entry and its key in the coding path.
    private func element<T>(_ type: T.Type) throws -> (Int, TapeIndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(
                codingPath: decoder.codingPath(depth: Int(depth), appending: TapeIndexKey(Int(index))),
                debugDescription: "Unkeyed container is at end."))
        }
        return (Int(cursor), TapeIndexKey(Int(index)))
    }

    private mutating func advance() {
        cursor = decoder.tape.entries[Int(cursor)].next
        index += 1
    }

    private mutating func next<T>(_ decode: (TapeDecoder, Int, TapeIndexKey) throws -> T) throws -> T {
        let (entry, key) = try element(T.self)
        let value = try decode(decoder, entry, key)
        advance()
        return value
    }

    mutating func decodeNil() throws -> Bool {
        let (entry, _) = try element(Any?.self)
        guard decoder.kind(entry) == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.bool(at: $1, key: $2) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.string(at: $1, key: $2) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.floatingPoint(type, at: $1, key: $2) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try $0.floatingPoint(type, at: $1, key: $2) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.integer(type, at: $1, key: $2) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try $0.decodeValue(type, at: $1, key: $2) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let depth = Int(depth)
        return try next { try $0.detached(at: $1, key: $2, depth: depth).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let depth = Int(depth)
        return try next { try $0.detached(at: $1, key: $2, depth: depth).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        let depth = Int(depth)
        return try next { $0.detached(at: $1, key: $2, depth: depth) }
    }
}

/// One value on the tape, as a whole.
struct TapeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: TapeDecoder
    let value: Int
    let depth: Int

    var codingPath: [any CodingKey] { decoder.codingPath(depth: depth, appending: nil) }

    func decodeNil() -> Bool { decoder.kind(value) == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.bool(at: value, key: nil) }
    func decode(_ type: String.Type) throws -> String { try decoder.string(at: value, key: nil) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.floatingPoint(type, at: value, key: nil) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.floatingPoint(type, at: value, key: nil) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type, at: value, key: nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type, at: value, key: nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type, at: value, key: nil) }
}
