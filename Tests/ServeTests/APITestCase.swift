import Checks
import Foundation
import Hummingbird
import PeilModel
import PeilTestSupport
import Serve
import Store
import XCTest

/// One answer of the API, its JSON (when it is JSON) already checked against the OpenAPI
/// document by ``APIClient``.
struct APIAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    var text: String
    var json: JSONValue?

    /// `error.message` of an error answer.
    var message: String { json?["error"]?["message"]?.string ?? "" }
    /// `error.problems` of an error answer.
    var problems: [String] {
        guard case .array(let items) = json?["error"]?["problems"] else { return [] }
        return items.compactMap(\.string)
    }
    /// `items` of a page.
    var items: [JSONValue] {
        guard case .array(let items) = json?["items"] else { return [] }
        return items
    }
}

/// Sends requests to the router (``RouterClient``) and checks each answer against the
/// committed OpenAPI document: the operation is in it (by method and path template), the
/// status is documented, and a JSON body fits the status's schema.
struct APIClient: Sendable {
    let client: RouterClient
    let document: OpenAPIDocument

    func call(_ method: HTTPRequest.Method, _ uri: String, key: String? = nil, body: String? = nil,
              file: StaticString = #filePath, line: UInt = #line) async throws -> APIAnswer {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let text = response.text
        let isJSON = response.headers[.contentType]?.hasPrefix("application/json") ?? false
        let json = isJSON ? try JSONValue.parse(Data(text.utf8)) : nil
        let answer = APIAnswer(status: Int(response.status.code), headers: response.headers, text: text, json: json)
        validate(answer, method.rawValue, uri, file: file, line: line)
        return answer
    }

    /// The document's path template that `uri` (without its query) matches, for `method`.
    func template(_ method: String, _ uri: String) -> String? {
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return document.operations.compactMap { operation -> String? in
            let parts = operation.split(separator: " ", maxSplits: 1)
            guard parts[0] == method else { return nil }
            let templateSegments = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard templateSegments.count == segments.count else { return nil }
            let fits = zip(templateSegments, segments).allSatisfy { template, segment in
                template.hasPrefix("{") ? !segment.isEmpty : template == segment
            }
            return fits ? String(parts[1]) : nil
        }.first
    }

    func validate(_ answer: APIAnswer, _ method: String, _ uri: String, file: StaticString, line: UInt) {
        guard let template = template(method, uri) else {
            // Not an operation of the document: only the JSON error answer is expected.
            XCTAssertTrue([404, 405].contains(answer.status), "\(method) \(uri) is not in the document but answered \(answer.status)", file: file, line: line)
            if let json = answer.json {
                let schema = JSONValue.object(["$ref": .string("#/components/schemas/Error")])
                XCTAssertEqual(document.validator.problems(json, against: schema), [], file: file, line: line)
            }
            return
        }
        XCTAssertTrue(document.documents(method, template, status: answer.status),
                      "\(method) \(template) answered \(answer.status), which the document does not list", file: file, line: line)
        guard let json = answer.json else { return }
        guard let schema = document.responseSchema(method, template, status: answer.status) else {
            XCTFail("\(method) \(template) \(answer.status) has a JSON body but no JSON schema", file: file, line: line)
            return
        }
        XCTAssertEqual(document.validator.problems(json, against: schema), [],
                       "\(method) \(uri) \(answer.status) does not fit the document: \(answer.text.prefix(500))", file: file, line: line)
    }
}

/// A fresh database per test (skipped without PostgreSQL), an application over it, and keys.
class APITestCase: DatabaseTestCase {
    /// A tiny Public Suffix List: the tests' domains are all under .nl.
    static let suffixList = PublicSuffixList(text: "nl\ncom\n")

    func configuration(maxBodyBytes: Int = 64 << 10, rateBurst: Double = 1000, ratePerSecond: Double = 1000) -> ServeConfiguration {
        ServeConfiguration(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes, rateBurst: rateBurst, ratePerSecond: ratePerSecond,
                           loadSuffixList: { APITestCase.suffixList })
    }

    /// A new key's secret.
    func makeKey(_ name: String, _ role: APIRole, tag: TagLimit? = nil) throws -> String {
        let secret = APISecret.generate()
        _ = try store.createAPIKey(name: name, role: role, tag: tag, secretSHA256: APISecret.sha256(secret))
        return secret
    }

    /// Runs `body` with a client of an application over this test's database.
    func withAPI(_ configuration: ServeConfiguration? = nil, _ body: @escaping @Sendable (APIClient) async throws -> Void) async throws {
        let router = try ServeApplication.router(store: store, configuration: configuration ?? self.configuration())
        try await body(APIClient(client: RouterClient(router: router), document: try OpenAPIDocument.bundled()))
    }

    /// Leases every queued task and reports each resolved (no MX, no DMARC, TXT `note`).
    func complete(_ id: Int64, note: String = "v=spf1 -all") throws {
        let tasks = try store.claimTasks(agentID: "agent", families: [.ipv4, .ipv6], limit: 1000, leaseSeconds: 300)
        for task in tasks where task.kind == .resolve {
            let facts = DNSFacts(domain: task.domain, dnssec: .insecure, nsZone: task.domain, nameservers: [],
                                 domainAddresses: HostAddresses(host: task.domain), web: HostAddresses(host: task.webHost), webDNSSEC: .insecure,
                                 mx: [], nullMX: false, txt: [note], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
            let report = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                    resolution: ResolutionObservation(facts: facts, queries: []))
            _ = try store.recordReport(report, agentID: "agent", maxAttempts: 3)
        }
    }

    /// Two organisations' domains in one set: agency Alpha has a.nl and b.nl, Beta has z.nl.
    static let taggedList = "domain,agency\na.nl,Alpha\nb.nl,Alpha\nz.nl,Beta\n"

    func importTaggedSet() throws {
        _ = try store.importSet(name: "gov", entries: try SeedList.parse(Self.taggedList, fileName: "gov.csv"))
    }
}

/// JSON text of `value` (a request body).
func json(_ value: [String: Any]) -> String {
    String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
}
