import PeilModel

/// Seed lists for the API tests.
enum SeedListFixture {
    /// A plain list of `names`.
    static func plain(_ names: String...) throws -> [SetEntry] {
        try SeedList.parse(names.joined(separator: "\n"), fileName: "list")
    }

    /// A CSV list.
    static func csv(_ text: String) throws -> [SetEntry] {
        try SeedList.parse(text, fileName: "list.csv")
    }
}
