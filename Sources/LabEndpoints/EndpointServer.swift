import CEpoll
import COpenSSL
import Foundation

/// The lab's endpoint server: one process listening on every platform address of a plan
/// (except those of platforms nginx or Postfix serve), choosing its behaviour by the local address and port it accepted on — HTTP on 80, HTTPS
/// on 443, SMTP on 25, a silent port (a listener whose socket filter drops every packet, so
/// connects time out), a hostile TLS, SMTP or HTTP port (``HostileTLSBehaviour``, ``HostileSMTPBehaviour``, ``HostileHTTPBehaviour``) or
/// a refused one (no listener). One thread per connection, at most
/// ``maxConnections`` at once (more wait to be accepted), each bounded by ``timeoutSeconds``.
public final class EndpointServer: @unchecked Sendable {
    /// Connections handled at once.
    public static let maxConnections = 1024
    /// Idle timeout of every read and write.
    public static let timeoutSeconds = 10

    struct Listener {
        let descriptor: Int32
        let platform: Int
        let port: Int
        let ipv6: Bool
        let mode: EndpointPortMode
        var silent: Bool { mode == .silent }
    }

    let plan: EndpointPlan
    let contexts: [EndpointTLSContext]
    let sites: [String: EndpointSite]
    private let slots = NSCondition()
    private var active = 0

    /// Loads the TLS context of every platform it serves (those without nginx or Postfix) from
    /// the certificates `LabCertificates` made.
    public init(plan: EndpointPlan, certificates: LabCertificates) throws {
        let plan = plan.served(by: nil)
        self.plan = plan
        // Each key kind read once: the platforms share a few keys (`LabCertificates`).
        var keys: [String: EndpointPrivateKey] = [:]
        contexts = try plan.platforms.map { platform in
            let ocsp = certificates.ocspResponseFile(platform.id)
            let kind = platform.tls.key
            let key = try keys[kind] ?? EndpointPrivateKey(file: certificates.keyFile(kind))
            keys[kind] = key
            return try EndpointTLSContext(platform.tls, certificate: certificates.certificateFile(platform.id), key: key,
                                          ocspResponse: FileManager.default.fileExists(atPath: ocsp.path) ? ocsp : nil)
        }
        sites = Dictionary(plan.sites.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Binds every listener, writes our pid to `pidFile` (the sign that we are ready), then
    /// serves until killed.
    public func run(pidFile: URL) throws -> Never {
        signal(SIGPIPE, SIG_IGN)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        var listeners: [Listener] = []
        for (index, platform) in plan.platforms.enumerated() {
            for address in platform.addresses {
                for port in address.ports {
                    let descriptor = try Self.listen(address.address, port.port, silent: port.mode == .silent)
                    listeners.append(Listener(descriptor: descriptor, platform: index, port: port.port, ipv6: address.isIPv6, mode: port.mode))
                }
            }
        }
        let serving = listeners.filter { !$0.silent }
        try "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
        let line = "peil lab serve: \(listeners.count) listeners (\(listeners.count - serving.count) silent) on \(plan.addresses.count) addresses, rtt \(plan.rttMilliseconds) ms\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        let events = try EndpointSockets.epoll(watching: serving.map(\.descriptor))
        var ready = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(events, &ready, Int32(ready.count), 1000)
            guard count > 0 else { continue }
            for event in ready.prefix(Int(count)) {
                let listener = serving[Int(event.data.u64)]
                admit()
                let connection = accept(listener.descriptor, nil, nil)
                guard connection >= 0 else {
                    release()
                    continue
                }
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                let thread = Thread { [self] in
                    handle(connection, listener)
                    release()
                }
                thread.stackSize = 512 * 1024
                thread.start()
            }
        }
    }

    /// Takes a connection slot, waiting while all ``maxConnections`` are taken: the next
    /// connections wait in the listeners' backlogs, as on a loaded server, instead of being
    /// closed (a closed connection reads as a broken TLS server and an `error` verdict).
    private func admit() {
        slots.lock()
        while active >= Self.maxConnections { slots.wait() }
        active += 1
        slots.unlock()
    }

    private func release() {
        slots.lock()
        active -= 1
        slots.signal()
        slots.unlock()
    }

    /// Sleeps the configured RTT with ±25% jitter.
    func delay() {
        let rtt = plan.rttMilliseconds
        guard rtt > 0 else { return }
        usleep(UInt32(Double(rtt) * Double.random(in: 0.75...1.25) * 1000))
    }

    private func handle(_ descriptor: Int32, _ listener: Listener) {
        if let hostile = listener.mode.hostileTLS {
            HostileTLS.serve(descriptor, hostile)
            return
        }
        if let hostile = listener.mode.hostileSMTP {
            HostileSMTP.serve(descriptor, hostile)
            return
        }
        if let hostile = listener.mode.hostileHTTP { return HostileHTTP.serve(descriptor, hostile) }
        let channel = EndpointChannel(descriptor: descriptor, timeoutSeconds: Self.timeoutSeconds)
        let platform = plan.platforms[listener.platform]
        let context = contexts[listener.platform]
        switch (platform.service, listener.port) {
        case (.mail, _):
            EndpointProtocols.smtp(channel, name: platform.names.first ?? "mail.lab", tls: platform.starttls ? context : nil, delay: delay)
        case (.web, 443):
            delay()
            guard channel.startTLS(context.context) else { return }
            EndpointProtocols.http(channel, sites: sites, secure: true, ipv6: listener.ipv6, delay: delay)
        case (.web, _):
            EndpointProtocols.http(channel, sites: sites, secure: false, ipv6: listener.ipv6, delay: delay)
        }
    }

    /// A listening TCP socket on `address`:`port`; `silent` attaches a drop-all socket filter,
    /// which the kernel applies to incoming SYNs too, so nothing answers.
    static func listen(_ address: String, _ port: Int, silent: Bool) throws -> Int32 {
        let ipv6 = address.contains(":")
        let descriptor = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw EndpointError("socket: \(errno)") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(descriptor, Int32(IPPROTO_IP), IP_FREEBIND, &one, socklen_t(MemoryLayout<Int32>.size))
        if silent {
            // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k } = BPF_RET|BPF_K, 0: drop.
            var filter: [UInt8] = [0x06, 0x00, 0, 0, 0, 0, 0, 0]
            let attached = filter.withUnsafeMutableBytes { instructions -> Int32 in
                // struct sock_fprog { u16 len; (padding); struct sock_filter *filter }
                var program = [UInt8](repeating: 0, count: 16)
                program[0] = 1
                withUnsafeBytes(of: instructions.baseAddress!) { pointer in
                    for offset in 0..<8 { program[8 + offset] = pointer[offset] }
                }
                return setsockopt(descriptor, SOL_SOCKET, SO_ATTACH_FILTER, &program, socklen_t(program.count))
            }
            guard attached == 0 else { close(descriptor); throw EndpointError("SO_ATTACH_FILTER on \(address): \(errno)") }
        }
        var result: Int32
        if ipv6 {
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_FREEBIND, &one, socklen_t(MemoryLayout<Int32>.size))
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, address, &socketAddress.sin6_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address, &socketAddress.sin_addr)
            result = withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard result == 0, Glibc.listen(descriptor, 64) == 0 else {
            let error = errno
            close(descriptor)
            throw EndpointError("cannot listen on \(address) port \(port): errno \(error)")
        }
        return descriptor
    }
}
