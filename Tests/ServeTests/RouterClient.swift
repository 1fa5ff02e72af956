import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import Serve
import Synchronization

/// One answer of ``RouterClient``: the response's head and its whole body.
struct RouterAnswer: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer

    var text: String { String(buffer: body) }
}

/// Sends requests straight to the application's router, in process, with no socket: each
/// request gets a context of its own, as a connection's would, and its response body is
/// written out whole. A responder's error becomes a 500, as the server makes it.
struct RouterClient: Sendable {
    let responder: RouterResponder<APIContext>
    let logger = Logger(label: "peil.serve.test")

    init(router: Router<APIContext>) {
        responder = router.buildResponder()
    }

    func execute(uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> RouterAnswer {
        var headers = headers
        if let body { headers[.contentLength] = String(body.readableBytes) }
        let request = Request(head: .init(method: method, scheme: "http", authority: "localhost", path: uri, headerFields: headers),
                              body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = APIContext(source: ApplicationRequestContextSource(channel: NIOAsyncTestingChannel(), logger: logger))
        let response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            response = Response(status: .internalServerError)
        }
        let collected = CollectedBody()
        try await response.body.write(CollectingWriter(collected: collected))
        return RouterAnswer(status: response.status, headers: response.headers, body: collected.buffer.withLock { $0 })
    }
}

/// The body a response wrote.
private final class CollectedBody: Sendable {
    let buffer = Mutex(ByteBuffer())
}

private struct CollectingWriter: ResponseBodyWriter {
    let collected: CollectedBody

    mutating func write(_ buffer: ByteBuffer) async throws {
        _ = collected.buffer.withLock { $0.writeImmutableBuffer(buffer) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
