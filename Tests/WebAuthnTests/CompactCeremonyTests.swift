import Testing

@testable import WebAuthn

/// The compact form of a sign-in's ceremony, which the server seals in the browser's cookie:
/// it reads back to the same ceremony, refuses anything else, and `init(state:)` reads both it
/// and the JSON.
@Suite("Compact authentication ceremony")
struct CompactCeremonyTests {
    static let ceremonies = [
        AuthenticationCeremony(
            challenge: Challenge(uncheckedBytes: Array(0..<32)), allowCredentials: [], userVerification: .preferred,
            userHandle: nil),
        AuthenticationCeremony(
            challenge: Challenge(uncheckedBytes: Array(repeating: 0xFE, count: 32)),
            allowCredentials: [CredentialID(uncheckedBytes: Array(0..<16)), CredentialID(uncheckedBytes: Array(repeating: 0xFF, count: 1023))],
            userVerification: .required, userHandle: UserHandle(uncheckedBytes: Array(repeating: 7, count: 64))),
        AuthenticationCeremony(
            challenge: Challenge(uncheckedBytes: [1]), allowCredentials: [CredentialID(uncheckedBytes: [9])],
            userVerification: UserVerificationRequirement(rawValue: "a-value-from-later"), userHandle: UserHandle(uncheckedBytes: [0])),
    ]

    @Test("It reads back to the same ceremony, through init(state:) too, and is shorter than the JSON", arguments: ceremonies)
    func roundTrip(_ ceremony: AuthenticationCeremony) throws {
        let compact = ceremony.compactBytes()
        #expect(compact.first == 0x01)
        #expect(try AuthenticationCeremony(compact: compact) == ceremony)
        #expect(try AuthenticationCeremony(state: compact) == ceremony)
        #expect(try AuthenticationCeremony(state: ceremony.jsonBytes()) == ceremony)
        #expect(compact.count < ceremony.jsonBytes().count)
    }

    @Test("Every prefix of it, and it with a byte more, is malformed", arguments: ceremonies)
    func truncatedOrLonger(_ ceremony: AuthenticationCeremony) {
        let compact = ceremony.compactBytes()
        for length in 0..<compact.count {
            #expect(throws: WebAuthnError.self, "\(length) of \(compact.count) bytes") {
                try AuthenticationCeremony(compact: Array(compact.prefix(length)))
            }
        }
        #expect(throws: WebAuthnError.self) { try AuthenticationCeremony(compact: compact + [0]) }
    }

    /// A valid layout to change one part of: challenge `[1]`, requirement `"required"`, no handle, one ID `[2]`.
    private static func layout(
        version: UInt8 = 1, challenge: [UInt8] = [0, 1, 1], requirement: [UInt8] = [0, 8] + Array("required".utf8),
        handle: [UInt8] = [0], ids: [UInt8] = [0, 1, 0, 1, 2]
    ) -> [UInt8] {
        [version] + challenge + requirement + handle + ids
    }

    @Test("The layout itself reads as written")
    func layoutReads() throws {
        let ceremony = try AuthenticationCeremony(compact: Self.layout())
        #expect(ceremony.challenge.bytes == [1])
        #expect(ceremony.userVerification == .required)
        #expect(ceremony.userHandle == nil)
        #expect(ceremony.allowCredentials == [CredentialID(uncheckedBytes: [2])])
    }

    @Test("A wrong version, presence byte, type length or text is malformed", arguments: [
        layout(version: 0), layout(version: 0x7B), layout(version: 2),
        layout(handle: [2]), layout(handle: [1, 0, 0]), layout(handle: [1] + [0, 65] + Array(repeating: 1, count: 65)),
        layout(ids: [0, 1, 0, 0]), layout(ids: [0, 1] + [0x04, 0x00] + Array(repeating: 1, count: 1024)),
        layout(ids: [0, 2, 0, 1, 2]), layout(ids: [0xFF, 0xFF]),
        layout(requirement: [0, 2, 0xC3, 0x28]), layout(challenge: [0xFF, 0xFF, 1]),
    ])
    func malformed(_ bytes: [UInt8]) {
        #expect(throws: WebAuthnError.self) { try AuthenticationCeremony(compact: bytes) }
        #expect(throws: WebAuthnError.self) { try AuthenticationCeremony(state: bytes) }
    }
}
