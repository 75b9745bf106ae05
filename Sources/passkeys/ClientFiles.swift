import Foundation
import PasskeyClient
import SoftwareAuthenticator
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold secrets (the keychain's private keys, the session cookie): created with mode
/// 0600 and refused when others can read them.
enum SecretFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The file's contents, or `nil` when it does not exist.
    static func read(_ path: String) throws(Failure) -> Data? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // Checked on the open file, so the file read is the file checked.
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Failure(description: "\(path) can be read by others (mode \(String(mode, radix: 8))): it holds secrets; run chmod 600 \(path)")
        }
        let data: Data
        do {
            data = try FileHandle(fileDescriptor: fd, closeOnDealloc: false).readToEnd() ?? Data()
        } catch {
            throw Failure(description: "cannot read \(path): \(error.localizedDescription)")
        }
        return data
    }

    /// Replaces the file with `data`: written to a new 0600 file beside it, then renamed over it,
    /// so a reader never sees half of it and it is never readable by others.
    static func write(_ data: Data, to path: String) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure(description: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let written = (try? handle.write(contentsOf: data)) != nil && (try? handle.synchronize()) != nil
        try? handle.close()
        guard written, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(reason)")
        }
    }
}

/// The keychain file: the software authenticator's JSON (its credentials and private keys).
enum ClientKeychain {
    static func load(_ path: String) throws(SecretFile.Failure) -> SoftwareAuthenticator {
        guard let data = try SecretFile.read(path) else {
            do {
                return try SoftwareAuthenticator()
            } catch {
                throw SecretFile.Failure(description: "cannot make a software authenticator: \(error.message)")
            }
        }
        do {
            return try SoftwareAuthenticator(json: data)
        } catch {
            throw SecretFile.Failure(description: "\(path) is not a keychain: \(error.message)")
        }
    }

    /// Writes the keychain; a new one only once it holds a passkey, so a command that only read
    /// (`passkeys`, a sign-in that failed) leaves no file behind.
    static func save(_ authenticator: SoftwareAuthenticator, to path: String) throws(SecretFile.Failure) {
        if authenticator.credentials.isEmpty, !FileManager.default.fileExists(atPath: path) { return }
        try SecretFile.write(authenticator.exportJSON(), to: path)
    }
}

/// The session file beside the keychain: each server's cookies, by the server's origin.
enum ClientSessions {
    static func load(_ path: String, server: String) throws(SecretFile.Failure) -> CookieJar {
        try all(path)[server] ?? CookieJar()
    }

    static func save(_ cookies: CookieJar, server: String, to path: String) throws(SecretFile.Failure) {
        var all = try all(path)
        all[server] = cookies.cookies.isEmpty ? nil : cookies
        if all.isEmpty, !FileManager.default.fileExists(atPath: path) { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(all) else { throw SecretFile.Failure(description: "cannot encode the session") }
        try SecretFile.write(data, to: path)
    }

    private static func all(_ path: String) throws(SecretFile.Failure) -> [String: CookieJar] {
        guard let data = try SecretFile.read(path) else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let all = try? decoder.decode([String: CookieJar].self, from: data) else {
            throw SecretFile.Failure(description: "\(path) is not a session file; delete it and sign in again")
        }
        return all
    }
}
