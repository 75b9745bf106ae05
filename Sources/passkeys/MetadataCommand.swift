import ArgumentParser
import Foundation
import WebAuthn

/// `passkeys metadata`: work with FIDO Metadata Service (MDS3) BLOBs.
struct MetadataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metadata",
        abstract: "Work with FIDO Metadata Service (MDS3) BLOBs.",
        subcommands: [Inspect.self]
    )

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a metadata BLOB and print what it holds.",
            discussion: "Exit 0 when the BLOB verifies, 1 when it does not, 2 on usage errors."
        )

        @Argument(help: "The BLOB file (the JWS as downloaded from the metadata service).")
        var file: String

        @Option(name: .customLong("root"), help: "A PEM file of roots to trust instead of the FIDO root (repeatable).")
        var roots: [String] = []

        @Option(name: .customLong("at"), help: "\"Now\" for certificate validity, ISO 8601.")
        var at: String?

        @Option(help: "Show only the entry for this AAGUID.")
        var aaguid: String?

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func validate() throws {
            if let at, VerifyCommand.Registration.parseTime(at) == nil { throw ValidationError("--at must be an ISO 8601 time") }
            if let aaguid, AAGUID(uuidString: aaguid) == nil { throw ValidationError("--aaguid must be a UUID") }
        }

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            let trusted = try PEMFiles.certificates(roots, option: "root", problem: ValidationError.init)
            let blob: MetadataBLOB
            do {
                blob = try await MetadataBLOB.verify(
                    jws: String(decoding: data, as: UTF8.self), roots: trusted.isEmpty ? nil : trusted,
                    at: at.flatMap(VerifyCommand.Registration.parseTime))
            } catch {
                if json {
                    VerifyOutput.print(["verified": false, "error": ["code": error.code.rawValue, "message": error.reason]])
                } else {
                    FileHandle.standardError.write(Data("metadata BLOB rejected (\(error.code)): \(error.reason)\n".utf8))
                }
                throw ExitCode(1)
            }
            let wanted = aaguid.flatMap(AAGUID.init(uuidString:))
            let entries = blob.entries.filter { wanted == nil || $0.aaguid == wanted }
            if json {
                VerifyOutput.print([
                    "verified": true,
                    "number": blob.number,
                    "nextUpdate": blob.nextUpdate,
                    "entryCount": blob.entries.count,
                    "entries": entries.map { entry -> [String: Any] in
                        [
                            "aaguid": entry.aaguid?.uuidString ?? NSNull(),
                            "description": entry.description ?? NSNull(),
                            "status": entry.latestStatus?.rawValue ?? NSNull(),
                            "compromised": entry.isCompromised,
                            "attestationRoots": entry.attestationRootCertificates.count,
                        ]
                    },
                ])
                return
            }
            print("Metadata BLOB no. \(blob.number), next update \(blob.nextUpdate), \(blob.entries.count) entries")
            for entry in entries {
                let status = entry.latestStatus?.rawValue ?? "no status"
                let flag = entry.isCompromised ? "  COMPROMISED" : ""
                print("\(entry.aaguid?.uuidString ?? "(no AAGUID)")  \(entry.description ?? "(no description)")  [\(status)]\(flag)")
            }
        }
    }
}
