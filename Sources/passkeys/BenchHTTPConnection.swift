import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One plain-HTTP/1.1 connection of the load generator (`passkeys bench http` against an
/// `http://` server), read and written with blocking system calls on the client's own thread.
///
/// It speaks only what a ceremony needs: a `POST` with a JSON body, an answer with a
/// `Content-Length`, a chunked body or one that ends with the connection. It exists because the
/// load generator shares the machine with the server it measures: AsyncHTTPClient's pool and
/// channel pipeline were about 40 % of the generator's own CPU, CPU the server did not get.
/// `https://` servers still go through AsyncHTTPClient.
///
/// Not thread-safe: one client's task uses it, one request at a time.
final class BenchHTTPConnection: @unchecked Sendable {
    /// The answer to one request.
    struct Response {
        var status: UInt
        var setCookie: [String]
        var body: [UInt8]
    }

    /// Why a request got no answer; the load generator counts it as "no answer".
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The largest answer read; a longer one is a failure (the API's answers are a few kilobytes).
    static let maximumResponseBytes = 1 << 20

    private let host: String
    private let port: UInt16
    private let hostHeader: String
    private let timeoutSeconds: Int
    private var socket: Int32 = -1
    /// Bytes read from the socket and not yet parsed.
    private var buffer: [UInt8] = []
    /// What one `recv` reads into.
    private var scratch = [UInt8](repeating: 0, count: 16_384)

    /// A connection to `host`:`port` (opened on the first request); `Host` is sent as `hostHeader`.
    init(host: String, port: UInt16, hostHeader: String, timeoutSeconds: Int = 10) {
        self.host = host
        self.port = port
        self.hostHeader = hostHeader
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    /// Sends `POST path` with `body` and the given headers (name, value), and reads the answer.
    /// A connection the server closed while idle is opened again and the request sent once more,
    /// as browsers do, only when nothing of an answer had arrived.
    func post(_ path: String, headers: [(String, String)], body: [UInt8]) throws -> Response {
        var request = "POST \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        var bytes = Array(request.utf8)
        bytes += body

        let reused = socket >= 0
        do {
            try send(bytes)
            return try readResponse()
        } catch is IdleConnectionClosed where reused {
            close()
            try send(bytes)
            return try readResponse()
        }
    }

    /// The connection ended before any byte of an answer.
    private struct IdleConnectionClosed: Error, CustomStringConvertible {
        var description: String { "the connection ended before an answer" }
    }

    func close() {
        if socket >= 0 {
            #if canImport(Glibc)
            Glibc.close(socket)
            #else
            Darwin.close(socket)
            #endif
        }
        socket = -1
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Connecting, sending, receiving

    private func connect() throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = ECONNREFUSED
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            next = info.pointee.ai_next
            let fd = openSocket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            // Linux applies the send timeout to connect(2) too.
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            #if canImport(Darwin)
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
            #if canImport(Glibc)
            let connected = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            #else
            let connected = Darwin.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            #endif
            if connected == 0 {
                socket = fd
                return
            }
            lastError = errno
            #if canImport(Glibc)
            Glibc.close(fd)
            #else
            Darwin.close(fd)
            #endif
        }
        throw Failure(description: "cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    private func send(_ bytes: [UInt8]) throws {
        if socket < 0 { try connect() }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                sendBytes(socket, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close()
                // A connection the server closed while idle: the caller may open a new one.
                if offset == 0 { throw IdleConnectionClosed() }
                throw Failure(description: "send failed: \(reason)")
            }
            offset += written
        }
    }

    /// Reads more bytes into the buffer; false at the end of the connection. `headStarted` false:
    /// nothing of the answer has arrived, so a reset is an idle connection the server closed.
    private func fill(headStarted: Bool = true) throws -> Bool {
        while true {
            let count = scratch.withUnsafeMutableBytes { raw in recv(socket, raw.baseAddress, raw.count, 0) }
            if count > 0 {
                buffer += scratch[..<count]
                guard buffer.count <= Self.maximumResponseBytes + 16_384 else {
                    close()
                    throw Failure(description: "an answer longer than \(Self.maximumResponseBytes) bytes")
                }
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if !headStarted, errno == ECONNRESET {
                close()
                throw IdleConnectionClosed()
            }
            let reason = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : String(cString: strerror(errno))
            close()
            throw Failure(description: "receive failed: \(reason)")
        }
    }

    private func readResponse() throws -> Response {
        // The head: up to the blank line.
        var headEnd: Int?
        var searchFrom = 0
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer, from: searchFrom)
            if headEnd != nil { break }
            searchFrom = max(0, buffer.count - 3)
            let sawBytes = !buffer.isEmpty
            guard try fill(headStarted: sawBytes) else {
                close()
                if !sawBytes { throw IdleConnectionClosed() }
                throw Failure(description: "the connection ended inside an answer's head")
            }
        }
        guard let headEnd else { throw Failure(description: "no answer") }
        // The head is read on its bytes: a `String` is made only of a `Set-Cookie` value (the
        // fields' names and the status are ASCII; splitting a `String` walks it by `Character`).
        var lines: [Range<Int>] = []
        var lineStart = 0
        while let end = Self.find([13, 10], in: buffer, from: lineStart), end <= headEnd {
            lines.append(lineStart..<end)
            lineStart = end + 2
        }
        let statusLine = buffer[lines[0]]
        // "HTTP/1.x NNN": a version, one space, three digits.
        guard statusLine.count >= 12, statusLine.starts(with: Array("HTTP/1.".utf8)),
              statusLine[statusLine.startIndex + 8] == UInt8(ascii: " "),
              let status = Self.decimal(statusLine[(statusLine.startIndex + 9)..<(statusLine.startIndex + 12)]),
              (100...599).contains(status)
        else {
            close()
            throw Failure(description: "not an HTTP/1.1 answer: \(String(decoding: statusLine.prefix(40), as: UTF8.self))")
        }
        var contentLength: Int?
        var chunked = false
        var closes = statusLine[statusLine.startIndex + 7] == UInt8(ascii: "0")
        var setCookie: [String] = []
        for line in lines.dropFirst() {
            guard let colon = buffer[line].firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = buffer[line.lowerBound..<colon]
            let value = Self.trimmed(buffer[(colon + 1)..<line.upperBound])
            if Self.isName(name, "content-length") {
                guard let length = Self.decimal(value) else {
                    close()
                    throw Failure(description: "a Content-Length that is not a number")
                }
                contentLength = length
            } else if Self.isName(name, "transfer-encoding") {
                chunked = String(decoding: value, as: UTF8.self).lowercased().contains("chunked")
            } else if Self.isName(name, "connection") {
                let tokens = String(decoding: value, as: UTF8.self).lowercased()
                if tokens.contains("close") { closes = true } else if tokens.contains("keep-alive") { closes = false }
            } else if Self.isName(name, "set-cookie") {
                setCookie.append(String(decoding: value, as: UTF8.self))
            }
        }
        buffer.removeFirst(headEnd + 4)

        var body: [UInt8] = []
        if chunked {
            body = try readChunked()
        } else if let contentLength {
            guard contentLength <= Self.maximumResponseBytes else {
                close()
                throw Failure(description: "an answer of \(contentLength) bytes")
            }
            while buffer.count < contentLength {
                guard try fill() else {
                    close()
                    throw Failure(description: "the connection ended inside an answer's body")
                }
            }
            body = Array(buffer[..<contentLength])
            buffer.removeFirst(contentLength)
        } else if status != 204, status != 304, !(100..<200).contains(status) {
            // Neither a length nor chunks: the body ends with the connection.
            while try fill() {}
            body = buffer
            closes = true
        }
        if closes { close() }
        return Response(status: UInt(status), setCookie: setCookie, body: body)
    }

    /// A chunked body (RFC 9112 §7.1), trailers skipped.
    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.split(separator: ";", maxSplits: 1).first.map { String(decoding: Self.trimmed(ArraySlice($0.utf8)), as: UTF8.self) } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0, body.count + size <= Self.maximumResponseBytes else {
                close()
                throw Failure(description: "a malformed chunk size \"\(line.prefix(20))\"")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            while buffer.count < size + 2 {
                guard try fill() else {
                    close()
                    throw Failure(description: "the connection ended inside a chunk")
                }
            }
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = Self.find([13, 10], in: buffer, from: 0) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            guard try fill() else {
                close()
                throw Failure(description: "the connection ended inside a chunked body")
            }
        }
    }

    /// `bytes` without the spaces and tabs around them (a field value's optional whitespace,
    /// RFC 9110 §5.5).
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    /// Whether a field's name is `lowercased` (field names are case-insensitive, RFC 9110 §5.1).
    private static func isName(_ name: ArraySlice<UInt8>, _ lowercased: StaticString) -> Bool {
        guard name.count == lowercased.utf8CodeUnitCount else { return false }
        return lowercased.withUTF8Buffer { expected in
            zip(name, expected).allSatisfy { byte, wanted in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == wanted
            }
        }
    }

    /// Decimal digits as a number; nil for anything else, or more than 15 digits.
    private static func decimal(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

#if canImport(Glibc)
private func openSocket(_ family: Int32, _ type: Int32, _ proto: Int32) -> Int32 {
    Glibc.socket(family, type | Int32(SOCK_CLOEXEC.rawValue), proto)
}

private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    Glibc.send(fd, pointer, count, Int32(MSG_NOSIGNAL))
}
#else
private func openSocket(_ family: Int32, _ type: Int32, _ proto: Int32) -> Int32 {
    Darwin.socket(family, type, proto)
}

private func sendBytes(_ fd: Int32, _ pointer: UnsafeRawPointer?, _ count: Int) -> Int {
    Darwin.send(fd, pointer, count, 0)
}
#endif
