@testable import Agent
import PeilModel
import Testing

/// `GET /` of a `web` task keeps its body as a digest (``WebPageDigest``), never the page; a body
/// cut short is the digest's error, not the exchange's.
@Suite struct PageExchangeTests {
    @Test func theBodyBecomesADigest() {
        let read = (exchange: HTTPExchange(url: "https://h/", status: 200, bodyBytes: 5), body: Array("hello".utf8), truncated: true)
        let exchange = EndpointProbes.pageExchange(read)
        #expect(exchange.page == WebPageDigest(body: Array("hello".utf8), truncated: true))
        #expect(exchange.page?.length == 5 && exchange.page?.histogram[Int(UInt8(ascii: "l"))] == 2)
    }

    @Test func aBodyCutShortIsTheDigestsError() {
        let read = (exchange: HTTPExchange(url: "https://h/", status: 200, error: "closed inside the body after 3 bytes"), body: Array("hel".utf8), truncated: false)
        let exchange = EndpointProbes.pageExchange(read)
        #expect(exchange.error == nil && exchange.page?.error == "closed inside the body after 3 bytes")
    }

    @Test func noResponseNoDigest() {
        let read = (exchange: HTTPExchange(url: "https://h/", error: "no complete response head within 10 s"), body: [UInt8](), truncated: false)
        let exchange = EndpointProbes.pageExchange(read)
        #expect(exchange.page == nil && exchange.error == "no complete response head within 10 s")
    }
}
