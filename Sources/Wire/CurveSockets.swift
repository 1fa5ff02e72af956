import CZeroMQ
import Foundation

/// The transport limits both ends set, so that no peer can make the other hold unbounded
/// memory or a dead connection.
public enum WireLimits {
    /// The largest message a socket accepts: 16 MiB. A larger one closes the connection
    /// (libzmq's `ZMQ_MAXMSGSIZE`). The largest legitimate message is a RESULT, whose
    /// observation the coordinator accepts up to 8 MiB (`ReportAdmission.maximumObservationBytes`)
    /// plus 64 KiB of detail; its JSON envelope adds little.
    public static let maximumMessageBytes: Int64 = 16 << 20
    /// Messages queued per peer for receiving before libzmq stops reading from it.
    public static let receiveHighWaterMark: Int32 = 256
    /// Messages queued per peer for sending before a send fails (EAGAIN / EHOSTUNREACH).
    public static let sendHighWaterMark: Int32 = 1000
    /// ZMTP heartbeats, on the agent's DEALER only: a PING this often (milliseconds)…
    public static let heartbeatIntervalMilliseconds: Int32 = 2_000
    /// …and a connection that answers none for this long is closed.
    public static let heartbeatTimeoutMilliseconds: Int32 = 10_000
    /// The remote end closes the connection after this long without hearing from this one.
    public static let heartbeatTTLMilliseconds: Int32 = 20_000
    /// A CURVE handshake must finish within this (milliseconds).
    public static let handshakeMilliseconds: Int32 = 10_000

    /// The coordinator's ROUTER finds dead connections by TCP keepalive instead of ZMTP
    /// heartbeats: a probe after this many seconds of silence…
    public static let keepaliveIdleSeconds: Int32 = 10
    /// …then every this many seconds, and the connection is closed after this many unanswered.
    public static let keepaliveIntervalSeconds: Int32 = 2
    public static let keepaliveProbes: Int32 = 5

    /// Sets every limit on `socket`. ZMTP heartbeats only with `heartbeats`: libzmq 4.3.4
    /// aborts the whole process (`!_io_error`, stream_engine_base.cpp; libzmq issues 4364 and
    /// 4767, unfixed) when its heartbeat timer fires on a connection whose peer hung up while
    /// the queue from it was full, so an agent that floods and exits would stop a coordinator
    /// that sends heartbeats. The coordinator's ROUTER gets TCP keepalive instead.
    static func apply(to socket: ZMQSocket, heartbeats: Bool) throws {
        try socket.setOption(ZMQ_MAXMSGSIZE, int64: maximumMessageBytes)
        try socket.setOption(ZMQ_RCVHWM, receiveHighWaterMark)
        try socket.setOption(ZMQ_SNDHWM, sendHighWaterMark)
        if heartbeats {
            try socket.setOption(ZMQ_HEARTBEAT_IVL, heartbeatIntervalMilliseconds)
            try socket.setOption(ZMQ_HEARTBEAT_TIMEOUT, heartbeatTimeoutMilliseconds)
            try socket.setOption(ZMQ_HEARTBEAT_TTL, heartbeatTTLMilliseconds)
        } else {
            try socket.setOption(ZMQ_TCP_KEEPALIVE, 1)
            try socket.setOption(ZMQ_TCP_KEEPALIVE_IDLE, keepaliveIdleSeconds)
            try socket.setOption(ZMQ_TCP_KEEPALIVE_INTVL, keepaliveIntervalSeconds)
            try socket.setOption(ZMQ_TCP_KEEPALIVE_CNT, keepaliveProbes)
        }
        try socket.setOption(ZMQ_HANDSHAKE_IVL, handshakeMilliseconds)
    }
}

/// How a coordinator's CURVE ROUTER is set up.
public struct CurveServerOptions: Sendable {
    /// The server's secret key (Z85); clients are given its public key.
    public var secretKey: String
    /// Fail a send to an unknown or gone peer (EHOSTUNREACH) instead of dropping it silently.
    public var routerMandatory = true
    /// Accept IPv6 as well as IPv4 connections.
    public var ipv6 = true

    public init(secretKey: String) {
        self.secretKey = secretKey
    }
}

/// How an agent's CURVE DEALER is set up.
public struct CurveClientOptions: Sendable {
    /// The server's public key (Z85).
    public var serverPublicKey: String
    /// The client's own key pair; the server's allow-list must hold its public key.
    public var keyPair: CurveKeyPair
    /// The routing id the server sees this socket under (nil: libzmq picks one).
    public var routingID: String?
    /// Connect over IPv6 as well as IPv4.
    public var ipv6 = true

    public init(serverPublicKey: String, keyPair: CurveKeyPair, routingID: String? = nil) {
        self.serverPublicKey = serverPublicKey
        self.keyPair = keyPair
        self.routingID = routingID
    }
}

extension ZMQSocket {
    /// A ROUTER that speaks CURVE as the server, with ``WireLimits`` (no ZMTP heartbeats of its
    /// own: it answers the agents' and uses TCP keepalive). It admits clients through
    /// the context's ZAP handler (a ``ZAPAuthenticator``); bind it afterwards. A client that
    /// reconnects under the routing id of a connection that still looks alive takes it over
    /// (`ZMQ_ROUTER_HANDOVER`): routing ids are the clients' to choose, so the coordinator
    /// checks every message's authenticated key against its session's.
    public static func curveServerRouter(context: ZMQContext, options: CurveServerOptions) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: .router)
        try WireLimits.apply(to: socket, heartbeats: false)
        try socket.setOption(ZMQ_ROUTER_HANDOVER, 1)
        try socket.setOption(ZMQ_CURVE_SERVER, 1)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, options.secretKey)
        if options.routerMandatory { try socket.setOption(ZMQ_ROUTER_MANDATORY, 1) }
        if options.ipv6 { try socket.setOption(ZMQ_IPV6, 1) }
        return socket
    }

    /// A DEALER that speaks CURVE as a client, with ``WireLimits``; connect it afterwards.
    public static func curveClientDealer(context: ZMQContext, options: CurveClientOptions) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: .dealer)
        try WireLimits.apply(to: socket, heartbeats: true)
        try socket.setOption(ZMQ_CURVE_SERVERKEY, options.serverPublicKey)
        try socket.setOption(ZMQ_CURVE_PUBLICKEY, options.keyPair.publicKey)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, options.keyPair.secretKey)
        if let routingID = options.routingID { try socket.setOption(ZMQ_ROUTING_ID, routingID) }
        if options.ipv6 { try socket.setOption(ZMQ_IPV6, 1) }
        return socket
    }
}
