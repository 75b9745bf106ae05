import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// argon2id verification through the system's libargon2 (Debian: `libargon2-1`), loaded when
/// first needed. The build does not depend on the library or its header, so the server builds
/// and runs without it; only argon2id hashes then cannot be imported or verified.
enum Argon2 {
    /// `int argon2id_verify(const char *encoded, const void *pwd, const size_t pwdlen)`.
    private typealias VerifyFunction = @convention(c) (UnsafePointer<CChar>, UnsafeRawPointer?, Int) -> Int32

    private static let ok: Int32 = 0
    private static let verifyMismatch: Int32 = -35

    /// The names the library has on the systems we know.
    private static let libraryNames = ["libargon2.so.1", "libargon2.so", "libargon2.1.dylib", "libargon2.dylib"]

    /// The loaded function, or why there is none.
    private static let loaded: Result<VerifyFunction, PasswordHashError> = {
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
            guard let symbol = dlsym(handle, "argon2id_verify") else { continue }
            return .success(unsafeBitCast(symbol, to: VerifyFunction.self))
        }
        return .failure(PasswordHashError(
            "argon2id needs the system's libargon2 (Debian: apt-get install libargon2-1), which is not installed"))
    }()

    /// Whether libargon2 could be loaded.
    static var isAvailable: Bool {
        if case .success = loaded { return true }
        return false
    }

    /// Checks that the library is there, or throws the message that says how to get it.
    static func requireLibrary() throws(PasswordHashError) {
        if case .failure(let error) = loaded { throw error }
    }

    /// Whether `password` matches the PHC-format `encoded` hash (libargon2 compares in constant time).
    static func verify(encoded: String, password: [UInt8]) throws(PasswordHashError) -> Bool {
        let function: VerifyFunction
        switch loaded {
        case .success(let loadedFunction): function = loadedFunction
        case .failure(let error): throw error
        }
        let result = encoded.withCString { encodedPointer in
            password.withUnsafeBytes { function(encodedPointer, $0.baseAddress, $0.count) }
        }
        return result == ok
    }
}
