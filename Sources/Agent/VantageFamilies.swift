import Foundation
import PeilModel

/// Detects which address families this host's vantage point has, from its interfaces:
/// a non-loopback IPv4 address, and a global (not link-local, not loopback) IPv6 address.
/// Sends no traffic.
public enum VantageFamilies {
    public static func detect() -> [AddressFamily] {
        var families = Set<AddressFamily>()
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr else { continue }
            let flags = Int32(entry.pointee.ifa_flags)
            if flags & Int32(IFF_LOOPBACK) != 0 || flags & Int32(IFF_UP) == 0 { continue }
            switch Int32(address.pointee.sa_family) {
            case AF_INET:
                families.insert(.ipv4)
            case AF_INET6:
                let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                let linkLocal = bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
                if !linkLocal { families.insert(.ipv6) }
            default:
                continue
            }
        }
        return families.sorted()
    }
}
