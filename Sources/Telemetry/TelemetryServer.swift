import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 listener for ``TelemetryRoutes``: one event-loop thread, bound to exactly
/// the address given. Each answer closes its connection; a request with more than
/// ``maximumBodyBytes`` of body is answered 413, and NIO's parser bounds the head.
public final class TelemetryServer: Sendable {
    /// The most body bytes a request may carry (GET has none).
    public static let maximumBodyBytes = 1024

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The port bound (the one given, or the kernel's choice for port 0).
    public let port: Int

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.group = group
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// Binds `host`:`port` and serves `routes` until ``stop()``.
    public static func start(host: String, port: Int, routes: TelemetryRoutes) async throws -> TelemetryServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 32)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(TelemetryHTTPHandler(routes: routes))
                    }
                }
                .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            return TelemetryServer(group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening and ends the event loop.
    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// One connection: reads a request, answers it through the routes, closes.
final class TelemetryHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: TelemetryRoutes
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    private var answered = false

    init(routes: TelemetryRoutes) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(let body):
            bodyBytes += body.readableBytes
            if bodyBytes > TelemetryServer.maximumBodyBytes {
                respond(TelemetryRoutes.text(413, "request too large\n"), method: .GET, context: context)
            }
        case .end:
            guard let head else { return }
            respond(routes.answer(method: head.method.rawValue, uri: head.uri), method: head.method, context: context)
        }
    }

    private func respond(_ response: TelemetryRoutes.Response, method: HTTPMethod, context: ChannelHandlerContext) {
        answered = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(response.body.count)")
        headers.add(name: "Connection", value: "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
