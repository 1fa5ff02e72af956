import Foundation
import FuzzDriver
import PeilModel
import Wire

/// libFuzzer entry: one coordinator–agent message (`WireMessage(frames:)`), as either side
/// receives it from a peer. The first byte picks the kind frame (one of the protocol's kinds,
/// or, for 255, the frames are the input split at each NUL byte: any kind, any frame count);
/// the rest is the body frame.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Data(UnsafeBufferPointer(start: data, count: size))
    guard let selector = input.first else { return 0 }
    let rest = input.dropFirst()
    let kinds = ["HELLO", "WELCOME", "READY", "TASKS", "RESULT", "ACK", "HEARTBEAT", "BYE", "REJECT", "ACKS", "RESULTS"]
    let frames: [Data]
    if selector == 255 {
        frames = rest.split(separator: 0, omittingEmptySubsequences: false).map { Data($0) }
    } else {
        frames = [Data(kinds[Int(selector) % kinds.count].utf8), Data(rest)]
    }
    guard let message = try? WireMessage(frames: frames) else { return 0 }
    // What the wire's decoder takes, Foundation's `JSONDecoder` takes as the same value
    // (`WireJSONDecoder` is stricter, never looser or different).
    switch message {
    case .result(let report):
        guard (try? JSONDecoder().decode(TaskReport.self, from: frames[1])) == report else { fatalError("RESULT differs from JSONDecoder's") }
        checkLayout(frames, [report])
    case .results(let reports):
        struct Body: Decodable { var results: [TaskReport] }
        guard (try? JSONDecoder().decode(Body.self, from: frames[1]))?.results == reports else { fatalError("RESULTS differ from JSONDecoder's") }
        checkLayout(frames, reports)
    case .tasks(let tasks):
        guard (try? JSONDecoder().decode([TaskAssignment].self, from: frames[1])) == tasks else { fatalError("TASKS differ from JSONDecoder's") }
    case .acks(let acks):
        struct Body: Decodable { var acks: [WireMessage.Acknowledgement] }
        guard (try? JSONDecoder().decode(Body.self, from: frames[1]))?.acks == acks else { fatalError("ACKS differ from JSONDecoder's") }
    case .hello(let hello):
        guard (try? JSONDecoder().decode(WireMessage.Hello.self, from: frames[1])) == hello else { fatalError("HELLO differs from JSONDecoder's") }
    default:
        break
    }
    // What was accepted can be sent on (the coordinator logs and stores it).
    _ = try? message.frames()
    _ = String(describing: message)
    return 0
}

/// Each report's bytes and its observation's, which the coordinator stores as sent, read as what was decoded.
func checkLayout(_ frames: [Data], _ reports: [TaskReport]) {
    guard let layout = (try? WireMessage.received(frames: frames))?.reports, layout.count == reports.count else {
        fatalError("a report without its place in the body")
    }
    func slice(_ range: Range<Int>) -> Data { frames[1][(frames[1].startIndex + range.lowerBound)..<(frames[1].startIndex + range.upperBound)] }
    for (report, place) in zip(reports, layout) {
        guard (try? JSONDecoder().decode(TaskReport.self, from: slice(place.bytes))) == report else { fatalError("a report's bytes do not read as the report") }
        guard let range = place.observation else { continue }
        let same = report.resolution.map { (try? JSONDecoder().decode(ResolutionObservation.self, from: slice(range))) == $0 }
            ?? report.connect.map { (try? JSONDecoder().decode(ConnectObservation.self, from: slice(range))) == $0 } ?? false
        guard same else { fatalError("the observation's bytes do not read as the observation decoded") }
    }
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
