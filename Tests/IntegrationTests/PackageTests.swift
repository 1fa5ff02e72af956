import Foundation
import PeilTestSupport
import XCTest

/// `ops/package` on the debug `peil` (the release build takes too long for the test run; the
/// release package is built by `ops/package` alone): the package holds the binary, both units
/// and their argument files as conffiles, depends on the libraries the binary links, its units
/// pass `systemd-analyze verify`, and the packaged binary runs. A unit with a directive systemd
/// does not know stops the build.
final class PackageTests: XCTestCase {
    static let tools = ["/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/systemd-analyze"]

    func testThePackageHoldsTheBinaryAndVerifiedUnits() throws {
        try TestRequirements.require(.peilBinary, .program(Self.tools[0]), .program(Self.tools[1]), .program(Self.tools[2]))
        let out = try TestProcess.scratchFolder("peil-package")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let script = TestPaths.inRepository("ops/package").path
        let build = try TestProcess.run(script, ["--binary", TestProcess.peil!, "--allow-unpackaged-libraries", "--compression", "none",
                                                  "--out", out, "--version", "0.0.1"],
                                        timeout: .seconds(300))
        XCTAssertEqual(build.status, 0, build.standardError)
        let package = out + "/peil_0.0.1_amd64.deb"
        XCTAssertEqual(build.standardOutput.split(separator: "\n").last.map(String.init), package)
        print(build.standardError.split(separator: "\n").filter { $0.contains("exposure") || $0.contains("Depends") }.joined(separator: "\n"))

        let contents = try TestProcess.run("/usr/bin/dpkg-deb", ["--contents", package]).standardOutput
        for path in ["./usr/bin/peil", "./lib/systemd/system/peil-coordinator.service", "./lib/systemd/system/peil-agent.service",
                     "./etc/default/peil-coordinator", "./etc/default/peil-agent", "./usr/share/doc/peil/README.md"] {
            XCTAssertTrue(contents.contains(" \(path)\n"), "\(path) missing:\n\(contents)")
        }
        let control = try TestProcess.run("/usr/bin/dpkg-deb", ["--field", package, "Depends"]).standardOutput
        for library in ["libzmq5", "libunbound8", "libldns3", "libpq5", "libssl3", "adduser", "publicsuffix"] {
            XCTAssertTrue(control.contains(library), "Depends lacks \(library): \(control)")
        }
        let conffiles = try TestProcess.run("/usr/bin/dpkg-deb", ["--info", package, "conffiles"]).standardOutput
        XCTAssertEqual(conffiles.split(separator: "\n"), ["/etc/default/peil-coordinator", "/etc/default/peil-agent"])

        let unpacked = out + "/root"
        XCTAssertEqual(try TestProcess.run("/usr/bin/dpkg-deb", ["-x", package, unpacked]).status, 0)
        let help = try TestProcess.run(unpacked + "/usr/bin/peil", ["--help"], mergeErrors: true)
        XCTAssertEqual(help.status, 0, help.standardOutput)
        XCTAssertTrue(help.standardOutput.contains("coordinator"), help.standardOutput)
        let unit = try String(contentsOfFile: unpacked + "/lib/systemd/system/peil-agent.service", encoding: .utf8)
        for hardening in ["NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=\n", "User=peil", "Restart=on-failure"] {
            XCTAssertTrue(unit.contains(hardening), "peil-agent.service lacks \(hardening)")
        }
    }

    func testAUnitSystemdDoesNotAcceptStopsThePackage() throws {
        try TestRequirements.require(.peilBinary, .program(Self.tools[0]), .program(Self.tools[1]), .program(Self.tools[2]))
        // A copy of the script and deploy/ with one misspelt directive.
        let copy = try TestProcess.scratchFolder("peil-package-broken")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let files = FileManager.default
        try files.createDirectory(atPath: copy + "/ops", withIntermediateDirectories: true)
        // `cp -R`: the copies belong to whoever runs the test (Foundation's copy keeps the
        // source's group, which an ordinary user may not give a file).
        for (source, target) in [("ops/package", "/ops/package"), ("deploy", "/deploy")] {
            let copied = try TestProcess.run("/bin/cp", ["-R", TestPaths.inRepository(source).path, copy + target])
            XCTAssertEqual(copied.status, 0, copied.standardError)
        }
        let unitPath = copy + "/deploy/systemd/peil-agent.service"
        let unit = try String(contentsOfFile: unitPath, encoding: .utf8)
        try unit.replacingOccurrences(of: "NoNewPrivileges=yes", with: "NoNewPrivilege=yes").write(toFile: unitPath, atomically: true, encoding: .utf8)
        let build = try TestProcess.run(copy + "/ops/package", ["--binary", TestProcess.peil!, "--allow-unpackaged-libraries",
                                                                 "--out", copy + "/out", "--version", "0.0.1"], timeout: .seconds(300))
        XCTAssertNotEqual(build.status, 0)
        XCTAssertTrue(build.standardError.contains("NoNewPrivilege"), build.standardError)
        XCTAssertFalse(files.fileExists(atPath: copy + "/out/peil_0.0.1_amd64.deb"), "no package from a unit that does not verify")
    }
}
