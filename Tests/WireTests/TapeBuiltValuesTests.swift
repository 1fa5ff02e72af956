import Foundation
import PeilModel
import PeilTestSupport
import XCTest
@testable import Wire

/// The values ``TapeDecoder`` builds from the tape (`TapeBuiltValues.swift`) against the same
/// decoder going through each type's own `init(from:)`: the same value for every report, and
/// for reports with one member removed, made null, given a value of another JSON type or an
/// enumeration's unknown word, the same error (its case, type, coding path and description)
/// or the same value.
final class TapeBuiltValuesTests: XCTestCase {
    private let built = WireJSONDecoder(buildsValues: true)
    private let throughInitFromDecoder = WireJSONDecoder(buildsValues: false)

    func testRandomReportsDecodeTheSameBuiltAndThroughTheirDecodable() throws {
        var reports = RandomReports(seed: 0x5EED_0B17)
        for round in 0..<1_000 {
            let report = reports.report()
            let data = try JSONEncoder().encode(report)
            let value = try built.decode(TaskReport.self, from: data)
            XCTAssertEqual(value, report, "round \(round)")
            XCTAssertEqual(value, try throughInitFromDecoder.decode(TaskReport.self, from: data), "round \(round)")
        }
    }

    /// Every member of every object of a report, changed one at a time, and pairs of members
    /// made wrong at once (so that the order members are read in shows). Where the built path
    /// and `init(from:)` disagreed on a fault (which member, which error) this fails; it also
    /// counts that each kind of change was refused somewhere, so it cannot pass on texts that
    /// no decoder looks into.
    func testEveryMemberChangedDecodesOrFailsTheSameWay() throws {
        var reports = RandomReports(seed: 0x5EED_0B18)
        var generator = SeededGenerator(seed: 0xB17)
        var outcomes: [String: (same: Int, refused: Int)] = [:]
        var kinds: Set<String> = []
        var decoded = 0
        while kinds.count < 4 || decoded < 30 {
            let report = reports.report()
            guard report.resolution != nil || report.connect != nil else { continue }
            decoded += 1
            kinds.insert(report.resolution != nil ? "resolution" : report.connect?.web != nil ? "web" : report.connect?.mail != nil ? "mail" : "other")
            try compareChanges(of: report, generator: &generator, outcomes: &outcomes)
        }
        for change in MemberChange.allCases.map({ "\($0)" }) + ["two"] {
            XCTAssertGreaterThan(outcomes[change]?.refused ?? 0, 20, "\(change) refused too seldom to tell: \(outcomes)")
        }
    }

    /// The same for the bodies of TASKS (assignments with and without family and target),
    /// READY, ACK and ACKS.
    func testTheOtherBodiesChangedDecodeOrFailTheSameWay() throws {
        var reports = RandomReports(seed: 0x5EED_0B19)
        var generator = SeededGenerator(seed: 0xB18)
        var outcomes: [String: (same: Int, refused: Int)] = [:]
        for _ in 0..<20 {
            try compareChanges(of: (0..<3).map { _ in reports.assignment() }, generator: &generator, outcomes: &outcomes)
        }
        try compareChanges(of: WireMessage.Credits(credits: 5), generator: &generator, outcomes: &outcomes)
        try compareChanges(of: WireMessage.AckBody(taskID: 7, attempt: 2), generator: &generator, outcomes: &outcomes)
        try compareChanges(of: WireMessage.AcksBody(acks: [.init(taskID: 7, attempt: 2), .init(taskID: 9, attempt: 1), .init(taskID: 11, attempt: 3)]),
                           generator: &generator, outcomes: &outcomes)
        for change in MemberChange.allCases.map({ "\($0)" }) {
            XCTAssertGreaterThan(outcomes[change]?.refused ?? 0, 5, "\(change) refused too seldom to tell: \(outcomes)")
        }
    }

    /// `value` encoded, then changed member by member (and pairs of members), decoded built and
    /// through `init(from:)`: the same value or the same error each time.
    private func compareChanges<T: Codable & Equatable>(of value: T, generator: inout SeededGenerator,
                                                        outcomes: inout [String: (same: Int, refused: Int)]) throws {
        let tree = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value))
        XCTAssertEqual(try built.decode(T.self, from: try JSONEncoder().encode(value)), value)
        for (object, keys) in Self.objects(in: tree, at: []) {
            var changes: [[(PathStep, MemberChange)]] = []
            for key in keys {
                for change in MemberChange.allCases where change == .removed || Int.random(in: 0..<3, using: &generator) == 0 {
                    changes.append([(.member(key), change)])
                }
            }
            // Two members wrong at once: the same one must be reported first.
            for (first, key) in keys.enumerated() {
                for other in keys[(first + 1)...] where Int.random(in: 0..<3, using: &generator) == 0 {
                    changes.append([(.member(key), .array), (.member(other), .array)])
                }
            }
            for change in changes {
                var changed = tree
                for (step, what) in change { changed = Self.changing(changed, at: (object + [step])[...], to: what) }
                let data = try JSONSerialization.data(withJSONObject: changed, options: [.sortedKeys, .fragmentsAllowed])
                let ours = Result { try built.decode(T.self, from: data) }
                let theirs = Result { try throughInitFromDecoder.decode(T.self, from: data) }
                let label = change.count == 1 ? "\(change[0].1)" : "two"
                let where_ = change.map { "\($0.1) at \((object + [$0.0]).map { "\($0)" }.joined(separator: "."))" }.joined(separator: ", ")
                switch (ours, theirs) {
                case (.success(let mine), .success(let expected)):
                    XCTAssertEqual(mine, expected, where_)
                case (.failure(let mine), .failure(let expected)):
                    XCTAssertEqual(Self.describe(mine), Self.describe(expected), where_)
                    outcomes[label, default: (0, 0)].refused += 1
                default:
                    XCTFail("\(where_): built \(ours), through init(from:) \(theirs)")
                }
                outcomes[label, default: (0, 0)].same += 1
            }
        }
    }

    private enum MemberChange: CaseIterable { case removed, null, number, negative, text, unknownWord, array, object, boolean }

    /// Every object in `value`: its path (member names and element positions) and its keys.
    private static func objects(in value: Any, at path: [PathStep]) -> [(path: [PathStep], keys: [String])] {
        if let object = value as? [String: Any] {
            let keys = object.keys.sorted()
            return [(path, keys)] + keys.flatMap { objects(in: object[$0]!, at: path + [.member($0)]) }
        }
        if let array = value as? [Any] {
            return array.indices.flatMap { objects(in: array[$0], at: path + [.element($0)]) }
        }
        return []
    }

    private enum PathStep: CustomStringConvertible {
        case member(String), element(Int)
        var description: String {
            switch self {
            case .member(let name): name
            case .element(let index): "\(index)"
            }
        }
    }

    private static func changing(_ value: Any, at path: ArraySlice<PathStep>, to change: MemberChange) -> Any {
        guard let step = path.first else { return value }
        switch step {
        case .member(let name):
            var object = value as! [String: Any]
            if path.count == 1 {
                switch change {
                case .removed: object[name] = nil
                case .null: object[name] = NSNull()
                case .number: object[name] = 70_000
                case .negative: object[name] = -1
                case .text: object[name] = "7"
                case .unknownWord: object[name] = "no such word"
                case .array: object[name] = [1, "a"]
                case .object: object[name] = ["x": 1]
                case .boolean: object[name] = true
                }
            } else {
                object[name] = changing(object[name]!, at: path.dropFirst(), to: change)
            }
            return object
        case .element(let index):
            var array = value as! [Any]
            array[index] = changing(array[index], at: path.dropFirst(), to: change)
            return array
        }
    }

    /// A decoding error as far as a caller can tell errors apart.
    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "keyNotFound \(key.stringValue) at \(path(context)): \(context.debugDescription)"
        case DecodingError.valueNotFound(let type, let context): return "valueNotFound \(type) at \(path(context)): \(context.debugDescription)"
        case DecodingError.typeMismatch(let type, let context): return "typeMismatch \(type) at \(path(context)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context): return "dataCorrupted at \(path(context)): \(context.debugDescription)"
        default: return "\(type(of: error)): \(error)"
        }
    }
}
