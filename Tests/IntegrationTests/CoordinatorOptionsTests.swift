import Foundation
import XCTest

/// `peil coordinator`'s options that are checked before it reads a key or opens the database.
final class CoordinatorOptionsTests: XCTestCase {
    private func coordinator(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-coordinator-options-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try PeilProcess.run(["coordinator", "--key", "absent.key", "--allow", "absent.allow"] + arguments, directory: directory)
    }

    func testTasksPerClaimOutsideOneTo4096IsRefusedWithItsRange() throws {
        for value in ["0", "4097", "-3"] {
            let result = try coordinator(["--tasks-per-claim=\(value)"])
            XCTAssertEqual(result.status, 64, "\(value): \(result.output)")
            XCTAssertTrue(result.output.contains("--tasks-per-claim must be 1…4096"), "\(value): \(result.output)")
        }
    }

    func testAValidTasksPerClaimGetsAsFarAsTheKeyFile() throws {
        let result = try coordinator(["--tasks-per-claim", "128"])
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("--tasks-per-claim"), result.output)
        XCTAssertTrue(result.output.contains("absent.key"), result.output)
    }
}
