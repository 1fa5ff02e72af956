import Foundation

/// Where the tests find the repository and the shared data beside it, one scheme for all:
/// the repository is the checkout these sources are in; the shared folder (`data/`,
/// `vectors/`, `docs/`) is `$PEIL_SHARED`, else `../shared` beside the repository.
public enum TestPaths {
    /// The environment variable that names the shared folder.
    public static let sharedVariable = "PEIL_SHARED"

    /// The repository root (this file is `Tests/PeilTestSupport/TestPaths.swift`).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared folder: `PEIL_SHARED` when set, else `../shared` beside the repository.
    public static func shared(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment[sharedVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        return repository.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }

    /// `shared/data`: the seed lists and the March 2021 results.
    public static var seedData: URL { shared().appendingPathComponent("data", isDirectory: true) }

    /// `shared/vectors`: test vectors from other implementations.
    public static var vectors: URL { shared().appendingPathComponent("vectors", isDirectory: true) }

    /// A file or folder in the repository, e.g. `ops/sslyze`.
    public static func inRepository(_ path: String) -> URL {
        repository.appendingPathComponent(path)
    }
}
