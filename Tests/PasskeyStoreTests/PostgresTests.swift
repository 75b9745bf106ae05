import Foundation
import PasskeyStore
import Testing
import WebAuthn

/// What only PostgreSQL has: its URL, and a server that cannot be reached.
@Suite("PostgreSQL")
struct PostgresTests {
    @Test("A postgres:// URL gives user, password, host, port, database and TLS mode")
    func parsesEveryPart() throws {
        let url = try PostgresDatabaseURL("postgres://app%40site:p%2Fss@db.example.com:6543/passkeys?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(url.username == "app@site")
        #expect(url.password == "p/ss")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "passkeys")
        #expect(url.tlsMode == .verifyFull)
        #expect(url.rootCertificatePath == "/etc/ca.pem")
    }

    @Test("A postgresql:// URL with no port, password or sslmode uses 5432, none and plain TCP")
    func defaults() throws {
        let url = try PostgresDatabaseURL("postgresql://passkeys@127.0.0.1/passkeys")
        #expect(url.port == 5432)
        #expect(url.password == nil)
        #expect(url.tlsMode == .disable)
        #expect(try PostgresDatabaseURL("postgres://u@[::1]/db?sslmode=require").host == "::1")
        #expect(try PostgresDatabaseURL("postgres://u@h/db?sslmode=require").tlsMode == .require)
    }

    @Test("host=/DIR, or the directory percent-encoded in the host's place, names the server's Unix socket DIR/.s.PGSQL.PORT")
    func unixSocket() throws {
        let url = try PostgresDatabaseURL("postgres://passkeys:pw@/passkeys?host=/run/postgresql")
        #expect(url.socketDirectory == "/run/postgresql")
        #expect(url.socketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(url.host == "")
        #expect(url.username == "passkeys")
        #expect(url.password == "pw")
        #expect(url.database == "passkeys")
        #expect(url.tlsMode == .disable)
        let encoded = try PostgresDatabaseURL("postgresql://passkeys@%2Fvar%2Frun%2Fpostgresql:5433/passkeys")
        #expect(encoded.socketPath == "/var/run/postgresql/.s.PGSQL.5433")
        #expect(try PostgresDatabaseURL("postgres://u@:6000/db?host=/tmp/").socketPath == "/tmp/.s.PGSQL.6000")
        #expect(try PostgresDatabaseURL("postgres://u@/db?host=/tmp&sslmode=disable").socketPath == "/tmp/.s.PGSQL.5432")
        #expect(try PostgresDatabaseURL("postgres://u@db.internal/db").socketPath == nil)
    }

    @Test("A socket URL is refused when its directory is not absolute, a host is named twice, TLS is asked for, the path is too long or no host is named at all", arguments: [
        "postgres://u@/db?host=run/postgresql",
        "postgres://u@/db?host=",
        "postgres://u@db.internal/db?host=/run/postgresql",
        "postgres://u@%2Frun/db?host=/run/postgresql",
        "postgres://u@/db?host=/run/postgresql&sslmode=require",
        "postgres://u@/db?host=/run/postgresql&sslmode=verify-full&sslrootcert=/etc/ca.pem",
        "postgres://u@/db?host=/" + String(repeating: "d", count: 100),
        "postgres://u@/db",
        "postgres://u@:5432/db",
    ])
    func unixSocketRefusals(url: String) {
        let error = #expect(throws: StoreError.self) { try PostgresDatabaseURL(url) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("A port out of range is refused, also one too large for an integer (not read as 5432)", arguments: [
        "postgres://u@127.0.0.1:0/db", "postgres://u@127.0.0.1:70000/db", "postgres://u@127.0.0.1:99999999999999999999/db",
    ])
    func portRefusals(url: String) {
        let error = #expect(throws: StoreError.self) { try PostgresDatabaseURL(url) }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("A URL's password never shows in what is logged")
    func redactsThePassword() {
        #expect(PostgresDatabaseURL.redact("postgres://app:secret@db/passkeys") == "postgres://app:***@db/passkeys")
        #expect(PostgresDatabaseURL.redact("postgres://app@db/passkeys") == "postgres://app@db/passkeys")
        // URLs `URLComponents` cannot read are hidden too.
        #expect(PostgresDatabaseURL.redact("postgres://app:secret@db:99999999999999999999/p") == "postgres://app:***@db:99999999999999999999/p")
        #expect(PostgresDatabaseURL.redact("postgres://app:se/cr?et@db/p") == "postgres://app:***@db/p")
        let error = #expect(throws: StoreError.self) { try PostgresDatabaseURL("postgres://app:secret@db/passkeys?sslmode=maybe") }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.reason.contains("secret") == false)
    }

    @Test("A server that refuses connections makes opening fail as unavailable, not as a configuration error")
    func unreachableServerIsUnavailable() async throws {
        let port = try closedPort()
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: "postgres://passkeys@127.0.0.1:\(port)/passkeys")
            try await store.shutdown()
        }
        #expect(error?.code == .unavailable)
    }

    @Test("A pool of no connections is refused")
    func poolSizeMustBePositive() async throws {
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: "postgres://passkeys@127.0.0.1/passkeys", poolSize: 0)
            try await store.shutdown()
        }
        #expect(error?.code == .invalidConfiguration)
    }

    @Test("A store whose connections the server ended fails as unavailable at worst, then works again", .enabled(if: Backend.postgresURL != nil))
    func endedConnectionsAreUnavailableThenRecover() async throws {
        let url = try #require(Backend.postgresURL)
        try await withPostgresStore(url: url) { store, schema in
            let (user, _, _) = try await signUp(store)
            // As a server restart would: every connection of this store is ended.
            #expect(try await SQLPasskeyStore.terminateConnections(url: url, schema: schema) >= 1)
            var answered = false
            for _ in 0..<5 where !answered {
                do {
                    answered = try await store.user(id: user.id) == user
                } catch let error as StoreError {
                    #expect(error.code == .unavailable)
                }
            }
            #expect(answered, "the pool opens new connections: the store works without being reopened")
        }
    }
}

/// The test server through its Unix-domain socket (`PASSKEYS_TEST_POSTGRES_SOCKET_URL`, which
/// `.ci/postgres.sh` prints).
@Suite("PostgreSQL on a Unix socket", .enabled(if: postgresTestSocketURL != nil && Backend.postgresURL != nil))
struct PostgresSocketTests {
    @Test("A store opened on the socket works, and PostgreSQL sees its connections come through the socket, not TCP")
    func storeConnectsThroughTheSocket() async throws {
        let tcp = try #require(Backend.postgresURL)
        try await withPostgresStore(url: try #require(postgresTestSocketURL)) { store, schema in
            let (user, _, _) = try await signUp(store)
            #expect(try await store.user(id: user.id) == user)
            // Asked over TCP, so the answer does not depend on the path under test.
            let addresses = try await SQLPasskeyStore.connectionAddresses(url: tcp, schema: schema)
            #expect(!addresses.isEmpty)
            #expect(addresses.allSatisfy { $0 == nil }, "a connection through a socket has no client address: \(addresses)")
        }
    }

    @Test("A TCP store's connections show their loopback address, so the socket test above can tell the two apart")
    func tcpStoreShowsItsAddress() async throws {
        let url = try #require(Backend.postgresURL)
        try await withPostgresStore(url: url) { store, schema in
            _ = try await signUp(store)
            let addresses = try await SQLPasskeyStore.connectionAddresses(url: url, schema: schema)
            #expect(!addresses.isEmpty)
            #expect(addresses.allSatisfy { $0 == "127.0.0.1" }, "\(addresses)")
        }
    }

    @Test("A socket that is not there makes opening fail as unavailable, as a server that is down does")
    func missingSocketIsUnavailable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pk-" + hexString(randomBytes(4))).path
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: "postgres://passkeys@/passkeys?host=" + directory, poolSize: 1)
            try await store.shutdown()
        }
        #expect(error?.code == .unavailable)
    }
}

/// The test server's Unix-socket URL, when `.ci/postgres.sh` started one.
var postgresTestSocketURL: String? {
    ProcessInfo.processInfo.environment["PASSKEYS_TEST_POSTGRES_SOCKET_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

/// TLS to the test server, whose certificate `.ci/postgres.sh` made (`PASSKEYS_TEST_POSTGRES_CA`).
@Suite("PostgreSQL over TLS", .enabled(if: Backend.postgresURL != nil && postgresTestAuthority != nil))
struct PostgresTLSTests {
    /// Opens a store on the test server with `query` added to its URL, and signs one user up.
    func signUpOver(_ query: String) async throws {
        try await withPostgresStore(url: try #require(Backend.postgresURL) + query) { store, _ in
            let (user, _, _) = try await signUp(store)
            #expect(try await store.user(id: user.id) == user)
        }
    }

    @Test("sslmode=require connects over TLS without checking the certificate")
    func requireConnects() async throws {
        try await signUpOver("?sslmode=require")
    }

    @Test("sslmode=verify-full connects when the certificate chains to sslrootcert and names the host")
    func verifyFullWithTheRootConnects() async throws {
        try await signUpOver("?sslmode=verify-full&sslrootcert=" + (try #require(postgresTestAuthority)))
    }

    @Test("sslmode=verify-full refuses a certificate no trusted root signed, as a failure to fix rather than an outage")
    func verifyFullRefusesAnUnknownCertificate() async throws {
        let url = try #require(Backend.postgresURL) + "?sslmode=verify-full"
        let error = await #expect(throws: StoreError.self) {
            let store = try await SQLPasskeyStore.open(url: url, poolSize: 1)
            try await store.shutdown()
        }
        #expect(error != nil && error?.code != .unavailable)
    }
}

/// The test server's self-signed certificate, when it has TLS on.
var postgresTestAuthority: String? {
    ProcessInfo.processInfo.environment["PASSKEYS_TEST_POSTGRES_CA"].flatMap { $0.isEmpty ? nil : $0 }
}

/// A loopback port nothing listens on (bound, then released).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw StoreError.failure("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
