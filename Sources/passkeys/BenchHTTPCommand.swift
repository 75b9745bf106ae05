import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import PasskeyClient
import PasskeyStore
import SoftwareAuthenticator
import WebAuthn

#if canImport(Glibc)
import Glibc
#endif

/// `passkeys bench http`: a load generator for any server that speaks the API. Each client has
/// its own cookie jar and software passkeys (real ES256 signatures); together they sign up
/// `--accounts` accounts, then run whole sign-in ceremonies (options → assertion → verification →
/// session) for `--duration` seconds.
struct BenchHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Drive a running server with whole sign-up and sign-in ceremonies and measure it.",
        discussion: """
            Signs up --accounts accounts (named bench-RUN-N), then --concurrency clients, each with \
            its own cookie jar, run sign-in ceremonies for --duration seconds: POST \
            /api/authentication/options, an assertion signed by the project's software \
            authenticator, POST /api/authentication. Prints ceremonies per second, the latency of a \
            whole ceremony (p50, p90, p99) and the failures by HTTP status and error code. With \
            --server-pid (Linux) it also reads the server's CPU time from /proc/PID/stat and prints \
            it per ceremony next to the bare ES256 signature check measured in this process (before \
            the load and after it; the faster of the two). Turn \
            the server's rate limits off (--rate-limit 0) unless they are what you measure. Against \
            an http:// server each client keeps one connection of its own, on a thread of its own \
            (the generator shares the machine, so it spends as little CPU as it can); https:// goes \
            through AsyncHTTPClient. A client \
            whose requests get no answer three times in a row stops. Exits 1 when any ceremony \
            failed. Build with -c release.
            """
    )

    @Option(help: ArgumentHelp("The server's URL, e.g. http://localhost:8080.", valueName: "url"))
    var server: String

    @Option(help: "Clients running ceremonies at once.")
    var concurrency: Int = 64

    @Option(help: ArgumentHelp("Seconds of sign-ins.", valueName: "seconds"))
    var duration: Double = 10

    @Option(help: "Accounts to sign up first (default: one per client).")
    var accounts: Int?

    @Flag(help: "Sign in without a username (discoverable passkeys, an empty allowCredentials).")
    var usernameless = false

    @Option(name: .customLong("server-pid"), help: ArgumentHelp("The server's process ID, to measure its CPU time (Linux).", valueName: "pid"))
    var serverPID: Int32?

    @Option(help: "The web origin to act as (default: the server URL's origin).")
    var origin: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard let url = URL(string: server), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("--server must be an http or https URL, like http://localhost:8080")
        }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 1024") }
        guard duration > 0, duration <= 3600 else { throw ValidationError("--duration must be more than 0 and at most 3600 seconds") }
        if let accounts, !(1...100_000).contains(accounts) {
            throw ValidationError("--accounts must be 1 to 100000")
        }
        if let origin, URL(string: origin)?.host == nil {
            throw ValidationError("--origin must be an origin, like https://example.com, not \"\(origin)\"")
        }
        if let serverPID, serverPID <= 0 { throw ValidationError("--server-pid must be a process ID") }
    }

    func run() async throws {
        guard let serverURL = URL(string: server) else { throw ValidationError("--server must be a URL") }
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        let origin = self.origin ?? URLSessionTransport.origin(of: serverURL)
        let accountCount = accounts ?? concurrency
        let run = hexString(randomBytes(4))

        var process: BenchServerProcess?
        if let serverPID {
            guard BenchServerProcess(pid: serverPID).cpuSeconds() != nil else {
                throw CommandFailure("cannot read /proc/\(serverPID)/stat: --server-pid needs Linux and the ID of a running process")
            }
            process = BenchServerProcess(pid: serverPID)
        }

        // The bare check while the server is idle, before the load and again after it, so that it is
        // the machine's own figure: the faster of the two is the one with nothing else on the cores
        // (a process that just ended can still be writing its files back when the first one runs).
        let bareCheckBefore = try await Self.bareSignatureCheck()

        // A plain-HTTP server is driven by one blocking connection per client, each client on a
        // thread of its own; https goes through AsyncHTTPClient.
        let transport: BenchTransport
        var httpClient: HTTPClient?
        if serverURL.scheme?.lowercased() == "http", let host = serverURL.host {
            let port = serverURL.port ?? 80
            let hostHeader = serverURL.port.map { "\(Self.hostPart(host)):\($0)" } ?? Self.hostPart(host)
            transport = .plain(host: host, port: UInt16(clamping: port), hostHeader: hostHeader)
        } else {
            let client = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: .init(
                    timeout: .init(connect: .seconds(5), read: .seconds(10)),
                    connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)))
            httpClient = client
            transport = .asyncHTTPClient(client)
        }
        var report: BenchReport
        do {
            report = try await measure(transport: transport, base: base, origin: origin, accountCount: accountCount, run: run, process: process, bareCheckBefore: bareCheckBefore)
        } catch {
            try? await httpClient?.shutdown()
            throw error
        }
        try await httpClient?.shutdown()
        report.bareCheckAfter = try await Self.bareSignatureCheck()

        if json {
            VerifyOutput.print(report.jsonObject)
        } else {
            report.printText()
        }
        if report.signUps.failures.total > 0 || report.signIns.failures.total > 0 { throw ExitCode(1) }
    }

    /// A URL's host as a `Host` field writes it: an IPv6 address in brackets.
    static func hostPart(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    private func measure(
        transport: BenchTransport, base: String, origin: String, accountCount: Int, run: String,
        process: BenchServerProcess?, bareCheckBefore: Double
    ) async throws -> BenchReport {
        let concurrency = concurrency
        let clients = (0..<concurrency).map { _ in BenchClient(transport: transport, base: base, origin: origin) }
        // With the plain transport each client blocks on its socket, so it runs on a thread of its
        // own rather than on one of Swift's few shared ones.
        let threads: [ThreadExecutor?] = clients.indices.map { index in
            if case .plain = transport { return ThreadExecutor(name: "bench-client-\(index)") }
            return nil
        }
        defer { for thread in threads { thread?.stop() } }

        // Sign-ups: account j is made by client j % concurrency.
        let signUpCPU = process?.cpuSeconds()
        let signUpThreadCPU = process?.threadCPUSeconds()
        let signUpOwnCPU = BenchServerProcess.ownCPUSeconds()
        let signUpStart = ContinuousClock.now
        let signedUp = await withTaskGroup(of: (BenchPhaseResult, [BenchAccount]).self) { group in
            for index in 0..<min(concurrency, accountCount) {
                group.addTask(executorPreference: threads[index]) {
                    var bench = clients[index]
                    var result = BenchPhaseResult()
                    var made: [BenchAccount] = []
                    var unanswered = 0
                    for number in stride(from: index, to: accountCount, by: concurrency) where unanswered < BenchFailure.giveUpAfter {
                        let username = "bench-\(run)-\(number)"
                        let start = ContinuousClock.now
                        switch await bench.signUp(username: username) {
                        case .success(let authenticator):
                            unanswered = 0
                            result.record(ContinuousClock.now - start)
                            made.append(BenchAccount(number: number, username: username, authenticator: authenticator))
                        case .failure(let failure):
                            unanswered = failure.noAnswer ? unanswered + 1 : 0
                            result.failures.add(failure)
                        }
                    }
                    return (result, made)
                }
            }
            var total = BenchPhaseResult()
            var accounts: [BenchAccount] = []
            for await (result, made) in group {
                total.merge(result)
                accounts += made
            }
            return (total, accounts.sorted { $0.number < $1.number })
        }
        let signUps = BenchPhase(
            result: signedUp.0, elapsed: ContinuousClock.now - signUpStart,
            serverCPU: difference(signUpCPU, process?.cpuSeconds()),
            clientCPU: difference(signUpOwnCPU, BenchServerProcess.ownCPUSeconds()),
            serverThreadCPU: difference(signUpThreadCPU, process?.threadCPUSeconds()))

        // Sign-ins: client i uses the accounts j with j % concurrency == i, or account i % accounts
        // when there are fewer accounts than clients.
        let accounts = signedUp.1
        var signIns = BenchPhase(result: BenchPhaseResult(), elapsed: .zero, serverCPU: nil, clientCPU: nil)
        if !accounts.isEmpty {
            let usernameless = usernameless
            let deadline = ContinuousClock.now + .milliseconds(Int64(duration * 1000))
            let signInCPU = process?.cpuSeconds()
            let signInThreadCPU = process?.threadCPUSeconds()
            let signInOwnCPU = BenchServerProcess.ownCPUSeconds()
            let signInStart = ContinuousClock.now
            let result = await withTaskGroup(of: BenchPhaseResult.self) { group in
                for index in 0..<concurrency {
                    let own = accounts.count >= concurrency
                        ? Array(stride(from: index, to: accounts.count, by: concurrency).map { accounts[$0] })
                        : [accounts[index % accounts.count]]
                    group.addTask(executorPreference: threads[index]) {
                        var bench = clients[index]
                        var own = own
                        var result = BenchPhaseResult()
                        var next = 0
                        var unanswered = 0
                        while ContinuousClock.now < deadline, unanswered < BenchFailure.giveUpAfter {
                            let start = ContinuousClock.now
                            switch await bench.signIn(account: &own[next], usernameless: usernameless) {
                            case .success:
                                unanswered = 0
                                result.record(ContinuousClock.now - start)
                            case .failure(let failure):
                                unanswered = failure.noAnswer ? unanswered + 1 : 0
                                result.failures.add(failure)
                            }
                            next = (next + 1) % own.count
                        }
                        return result
                    }
                }
                var total = BenchPhaseResult()
                for await result in group { total.merge(result) }
                return total
            }
            signIns = BenchPhase(
                result: result, elapsed: ContinuousClock.now - signInStart,
                serverCPU: difference(signInCPU, process?.cpuSeconds()),
                clientCPU: difference(signInOwnCPU, BenchServerProcess.ownCPUSeconds()),
                serverThreadCPU: difference(signInThreadCPU, process?.threadCPUSeconds()))
        }
        return BenchReport(
            server: base, concurrency: concurrency, duration: duration, accounts: accountCount,
            usernameless: usernameless, signUps: signUps, signIns: signIns, bareCheckBefore: bareCheckBefore,
            serverMaximumRSS: process?.maximumResidentBytes())
    }

    /// Seconds per bare ES256 check, the same check `passkeys bench` measures.
    static func bareSignatureCheck() async throws -> Double {
        let fixture = try await SignInFixture.make(algorithm: .es256)
        var failures = 0
        let seconds = BenchVerifyCommand.measure(2000) {
            if !fixture.checkSignature() { failures += 1 }
        }
        guard failures == 0 else { throw CommandFailure("the bare signature check failed \(failures) times") }
        return seconds
    }
}

/// `after - before` when both were read.
private func difference(_ before: Double?, _ after: Double?) -> Double? {
    guard let before, let after else { return nil }
    return after - before
}

/// Each thread name's CPU seconds between two readings (a name new since the first counts from
/// zero; a group whose thread ended in between counts no less than zero).
private func difference(_ before: [String: Double]?, _ after: [String: Double]?) -> [String: Double]? {
    guard let before, let after else { return nil }
    return after.reduce(into: [:]) { result, entry in result[entry.key] = max(0, entry.value - before[entry.key, default: 0]) }
}

/// One account the bench signed up, with the software passkey that signs in to it.
struct BenchAccount: Sendable {
    var number: Int
    var username: String
    var authenticator: SoftwareAuthenticator
}

/// Why a ceremony failed: an HTTP status with the API's error code, or no answer at all.
struct BenchFailure: Error, Hashable, Sendable {
    var label: String
    /// The server did not answer at all (refused, reset or timed out), rather than with an error.
    var noAnswer = false

    /// A client gives up after this many ceremonies in a row got no answer: the server is gone.
    static let giveUpAfter = 3

    static func status(_ status: UInt, body: [UInt8]) -> BenchFailure {
        struct Problem: Decodable {
            struct Detail: Decodable { var code: String }
            var error: Detail
        }
        let code = (try? JSONDecoder().decode(Problem.self, from: Data(body)))?.error.code ?? "-"
        return BenchFailure(label: "\(status) \(code)")
    }
}

/// Failures counted by label.
struct BenchFailureCounts: Sendable {
    var counts: [String: Int] = [:]
    var total: Int { counts.values.reduce(0, +) }

    mutating func add(_ failure: BenchFailure) { counts[failure.label, default: 0] += 1 }
    mutating func merge(_ other: BenchFailureCounts) { counts.merge(other.counts, uniquingKeysWith: +) }
}

/// The ceremonies one client (or all of them) finished, with their latencies.
struct BenchPhaseResult: Sendable {
    var latencies: [Duration] = []
    var failures = BenchFailureCounts()

    mutating func record(_ latency: Duration) { latencies.append(latency) }
    mutating func merge(_ other: BenchPhaseResult) {
        latencies += other.latencies
        failures.merge(other.failures)
    }
}

/// A phase (sign-ups or sign-ins) as measured.
struct BenchPhase {
    var result: BenchPhaseResult
    var elapsed: Duration
    /// The server's CPU seconds (user + system) spent during the phase.
    var serverCPU: Double?
    /// This process's CPU seconds during the phase: what the load generator took of the machine.
    var clientCPU: Double?
    /// The server's CPU seconds during the phase by thread name (``BenchServerProcess/threadCPUSeconds()``).
    var serverThreadCPU: [String: Double]? = nil

    var failures: BenchFailureCounts { result.failures }
    var count: Int { result.latencies.count }
    var seconds: Double { elapsed.seconds }
    var perSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }
    var cpuPerCeremony: Double? { serverCPU.flatMap { count > 0 ? $0 / Double(count) : nil } }
    var clientCPUPerCeremony: Double? { clientCPU.flatMap { count > 0 ? $0 / Double(count) : nil } }
    /// ``serverThreadCPU`` per ceremony.
    var threadCPUPerCeremony: [String: Double]? {
        guard count > 0 else { return nil }
        return serverThreadCPU?.mapValues { $0 / Double(count) }
    }
    /// The server's CPU divided by this process's over the same ceremonies: on a machine whose
    /// speed changes from minute to minute both move together, so this is the steadier figure
    /// for comparing two builds of one server (docs/performance.md).
    var serverCPUPerClientCPU: Double? {
        guard let serverCPU, let clientCPU, clientCPU > 0 else { return nil }
        return serverCPU / clientCPU
    }

    /// The latency below which `fraction` of the ceremonies finished (nearest rank), in seconds.
    func percentile(_ fraction: Double) -> Double? {
        guard !result.latencies.isEmpty else { return nil }
        let sorted = result.latencies.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)].seconds
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// What `bench http` prints.
struct BenchReport {
    var server: String
    var concurrency: Int
    var duration: Double
    var accounts: Int
    var usernameless: Bool
    var signUps: BenchPhase
    var signIns: BenchPhase
    /// Seconds per bare ES256 check in this process, measured before the load.
    var bareCheckBefore: Double
    var serverMaximumRSS: Int?
    /// The same, measured again after the load.
    var bareCheckAfter: Double?

    /// The bare check the ratios divide by: the faster of the two measurements, the machine's
    /// undisturbed figure (a slower one would make every ratio look better than it is).
    var bareCheck: Double { min(bareCheckBefore, bareCheckAfter ?? bareCheckBefore) }

    func phaseObject(_ phase: BenchPhase) -> [String: Any] {
        var object: [String: Any] = [
            "count": phase.count, "seconds": phase.seconds, "perSecond": phase.perSecond,
            "failures": ["total": phase.failures.total, "byStatusAndCode": phase.failures.counts],
        ]
        for (name, fraction) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            if let value = phase.percentile(fraction) { object[name + "Milliseconds"] = value * 1e3 }
        }
        if let cpu = phase.cpuPerCeremony {
            object["serverCPUMicrosecondsPerCeremony"] = cpu * 1e6
            object["serverCPUPerCeremonyInBareChecks"] = cpu / bareCheck
        }
        if let cpu = phase.clientCPUPerCeremony { object["clientCPUMicrosecondsPerCeremony"] = cpu * 1e6 }
        if let ratio = phase.serverCPUPerClientCPU { object["serverCPUPerClientCPU"] = ratio }
        if let threads = phase.threadCPUPerCeremony {
            object["serverThreadCPUMicrosecondsPerCeremony"] = threads.mapValues { $0 * 1e6 }
        }
        return object
    }

    var jsonObject: [String: Any] {
        var object: [String: Any] = [
            "server": server, "concurrency": concurrency, "durationSeconds": duration, "accounts": accounts,
            "usernameless": usernameless, "bareCheckMicroseconds": bareCheck * 1e6,
            "bareCheckBeforeMicroseconds": bareCheckBefore * 1e6,
            "signUps": phaseObject(signUps), "signIns": phaseObject(signIns),
        ]
        if let bareCheckAfter { object["bareCheckAfterMicroseconds"] = bareCheckAfter * 1e6 }
        if let serverMaximumRSS { object["serverMaximumRSSMegabytes"] = Double(serverMaximumRSS) / 1_048_576 }
        return object
    }

    func printText() {
        print("\(server), \(concurrency) clients, \(accounts) accounts, \(usernameless ? "usernameless" : "with usernames"):")
        for (name, phase) in [("sign-ups", signUps), ("sign-ins", signIns)] {
            print("  \(name)" + String(format: "  %7d ceremonies in %6.2f s  %8.1f/s", phase.count, phase.seconds, phase.perSecond))
            if let p50 = phase.percentile(0.5), let p90 = phase.percentile(0.9), let p99 = phase.percentile(0.99) {
                print(String(format: "    latency  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms", p50 * 1e3, p90 * 1e3, p99 * 1e3))
            }
            if let cpu = phase.cpuPerCeremony {
                print(String(format: "    server CPU %8.1f µs per ceremony = %5.1f× the bare ES256 check", cpu * 1e6, cpu / bareCheck))
            }
            if let cpu = phase.clientCPUPerCeremony {
                let ratio = phase.serverCPUPerClientCPU.map { String(format: "; the server's %.2f× that", $0) } ?? ""
                print(String(format: "    load generator CPU %8.1f µs per ceremony (this process)", cpu * 1e6) + ratio)
            }
            if let threads = phase.threadCPUPerCeremony {
                let shown = threads.filter { $0.value >= 0.5e-6 }.sorted { $0.value > $1.value }
                    .map { $0.key + String(format: " %.1f µs", $0.value * 1e6) }
                if !shown.isEmpty { print("    server CPU by thread: " + shown.joined(separator: ", ")) }
            }
            print("    failures \(phase.failures.total)")
            for (label, count) in phase.failures.counts.sorted(by: { $0.value > $1.value }) {
                print("      \(label): \(count)")
            }
        }
        if let bareCheckAfter {
            print(String(
                format: "  bare ES256 check (this process)  %8.1f µs  (before the load %.1f µs, after it %.1f µs)",
                bareCheck * 1e6, bareCheckBefore * 1e6, bareCheckAfter * 1e6))
        } else {
            print(String(format: "  bare ES256 check (this process)  %8.1f µs", bareCheck * 1e6))
        }
        if let serverMaximumRSS {
            print(String(format: "  server peak RSS  %8.1f MB", Double(serverMaximumRSS) / 1_048_576))
        }
    }
}

/// How the load generator reaches the server.
enum BenchTransport: Sendable {
    /// A plain-HTTP server: one ``BenchHTTPConnection`` per client.
    case plain(host: String, port: UInt16, hostHeader: String)
    /// An https server, through AsyncHTTPClient's pool.
    case asyncHTTPClient(HTTPClient)
}

/// One client: a cookie jar, sending requests as a browser on `origin` would.
struct BenchClient: Sendable {
    let transport: BenchTransport
    let base: String
    let origin: String
    /// The client's own connection with the plain transport.
    let connection: BenchHTTPConnection?
    var cookies = CookieJar()

    init(transport: BenchTransport, base: String, origin: String) {
        self.transport = transport
        self.base = base
        self.origin = origin
        if case .plain(let host, let port, let hostHeader) = transport {
            connection = BenchHTTPConnection(host: host, port: port, hostHeader: hostHeader)
        } else {
            connection = nil
        }
    }

    private struct Options<PublicKey: Decodable>: Decodable {
        var publicKey: PublicKey
    }

    /// A whole sign-up; the software passkey that holds the new account's credential.
    mutating func signUp(username: String) async -> Result<SoftwareAuthenticator, BenchFailure> {
        do {
            let body = try JSONEncoder().encode(["username": username])
            let options = try await post("/api/registration/options", body: body, as: Options<PublicKeyCredentialCreationOptionsJSON>.self)
            // A counter that stays zero, as synced passkeys send it, so that clients sharing an
            // account (fewer accounts than clients) never send a count the server has seen.
            var authenticator = try SoftwareAuthenticator(algorithms: [.es256], signCounter: .alwaysZero)
            let credential = try authenticator.register(options: options.publicKey, origin: origin)
            try await post("/api/registration", body: try JSONEncoder().encode(credential))
            return .success(authenticator)
        } catch let failure as BenchFailure {
            return .failure(failure)
        } catch {
            return .failure(BenchFailure(label: "client \(error)"))
        }
    }

    /// A whole sign-in to `account`.
    mutating func signIn(account: inout BenchAccount, usernameless: Bool) async -> Result<Void, BenchFailure> {
        do {
            var body = JSONWriter()
            body.beginObject()
            if !usernameless {
                body.key("username")
                body.string(account.username)
            }
            body.endObject()
            // Read by fields, as the server reads the answer: JSONDecoder and JSONEncoder here were
            // about a sixth of this generator's CPU, which shares the machine with the server it measures.
            let options = try PublicKeyCredentialRequestOptionsJSON.parse(
                try await post("/api/authentication/options", body: Data(body.bytes)), inMember: "publicKey")
            let assertion = try account.authenticator.authenticate(options: options, origin: origin)
            try await post("/api/authentication", body: Data(assertion.jsonBytes()))
            return .success(())
        } catch let failure as BenchFailure {
            return .failure(failure)
        } catch {
            return .failure(BenchFailure(label: "client \(error)"))
        }
    }

    @discardableResult
    private mutating func post(_ path: String, body: Data) async throws -> [UInt8] {
        let cookie = cookies.header()
        let status: UInt
        let setCookie: [String]
        let bytes: [UInt8]
        do {
            switch transport {
            case .plain:
                guard let connection else { throw BenchHTTPConnection.Failure(description: "no connection") }
                var headers = [("Origin", origin), ("Content-Type", "application/json")]
                if let cookie { headers.append(("Cookie", cookie)) }
                // Blocks this client's own thread (the task prefers it), not a shared one.
                let response = try connection.post(path, headers: headers, body: Array(body))
                (status, setCookie, bytes) = (response.status, response.setCookie, response.body)
            case .asyncHTTPClient(let http):
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.headers.add(name: "Origin", value: origin)
                request.headers.add(name: "Content-Type", value: "application/json")
                if let cookie { request.headers.add(name: "Cookie", value: cookie) }
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await http.execute(request, timeout: .seconds(10))
                let buffer = try await response.body.collect(upTo: BenchHTTPConnection.maximumResponseBytes)
                (status, setCookie, bytes) = (response.status.code, response.headers["set-cookie"], Array(buffer.readableBytesView))
            }
        } catch {
            // A server that refuses connections is not hammered in a tight loop.
            try? await Task.sleep(for: .milliseconds(10))
            throw BenchFailure(label: "no answer (\(error))", noAnswer: true)
        }
        cookies.receive(setCookie: setCookie)
        guard (200..<300).contains(status) else { throw BenchFailure.status(status, body: bytes) }
        return bytes
    }

    private mutating func post<T: Decodable>(_ path: String, body: Data, as type: T.Type) async throws -> T {
        let bytes = try await post(path, body: body)
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }
}

/// A process read from /proc: the server's, or this one's own.
struct BenchServerProcess: Sendable {
    let pid: Int32

    /// This process's user + system CPU seconds so far, to the nanosecond
    /// (`CLOCK_PROCESS_CPUTIME_ID`): a phase of a few sign-ups takes less than one clock tick of
    /// /proc's, which counted it as none.
    static func ownCPUSeconds() -> Double? {
        var time = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time) == 0 else { return nil }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// User + system CPU seconds so far (/proc/PID/stat fields 14 and 15, in clock ticks).
    func cpuSeconds() -> Double? {
        Self.stat("/proc/\(pid)/stat")?.seconds
    }

    /// User + system CPU seconds so far of the process's threads, summed by thread name
    /// (/proc/PID/task/*/stat): the event loops, Swift's pool (its threads share one name), the
    /// store's thread. A thread that ended since an earlier reading takes its time with it.
    func threadCPUSeconds() -> [String: Double]? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
        var byName: [String: Double] = [:]
        for task in tasks {
            guard let thread = Self.stat("/proc/\(pid)/task/\(task)/stat") else { continue }
            byName[thread.name, default: 0] += thread.seconds
        }
        return byName.isEmpty ? nil : byName
    }

    /// The name (field 2, between parentheses) and user + system CPU seconds (fields 14 and 15,
    /// in clock ticks) of a process's or thread's `stat` file.
    static func stat(_ path: String) -> (name: String, seconds: Double)? {
        guard let stat = try? String(contentsOfFile: path, encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close
        else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3, the state.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        #if canImport(Glibc)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #else
        let ticks = 100.0
        #endif
        let name = String(stat[stat.index(after: open)..<close])
        return (name, (user + system) / (ticks > 0 ? ticks : 100))
    }

    /// The peak resident set size in bytes (VmHWM in /proc/PID/status).
    func maximumResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kilobytes = Int(parts[1]) { return kilobytes * 1024 }
        }
        return nil
    }
}
