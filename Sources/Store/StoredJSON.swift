import Foundation

/// Decoding JSON the store holds.
public enum StoredJSON {
    /// A decoder for stored observations and targets. A date may be stored as ``SQLJSON``
    /// encodes it (seconds since 2001) or, for an observation stored as its agent sent it, as
    /// the wire encodes it (ISO 8601, `Wire.WireMessage`): both read back as the same date, so
    /// an observation type that gains a `Date` is still read whichever way it was stored.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom(decodeDate)
        return decoder
    }

    private static func decodeDate(_ decoder: Decoder) throws -> Date {
        let container = try decoder.singleValueContainer()
        if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSinceReferenceDate: seconds) }
        let text = try container.decode(String.self)
        // The wire's strategy, `.iso8601`, formats with ISO8601DateFormatter's default options.
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a date in seconds or ISO 8601: \(text.prefix(64))")
        }
        return date
    }
}
