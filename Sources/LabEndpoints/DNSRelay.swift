import CEpoll
import Foundation

/// What the DNS delay relay does: per published nameserver address, the loopback port of the
/// knotd that answers for it, and the delay. `peil lab up` writes it; `peil lab serve
/// --dns-relay` reads it.
public struct DNSRelayPlan: Codable, Sendable, Hashable {
    /// Delay added to every answer (jitter ±25%).
    public var rttMilliseconds: Int
    public var routes: [DNSRelayRoute]
    /// Answers to questions of some types delayed by a fixed time instead (nil: none).
    public var slowAnswers: DNSSlowAnswers?
    /// The share of UDP queries dropped unanswered, in percent (nil or 0: none), as a lossy path
    /// or a busy server loses them: for what the resolver makes of lost answers.
    public var lossPercent: Double?

    public init(rttMilliseconds: Int, routes: [DNSRelayRoute], slowAnswers: DNSSlowAnswers? = nil, lossPercent: Double? = nil) {
        self.rttMilliseconds = rttMilliseconds
        self.routes = routes
        self.slowAnswers = slowAnswers
        self.lossPercent = lossPercent
    }

    /// Whether to drop the next UDP query (a draw against ``lossPercent``).
    func dropsQuery() -> Bool {
        guard let lossPercent, lossPercent > 0 else { return false }
        return Double.random(in: 0..<100) < lossPercent
    }

    /// The loss percentages `lab up --dns-loss` takes: up to half of the queries.
    public static let lossLimits: ClosedRange<Double> = 0...50

    /// The delay of the answer to `query` (a DNS message's bytes): the slow answers' when its
    /// question's type is one of theirs, else the RTT ±25%; in seconds.
    func delay(of query: ArraySlice<UInt8>) -> Double {
        if let slowAnswers, let type = DNSSlowAnswers.questionType(query), slowAnswers.types.contains(type) {
            return Double(slowAnswers.milliseconds) / 1000
        }
        return rttMilliseconds > 0 ? Double(rttMilliseconds) * Double.random(in: 0.75...1.25) / 1000 : 0
    }
}

/// Answers to questions of these types (DNSKEY, say) held back a fixed time, every other answer
/// as the RTT says: a zone whose keys come slower than its data, to check what a validating
/// resolver makes of it (ARCHITECTURE.md, "A silent nameserver").
public struct DNSSlowAnswers: Codable, Sendable, Hashable {
    /// Question types by number (48: DNSKEY).
    public var types: [Int]
    public var milliseconds: Int

    public init(types: [Int], milliseconds: Int) {
        self.types = types
        self.milliseconds = milliseconds
    }

    /// `TYPE[,TYPE…]:MILLISECONDS`, types by mnemonic (A, AAAA, NS, SOA, MX, TXT, DS, DNSKEY,
    /// TLSA, CAA) or number; nil when it does not read so.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let milliseconds = Int(parts[1]), (0...60_000).contains(milliseconds) else { return nil }
        var types: [Int] = []
        for name in parts[0].split(separator: ",", omittingEmptySubsequences: false) {
            guard let type = Self.typeNumbers[name.uppercased()] ?? Int(name).flatMap({ (1...65_535).contains($0) ? $0 : nil }) else { return nil }
            types.append(type)
        }
        self.init(types: types, milliseconds: milliseconds)
    }

    static let typeNumbers = ["A": 1, "NS": 2, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "DS": 43, "DNSKEY": 48, "TLSA": 52, "CAA": 257]

    /// The type of a query's first question: past the 12-byte header and the question's name
    /// (labels only; a pointer has no place in a question); nil for anything shorter or odd.
    static func questionType(_ message: ArraySlice<UInt8>) -> Int? {
        var index = message.startIndex + 12
        while index < message.endIndex {
            let length = Int(message[index])
            if length == 0 {
                guard index + 2 < message.endIndex else { return nil }
                return Int(message[index + 1]) << 8 | Int(message[index + 2])
            }
            guard length < 64 else { return nil }
            index += 1 + length
        }
        return nil
    }
}

/// One published nameserver address (port 53, UDP and TCP) and its backend.
public struct DNSRelayRoute: Codable, Sendable, Hashable {
    public var address: String
    /// knotd's port on 127.0.0.1 in the same namespace.
    public var backendPort: Int

    public init(address: String, backendPort: Int) {
        self.address = address
        self.backendPort = backendPort
    }
}

/// The lab's DNS delay layer (kernel netem is missing): listens on the published nameserver
/// addresses and relays every query, as bytes, to its knotd on loopback, sending the answer
/// back from the published address once the delay has passed since the query came in. Bytes
/// are relayed unchanged (DNSSEC, TC bit, EDNS); addresses not in the plan (silent AAAA) are
/// never bound, so they stay unanswered.
///
/// UDP runs in one epoll loop with one connected loopback socket per query in flight (at most
/// ``maxInFlight``; more are dropped, as a busy server would), each given up after
/// ``backendTimeout``. TCP gets a thread per connection (at most ``maxTCPConnections``).
public final class DNSRelay: @unchecked Sendable {
    public static let maxInFlight = 1024
    public static let backendTimeout = 4.0
    public static let maxTCPConnections = 64
    /// Idle timeout of TCP reads and writes; messages per TCP connection.
    public static let tcpTimeoutSeconds = 10
    public static let maxTCPMessages = 100

    /// A query waiting for its backend's answer.
    struct Pending {
        let backend: Int32
        let route: Int
        let client: sockaddr_storage
        let clientLength: socklen_t
        let due: Double
        let expires: Double
    }

    /// An answer waiting for its delay.
    struct Reply {
        let due: Double
        let route: Int
        let client: sockaddr_storage
        let clientLength: socklen_t
        let bytes: [UInt8]
    }

    let plan: DNSRelayPlan
    let lock = NSLock()
    var tcpActive = 0

    public init(plan: DNSRelayPlan) { self.plan = plan }

    /// Seconds on a monotonic clock.
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }


    /// Binds every address (UDP and TCP), writes our pid to `pidFile` (the sign that we are
    /// ready), then relays until killed.
    public func run(pidFile: URL) throws -> Never {
        signal(SIGPIPE, SIG_IGN)
        EndpointSockets.raiseDescriptorLimit()
        let nonBlocking = Int32(SOCK_NONBLOCK.rawValue)
        let udp = try plan.routes.map { try EndpointSockets.bound($0.address, 53, type: Int32(SOCK_DGRAM.rawValue), flags: nonBlocking) }
        let tcp = try plan.routes.map { route -> Int32 in
            let descriptor = try EndpointSockets.bound(route.address, 53, type: Int32(SOCK_STREAM.rawValue), flags: nonBlocking)
            guard listen(descriptor, 64) == 0 else { throw EndpointError("cannot listen on \(route.address) port 53: errno \(errno)") }
            return descriptor
        }
        try "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        FileHandle.standardOutput.write(Data("peil lab serve: DNS relay on \(plan.routes.count) addresses, rtt \(plan.rttMilliseconds) ms\n".utf8))
        let events = try EndpointSockets.epoll(watching: udp + tcp)
        var pending: [Int32: Pending] = [:]
        var replies: [Reply] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var ready = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            let now = Self.now()
            let next = (replies.map(\.due) + pending.values.map(\.expires)).min().map { max(0, $0 - now) } ?? 1
            let count = max(0, epoll_wait(events, &ready, Int32(ready.count), Int32(min(1, next) * 1000) + 1))
            let arrived = Self.now()
            for event in ready.prefix(Int(count)) {
                let tag = Int(event.data.u64)
                if tag < udp.count {
                    receiveQueries(udp[tag], route: tag, buffer: &buffer, events: events, pending: &pending)
                } else if tag < udp.count + tcp.count {
                    acceptConnections(tcp[tag - udp.count], route: tag - udp.count)
                } else if let query = pending.removeValue(forKey: Int32(tag - Self.backendTag)) {
                    let received = recv(query.backend, &buffer, buffer.count, 0)
                    if received > 0 {
                        replies.append(Reply(due: max(query.due, arrived), route: query.route, client: query.client,
                                             clientLength: query.clientLength, bytes: Array(buffer[..<received])))
                    }
                    close(query.backend)
                }
            }
            for (backend, query) in pending where query.expires <= arrived {
                pending[backend] = nil
                close(backend)
            }
            replies.removeAll { reply in
                guard reply.due <= arrived else { return false }
                var client = reply.client
                _ = withUnsafePointer(to: &client) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp[reply.route], reply.bytes, reply.bytes.count, 0, $0, reply.clientLength) }
                }
                return true
            }
        }
    }

    /// Event data of a backend socket: this plus its descriptor (listeners are numbered below it).
    static let backendTag = 1 << 32

    /// Reads up to 64 waiting queries and sends each to the backend on a socket of its own.
    private func receiveQueries(_ descriptor: Int32, route: Int, buffer: inout [UInt8], events: Int32, pending: inout [Int32: Pending]) {
        for _ in 0..<64 {
            var client = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &client) { address in
                address.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, &buffer, buffer.count, 0, $0, &length) }
            }
            guard count > 0 else { return }
            guard !plan.dropsQuery(), pending.count < Self.maxInFlight,
                  let backend = EndpointSockets.connected("127.0.0.1", plan.routes[route].backendPort, type: Int32(SOCK_DGRAM.rawValue),
                                                          flags: Int32(SOCK_NONBLOCK.rawValue)) else { continue }
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = UInt64(Self.backendTag + Int(backend))
            guard send(backend, buffer, count, 0) == count, epoll_ctl(events, EPOLL_CTL_ADD, backend, &event) == 0 else {
                close(backend)
                continue
            }
            let now = Self.now()
            pending[backend] = Pending(backend: backend, route: route, client: client, clientLength: length,
                                      due: now + plan.delay(of: buffer[..<count]), expires: now + Self.backendTimeout)
        }
    }
}
