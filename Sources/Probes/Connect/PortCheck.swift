import Glibc
import PeilModel

/// Whether TCP ports accept connections (the IPv6 web test's reachability: CHECKS.md, 4 s).
/// Blocking: run it off Swift's cooperative pool.
public enum PortCheck {
    /// Tries `port` on `address` once, giving up after `timeout`.
    public static func probe(address: String, port: UInt16, timeout: Duration = .seconds(4)) -> PortProbe.State {
        do {
            try TCPStream.connect(address: address, port: port, deadline: .now + timeout).close()
            return .open
        } catch {
            // Refused only when the server itself said so (a reset: ECONNREFUSED). An ICMP error
            // from the network (host or net unreachable) or no route from this vantage says nothing
            // about the server, and the kernel rate-limits such errors, so the same address could
            // read refused once and timeout the next: it counts as no answer.
            if case .refused(let code) = error, code == ECONNREFUSED { return .refused }
            return .timeout
        }
    }

    /// Each port in turn; a timed-out port is tried `retries` more times before it counts as
    /// timed out (a lost SYN is not an unreachable server).
    public static func probe(address: String, ports: [UInt16], timeout: Duration = .seconds(4), retries: Int = 1) -> ReachObservation {
        ReachObservation(ports: ports.map { port in
            var state = probe(address: address, port: port, timeout: timeout)
            for _ in 0..<max(0, retries) where state == .timeout {
                state = probe(address: address, port: port, timeout: timeout)
            }
            return PortProbe(port: port, state: state)
        })
    }
}
