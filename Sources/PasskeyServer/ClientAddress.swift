import Foundation
import NIOCore

/// Which address a request comes from, for rate limits and logs.
///
/// The peer of the TCP connection, unless that peer is a trusted proxy: then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of it are whatever the
/// client wrote, so they are never believed.
enum ClientAddress {
    /// The canonical text of an IP address (`::1`, `127.0.0.1`), or `nil` when it is not one.
    /// A port after it (`203.0.113.5:4711`, `[2001:db8::1]:4711`, as some proxies write their
    /// `X-Forwarded-For` entries) is left out.
    static func normalize(_ address: some StringProtocol) -> String? {
        var text = Substring(address)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || isPort(rest.dropFirst()) && rest.hasPrefix(":") else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon, text.contains(".") {
            // One colon in an address with dots: IPv4 and a port (IPv6 has two colons at least).
            guard isPort(text[text.index(after: colon)...]) else { return nil }
            text = text[..<colon]
        }
        guard !text.isEmpty, let socketAddress = try? SocketAddress(ipAddress: String(text), port: 0) else { return nil }
        return normalize(socketAddress)
    }

    /// A TCP port's digits.
    private static func isPort(_ text: Substring) -> Bool {
        (1...5).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The canonical text of a socket's IP address, or `nil` for a Unix domain socket.
    static func normalize(_ socketAddress: SocketAddress) -> String? {
        // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; it is the IPv4 address
        // (for its own rate-limit bucket, and to match a trusted proxy configured as IPv4).
        if case .v6(let v6) = socketAddress {
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
                return bytes[12..<16].map(String.init).joined(separator: ".")
            }
        }
        return socketAddress.ipAddress
    }

    /// The key a client address is rate limited under: the address itself for IPv4, its /64
    /// network for IPv6 (one subscriber usually holds a whole /64, so rotating addresses in it
    /// gains nothing).
    static func rateLimitKey(_ address: String) -> String {
        prefixKey(address, groups: 4) ?? address
    }

    /// The wider network an IPv6 address is limited under as well, its /48 (`nil` for IPv4): a
    /// site or a subscriber may hold a whole /48, that is 65,536 /64s, each with allowances of its
    /// own. The network's allowance is ``networkShare`` times an address's. An address key of
    /// ``rateLimitKey(_:)`` (`2001:db8:1:2::/64`) names the same network as its addresses.
    static func networkKey(_ address: String) -> String? {
        let address = address.hasSuffix("::/64") ? String(address.dropLast(3)) : address
        return prefixKey(address, groups: 3)
    }

    /// How many times an address's allowance (or connections) a /48 network has in all.
    static let networkShare = 16

    /// `groups` 16-bit groups of an IPv6 address and the prefix length (`2001:db8:1::/48`).
    private static func prefixKey(_ address: String, groups: Int) -> String? {
        guard address.utf8.contains(UInt8(ascii: ":")), let socketAddress = try? SocketAddress(ipAddress: address, port: 0),
              case .v6(let v6) = socketAddress
        else { return nil }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0.prefix(2 * groups)) }
        return stride(from: 0, to: 2 * groups, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":") + "::/\(16 * groups)"
    }

    /// The client's address given the connection's peer, the `X-Forwarded-For` header values
    /// and the trusted proxies (normalized).
    static func resolve(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String? {
        guard let peer, trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            guard let address = normalize(hop) else { return peer }
            if !trustedProxies.contains(address) { return address }
        }
        return peer
    }
}
