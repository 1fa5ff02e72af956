import DANE
import Foundation
import PeilTestSupport
import XCTest

/// OpenSSL 3.0's own DANE test cases (`test/danetest.in`, `dane-cross.in`) in
/// `../shared/vectors/openssl-dane`: every case must give OpenSSL's expected verify result and
/// match depth through `DANEVerifier`, configured as `danetest.c` configures OpenSSL (SHA2-256
/// preferred, names checked against the base domain unless the case says `nonamechecks`).
final class OpenSSLDANEVectorTests: XCTestCase {
    struct Case {
        let number: Int
        let line: Int
        let records: [TLSARecord]
        let chain: [[UInt8]]
        let noNameChecks: Bool
        let wantError: Int32
        let wantDepth: Int
    }

    static let directory = TestPaths.vectors.appendingPathComponent("openssl-dane")

    /// DER certificates of the PEM blocks in `text`, in order.
    static func pemCertificates(_ lines: [Substring]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var body: String?
        for line in lines {
            if line.hasPrefix("-----BEGIN CERTIFICATE-----") { body = "" }
            else if line.hasPrefix("-----END CERTIFICATE-----") {
                if let b = body, let data = Data(base64Encoded: b) { out.append([UInt8](data)) }
                body = nil
            } else if body != nil { body! += line.trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    /// The cases of one `.in` file (format: the header comment of `danetest.in`).
    static func load(_ name: String) throws -> [Case] {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var cases: [Case] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let header = line.split(separator: " ").compactMap { Int($0) }
            guard header.count == 5 else { throw CocoaError(.fileReadCorruptFile) }
            let headerLine = index
            var records: [TLSARecord] = []
            while records.count < header[0] {
                let tlsa = lines[index].trimmingCharacters(in: .whitespaces)
                index += 1
                if tlsa.isEmpty || tlsa.hasPrefix("#") { continue }
                records.append(try TLSARecord(parsing: tlsa))
            }
            var certLines: [Substring] = []
            var ends = 0
            while ends < header[1] {
                certLines.append(lines[index])
                if lines[index].hasPrefix("-----END CERTIFICATE-----") { ends += 1 }
                index += 1
            }
            let chain = pemCertificates(certLines)
            guard chain.count == header[1] else { throw CocoaError(.fileReadCorruptFile) }
            cases.append(Case(number: cases.count + 1, line: headerLine, records: records, chain: chain,
                              noNameChecks: header[2] != 0, wantError: Int32(header[3]), wantDepth: header[4]))
        }
        return cases
    }

    func run(_ file: String, anchor: String, base: String, expectedCount: Int) throws -> Int {
        let cases = try Self.load(file)
        XCTAssertEqual(cases.count, expectedCount)
        let pem = try String(contentsOf: Self.directory.appendingPathComponent(anchor), encoding: .utf8)
        let anchors = Self.pemCertificates(pem.split(separator: "\n"))
        XCTAssertFalse(anchors.isEmpty)
        var passed = 0
        for c in cases {
            let options = DANEVerificationOptions(baseDomain: base, checkNames: !c.noNameChecks,
                                                  trustAnchors: anchors, digestPreference: .sha256)
            let result = try DANEVerifier.verify(records: c.records, chain: c.chain, options: options)
            let depth = result.matchDepth ?? -1
            XCTAssertEqual(result.verifyError, c.wantError, "\(file) case \(c.number) (line \(c.line)): \(result.verifyErrorText)")
            XCTAssertEqual(depth, c.wantDepth, "\(file) case \(c.number) (line \(c.line)) depth")
            if c.wantDepth >= 0 { XCTAssertNotNil(result.matchedRecord, "\(file) case \(c.number)") }
            if result.verifyError == c.wantError, depth == c.wantDepth { passed += 1 }
        }
        print("openssl-dane \(file): \(passed)/\(cases.count) cases pass")
        return passed
    }

    func testDanetestIn() throws {
        XCTAssertEqual(try run("danetest.in", anchor: "danetest.pem", base: "example.com", expectedCount: 54), 54)
    }

    func testDaneCrossIn() throws {
        XCTAssertEqual(try run("dane-cross.in", anchor: "cross-root.pem", base: "server.example", expectedCount: 1), 1)
    }
}
