import Foundation
import XCTest

/// Internet.nl's batch API results schema (`Tests/VerdictsTests/Resources`, docs/SUBTESTS.md)
/// and the validator beside it (Python's `jsonschema`), for the tests of
/// `peil results --format json`.
public enum BatchSchema {
    public static let schema = TestPaths.inRepository("Tests/VerdictsTests/Resources/internetnl-batch-results.schema.json").path
    public static let validator = TestPaths.inRepository("Tests/VerdictsTests/Resources/validate-batch-results.py").path

    /// The validator's verdict on `document`: nil when valid, else its errors. Throws `XCTSkip`,
    /// naming what is missing, without `python3` or its `jsonschema`.
    public static func validationErrors(_ document: String) throws -> String? {
        guard let python = TestProcess.which("python3") else { throw XCTSkip("needs python3 (Debian: python3) for the JSON-schema validator") }
        let folder = try TestProcess.scratchFolder("batch-schema")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/results.json"
        try document.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try TestProcess.run(python, [validator, schema, path])
        if result.status == 3 { throw XCTSkip("needs Python's jsonschema (Debian: python3-jsonschema): \(result.standardError)") }
        if result.timedOut { return "the validator timed out" }
        return result.status == 0 ? nil : result.standardOutput + result.standardError
    }
}
