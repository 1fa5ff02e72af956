import Foundation
import PeilTestSupport
import Testing

/// `peil resolve` refuses bad input with a clear message and a non-zero exit, before asking
/// anything (no lab needed). Each run is in a fresh, empty network namespace (`unshare --net`),
/// so even a run that wrongly went ahead could not send a packet anywhere.
@Suite("peil resolve input", .enabled(if: TestRequirements.isMet(.root, .peilBinary, .program("/usr/bin/unshare")),
                                      "needs root, unshare and the built peil"), .blockingWork)
struct ResolveCommandTests {
    private func refusal(_ arguments: [String]) throws -> String {
        let result = try TestProcess.run("/usr/bin/unshare", ["--net", TestProcess.peil!, "resolve"] + arguments,
                                           timeout: .seconds(30))
        #expect(result.status != 0, "\(arguments) should fail")
        #expect(result.standardOutput.isEmpty)
        return result.standardError
    }

    @Test func refusals() throws {
        let paths = try ResolverConfigurationTests.files(["hints": ResolverConfigurationTests.hints, "anchor": ResolverConfigurationTests.anchor,
                                                          "bad-hints": "; no root NS here\n"])
        let hints = paths["hints"]!, anchor = paths["anchor"]!
        #expect(try refusal(["example.nl", "--trust-anchor", anchor]).contains("exactly one of --root-hints"))
        #expect(try refusal(["example.nl", "--root-hints", hints, "--forwarder", "127.0.0.1", "--trust-anchor", anchor]).contains("exactly one"))
        #expect(try refusal(["example.nl", "--root-hints", hints]).contains("--trust-anchor"))
        #expect(try refusal(["exa mple.nl", "--root-hints", hints, "--trust-anchor", anchor]).contains("not a valid domain name"))
        #expect(try refusal(["example.nl", "--web-host", "www!.example.nl", "--root-hints", hints, "--trust-anchor", anchor]).contains("not a valid domain name"))
        #expect(try refusal(["example.nl", "--root-hints", hints, "--trust-anchor", anchor, "--families", "ipv5"]).contains("unknown family"))
        #expect(try refusal(["example.nl", "--root-hints", hints, "--trust-anchor", anchor, "--query-timeout", "0"]).contains("--query-timeout"))
        for wait in ["0", "0.05", "121"] {
            #expect(try refusal(["example.nl", "--root-hints", hints, "--trust-anchor", anchor, "--nameserver-wait", wait]).contains("--nameserver-wait"))
        }
        #expect(try refusal(["example.nl", "--root-hints", paths["bad-hints"]!, "--trust-anchor", anchor]).contains("rootHintsInvalid"))
        #expect(try refusal(["example.nl", "--forwarder", "9.9.9.9", "--trust-anchor", anchor]).contains("upstreamNotAllowed"))
        #expect(try refusal(["example.nl", "--root-hints", hints, "--trust-anchor", "/nonexistent"]).contains("trustAnchorInvalid"))
    }
}
