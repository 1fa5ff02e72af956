import Foundation
import Store
import XCTest

/// What a test needs from the machine, checked so that a test whose requirement is missing is
/// skipped with a message naming it, not failed: `swift test` as an ordinary user without
/// PostgreSQL runs the pure suite. XCTest: `try TestRequirements.require(.root)` (throws
/// `XCTSkip`); Swift Testing: `.enabled(if: TestRequirements.isMet(.root), "…")`.
public enum TestRequirement: Sendable, Hashable, CustomStringConvertible {
    /// Root (network namespaces, the lab).
    case root
    /// A PostgreSQL server at `PEIL_DATABASE_URL` (default: the `ops/pg` cluster as its owner
    /// role) where the tests may create databases.
    case postgreSQL
    /// The `peil` executable built beside the tests.
    case peilBinary
    /// An executable at this absolute path.
    case program(String)

    public var description: String {
        switch self {
        case .root: "root (network namespaces)"
        case .postgreSQL: "PostgreSQL at \(Database.environmentVariable) (start it with `ops/pg start`)"
        case .peilBinary: "the built `peil` beside the tests (`swift build`)"
        case .program(let path): "\(path)"
        }
    }
}

public enum TestRequirements {
    /// Whether every one of `requirements` is met.
    public static func isMet(_ requirements: TestRequirement...) -> Bool {
        requirements.allSatisfy { missingReason($0) == nil }
    }

    /// Throws `XCTSkip` naming the first missing requirement.
    public static func require(_ requirements: TestRequirement..., file: StaticString = #filePath, line: UInt = #line) throws {
        for requirement in requirements {
            if let reason = missingReason(requirement) {
                throw XCTSkip("needs \(requirement): \(reason)", file: file, line: line)
            }
        }
    }

    /// Why `requirement` is not met, nil when it is.
    public static func missingReason(_ requirement: TestRequirement) -> String? {
        switch requirement {
        case .root:
            return geteuid() == 0 ? nil : "running as uid \(geteuid())"
        case .postgreSQL:
            return postgreSQLProblem
        case .peilBinary:
            return TestProcess.peil == nil ? "no executable `peil` in the build products folder" : nil
        case .program(let path):
            return FileManager.default.isExecutableFile(atPath: path) ? nil : "not installed"
        }
    }

    /// One connection attempt per test process (a refused connection fails at once; libpq's
    /// own `connect_timeout` bounds an unanswered one).
    private static let postgreSQLProblem: String? = {
        do {
            _ = try Database(connectionString: TemporaryDatabase.serverConnectionString)
            return nil
        } catch {
            return "cannot connect (\(error))"
        }
    }()
}
