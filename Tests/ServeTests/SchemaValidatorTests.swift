import Foundation
import Serve
import XCTest

/// The JSON Schema subset the API's document uses, each keyword shown to refuse what it should.
final class SchemaValidatorTests: XCTestCase {
    let validator = SchemaValidator(schemas: [
        "Thing": try! JSONValue.parse(Data("""
            {"type": "object", "required": ["name"], "additionalProperties": false,
             "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
                            "count": {"type": "integer", "minimum": 0, "maximum": 10},
                            "kind": {"type": "string", "enum": ["a", "b"]},
                            "note": {"type": ["string", "null"]},
                            "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                            "extra": {"type": "object", "additionalProperties": {"type": "integer"}}}}
            """.utf8)),
    ])
    let thing = JSONValue.object(["$ref": .string("#/components/schemas/Thing")])

    func problems(_ text: String) throws -> [String] {
        validator.problems(try JSONValue.parse(Data(text.utf8)), against: thing)
    }

    func testAFittingValueHasNoProblems() throws {
        XCTAssertEqual(try problems(#"{"name": "abc", "count": 3, "kind": "a", "note": null, "tags": ["x"], "extra": {"n": 1}}"#), [])
        XCTAssertEqual(try problems(#"{"name": "abc", "note": "text"}"#), [])
    }

    func testEachKeywordRefuses() throws {
        XCTAssertEqual(try problems(#"{"count": 1}"#), ["$: required field 'name' is missing"])
        XCTAssertEqual(try problems(#"{"name": "abc", "colour": "red"}"#), ["$: unknown field 'colour'"])
        XCTAssertEqual(try problems(#"{"name": 5}"#), ["$.name: expected string, found number"])
        XCTAssertEqual(try problems(#"{"name": "abc", "count": 1.5}"#), ["$.count: expected integer, found number"])
        XCTAssertEqual(try problems(#"{"name": "abc", "count": -1}"#), ["$.count: below 0.0"])
        XCTAssertEqual(try problems(#"{"name": "abc", "count": 11}"#), ["$.count: above 10.0"])
        XCTAssertEqual(try problems(#"{"name": ""}"#), ["$.name: shorter than 1 characters", "$.name: does not match ^[a-z]+$"])
        XCTAssertEqual(try problems(#"{"name": "abcdef"}"#), ["$.name: longer than 5 characters"])
        XCTAssertEqual(try problems(#"{"name": "ABC"}"#), ["$.name: does not match ^[a-z]+$"])
        XCTAssertEqual(try problems(#"{"name": "abc", "kind": "c"}"#), ["$.kind: not one of the allowed values"])
        XCTAssertEqual(try problems(#"{"name": "abc", "note": 1}"#), ["$.note: expected null or string, found number"])
        XCTAssertEqual(try problems(#"{"name": "abc", "tags": []}"#), ["$.tags: fewer than 1 items"])
        XCTAssertEqual(try problems(#"{"name": "abc", "tags": ["a", "b", "c"]}"#), ["$.tags: more than 2 items"])
        XCTAssertEqual(try problems(#"{"name": "abc", "tags": [true]}"#), ["$.tags[0]: expected string, found boolean"])
        XCTAssertEqual(try problems(#"{"name": "abc", "extra": {"n": "x"}}"#), ["$.extra.n: expected integer, found string"])
        XCTAssertEqual(try problems(#"[1]"#), ["$: expected object, found array"])
    }

    func testOneOfNeedsExactlyOneAlternative() throws {
        let schema = try JSONValue.parse(Data(#"{"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"}]}"#.utf8))
        XCTAssertEqual(validator.problems(.string("x"), against: schema), [])
        XCTAssertEqual(validator.problems(.number(1.5), against: schema), [])
        XCTAssertEqual(validator.problems(.number(2), against: schema), ["$: fits 2 of the oneOf alternatives, not exactly one"])
        XCTAssertEqual(validator.problems(.null, against: schema), ["$: fits 0 of the oneOf alternatives, not exactly one"])
    }

    func testAnUnresolvableReferenceAndUnsupportedKeywordsAreReported() throws {
        XCTAssertEqual(validator.problems(.null, against: .object(["$ref": .string("#/components/schemas/Nothing")])),
                       ["$: unresolvable $ref #/components/schemas/Nothing"])
        let schema = try JSONValue.parse(Data(#"{"type": "object", "properties": {"a": {"anyOf": [], "description": "x"}}, "allOf": []}"#.utf8))
        XCTAssertEqual(SchemaValidator.unsupportedKeywords(in: schema), ["$: allOf", "$.properties.a: anyOf"])
    }

    func testMalformedJSONIsNamed() {
        XCTAssertThrowsError(try JSONValue.parse(Data(#"{"name": "#.utf8))) { error in
            XCTAssertTrue("\(error)".hasPrefix("malformed JSON: "), "\(error)")
        }
    }
}

/// The token bucket behind the per-key rate limit.
final class TokenBucketTests: XCTestCase {
    func testABucketEmptiesAndRefills() {
        var buckets = TokenBuckets(burst: 2, perSecond: 4)
        let start = ContinuousClock.now
        XCTAssertNil(buckets.take(1, now: start))
        XCTAssertNil(buckets.take(1, now: start))
        XCTAssertEqual(buckets.take(1, now: start), .milliseconds(250), "empty: a token comes a quarter second later")
        XCTAssertNil(buckets.take(2, now: start), "another key has its own bucket")
        XCTAssertNil(buckets.take(1, now: start + .milliseconds(260)))
        XCTAssertNotNil(buckets.take(1, now: start + .milliseconds(260)))
        XCTAssertNil(buckets.take(1, now: start + .seconds(10)))
        XCTAssertNil(buckets.take(1, now: start + .seconds(10)), "refilled to the burst, no further")
        XCTAssertNotNil(buckets.take(1, now: start + .seconds(10)))
    }
}
