import CZeroMQ
import Foundation

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
    /// A ROUTER that speaks CURVE as the server. It admits clients through the context's ZAP
    /// handler (a ``ZAPAuthenticator``); bind it afterwards.
    public static func curveServerRouter(context: ZMQContext, options: CurveServerOptions) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: .router)
        try socket.setOption(ZMQ_CURVE_SERVER, 1)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, options.secretKey)
        if options.routerMandatory { try socket.setOption(ZMQ_ROUTER_MANDATORY, 1) }
        if options.ipv6 { try socket.setOption(ZMQ_IPV6, 1) }
        return socket
    }

    /// A DEALER that speaks CURVE as a client; connect it afterwards.
    public static func curveClientDealer(context: ZMQContext, options: CurveClientOptions) throws -> ZMQSocket {
        let socket = try ZMQSocket(context: context, kind: .dealer)
        try socket.setOption(ZMQ_CURVE_SERVERKEY, options.serverPublicKey)
        try socket.setOption(ZMQ_CURVE_PUBLICKEY, options.keyPair.publicKey)
        try socket.setOption(ZMQ_CURVE_SECRETKEY, options.keyPair.secretKey)
        if let routingID = options.routingID { try socket.setOption(ZMQ_ROUTING_ID, routingID) }
        if options.ipv6 { try socket.setOption(ZMQ_IPV6, 1) }
        return socket
    }
}
