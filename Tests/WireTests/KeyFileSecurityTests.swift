import Foundation
import Glibc
import Wire
import XCTest

/// Secret key files: mode 0600 from the first moment, never overwritten, and refused when group
/// or others may read or write them.
final class KeyFileSecurityTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-keysec-\(UUID().uuidString.prefix(8))")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func mode(_ url: URL) -> mode_t {
        var status = stat()
        XCTAssertEqual(stat(url.path, &status), 0)
        return status.st_mode & 0o7777
    }

    /// Even with umask 0 (files created 0666 unless the creator says otherwise) the secret key
    /// is 0600, because it is created with that mode.
    func testSecretKeyIsCreated0600WhateverTheUmask() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let files = try CurveKeyFile.write(try CurveKeyPair.generate(), name: "agent", directory: directory)
        XCTAssertEqual(mode(files.secret), 0o600)
        XCTAssertEqual(mode(files.public) & 0o077 != 0, true, "the public key may be read by anyone")
    }

    func testAnExistingSecretKeyIsNeverOverwritten() throws {
        let first = try CurveKeyPair.generate()
        let files = try CurveKeyFile.write(first, name: "agent", directory: directory)
        XCTAssertThrowsError(try CurveKeyFile.write(try CurveKeyPair.generate(), name: "agent", directory: directory)) { error in
            XCTAssertTrue("\(error)".contains("never overwritten"), "\(error)")
        }
        XCTAssertEqual(try CurveKeyFile.readPair(files.secret), first)
    }

    /// A symbolic link planted where the key goes is not followed (the key would land in a file
    /// someone else chose, with that file's mode).
    func testAPlantedSymbolicLinkIsNotFollowed() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let target = directory.appendingPathComponent("elsewhere")
        XCTAssertTrue(FileManager.default.createFile(atPath: target.path, contents: nil, attributes: [.posixPermissions: 0o644]))
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("agent.key"), withDestinationURL: target)
        XCTAssertThrowsError(try CurveKeyFile.write(try CurveKeyPair.generate(), name: "agent", directory: directory))
        XCTAssertEqual(try Data(contentsOf: target).count, 0, "nothing was written through the link")
    }

    func testASecretKeyReadableByOthersIsRefusedNamingFileAndMode() throws {
        let files = try CurveKeyFile.write(try CurveKeyPair.generate(), name: "agent", directory: directory)
        XCTAssertEqual(chmod(files.secret.path, 0o644), 0)
        XCTAssertThrowsError(try CurveKeyFile.readPair(files.secret)) { error in
            guard case .exposed(let path, let mode) = error as? CurveKeyError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, files.secret.path)
            XCTAssertEqual(mode, 0o644)
            XCTAssertTrue("\(error)".contains(files.secret.path) && "\(error)".contains("0644"), "\(error)")
        }
        for exposing: mode_t in [0o640, 0o620, 0o604, 0o602, 0o660] {
            XCTAssertEqual(chmod(files.secret.path, exposing), 0)
            XCTAssertThrowsError(try CurveKeyFile.readPair(files.secret), "mode \(String(exposing, radix: 8))")
        }
        // Owner-only modes are fine; the public key file may be read by anyone.
        for ownerOnly: mode_t in [0o600, 0o400] {
            XCTAssertEqual(chmod(files.secret.path, ownerOnly), 0)
            XCTAssertNoThrow(try CurveKeyFile.readPair(files.secret))
        }
        XCTAssertNoThrow(try CurveKeyFile.readPublicKey(files.public))
    }
}
