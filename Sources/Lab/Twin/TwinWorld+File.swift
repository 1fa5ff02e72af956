import Foundation

extension TwinWorld {
    /// The world file's JSON: pretty, keys sorted, so a diff of two generations is readable.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a world file; refuses another format.
    public static func load(from file: URL) throws -> TwinWorld {
        let world = try JSONDecoder().decode(TwinWorld.self, from: Data(contentsOf: file))
        guard world.format == currentFormat else {
            throw LabError(.invalidWorld, "\(file.path): format '\(world.format)', expected '\(currentFormat)'")
        }
        return world
    }
}
