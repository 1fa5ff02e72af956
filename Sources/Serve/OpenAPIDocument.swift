import Foundation

/// The committed OpenAPI 3.1 document (`Sources/Serve/openapi.json`, compiled into the binary)
/// served at `/api/v1/openapi.json`, and the schemas of its operations: the server checks every
/// JSON request body against its operation's schema, the tests every response.
public struct OpenAPIDocument: Sendable {
    /// The document's bytes, as committed.
    public let bytes: [UInt8]
    public let root: JSONValue
    public let validator: SchemaValidator

    /// The document compiled into this binary.
    /// - Throws: ``JSONValueError`` when the committed file is not JSON (a test catches that).
    public static func bundled() throws -> OpenAPIDocument {
        try OpenAPIDocument(bytes: PackageResources.openapi_json)
    }

    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        self.root = try JSONValue.parse(Data(bytes))
        let schemas: [String: JSONValue] = if case .object(let all) = root["components"]?["schemas"] { all } else { [:] }
        self.validator = SchemaValidator(schemas: schemas)
    }

    /// Every operation as `METHOD PATH` (`GET /api/v1/sets`), sorted.
    public var operations: [String] {
        guard case .object(let paths) = root["paths"] else { return [] }
        return paths.flatMap { path, item -> [String] in
            guard case .object(let methods) = item else { return [] }
            return methods.keys.map { "\($0.uppercased()) \(path)" }
        }.sorted()
    }

    /// The operation object of `method` on `path` (the document's path template, `{id}`).
    public func operation(_ method: String, _ path: String) -> JSONValue? {
        root["paths"]?[path]?[method.lowercased()]
    }

    /// The JSON schema of the operation's request body, nil when it takes no JSON body.
    public func requestSchema(_ method: String, _ path: String) -> JSONValue? {
        operation(method, path)?["requestBody"]?["content"]?["application/json"]?["schema"]
    }

    /// The JSON schema of the response with `status` (else the operation's `default` response),
    /// nil when that response has no JSON body.
    public func responseSchema(_ method: String, _ path: String, status: Int) -> JSONValue? {
        let responses = operation(method, path)?["responses"]
        return (responses?[String(status)] ?? responses?["default"])?["content"]?["application/json"]?["schema"]
    }

    /// Whether the operation documents a response with `status` (or a `default` one).
    public func documents(_ method: String, _ path: String, status: Int) -> Bool {
        let responses = operation(method, path)?["responses"]
        return responses?[String(status)] != nil || responses?["default"] != nil
    }
}
