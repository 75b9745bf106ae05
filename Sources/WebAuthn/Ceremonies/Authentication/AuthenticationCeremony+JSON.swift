extension AuthenticationCeremony {
    /// Reads what ``jsonBytes()`` or `JSONEncoder` wrote, strictly; anything else is `malformed`.
    package init(json: [UInt8]) throws(WebAuthnError) {
        self = try WireReader.readObject(json) { object throws(WebAuthnError) -> AuthenticationCeremony in
            var challenge: String??
            var allowCredentials: [String]??
            var userVerification: String??
            var userHandle: String??
            while let name = try object.next() {
                switch name {
                case "challenge": challenge = .some(try object.string(name))
                case "allowCredentials": allowCredentials = .some(try object.strings(name))
                case "userVerification": userVerification = .some(try object.string(name))
                case "userHandle": userHandle = .some(try object.string(name))
                default: try object.skip()
                }
            }
            var allowed: [CredentialID] = []
            for text in try object.required(allowCredentials, "allowCredentials") {
                allowed.append(try object.bytes(text, "allowCredentials", as: CredentialID.self))
            }
            let handle: UserHandle?
            if case .some(.some(let text)) = userHandle {
                handle = try object.bytes(text, "userHandle", as: UserHandle.self)
            } else {
                handle = nil
            }
            return AuthenticationCeremony(
                challenge: try object.bytes(try object.required(challenge, "challenge"), "challenge", as: Challenge.self),
                allowCredentials: allowed,
                userVerification: UserVerificationRequirement(rawValue: try object.required(userVerification, "userVerification")),
                userHandle: handle)
        }
    }
}

extension RegistrationCeremony {
    /// Reads what ``jsonBytes()`` or `JSONEncoder` wrote, strictly; anything else is `malformed`.
    /// A ceremony stored before `mediation` existed was a modal one.
    package init(json: [UInt8]) throws(WebAuthnError) {
        self = try WireReader.readObject(json) { object throws(WebAuthnError) -> RegistrationCeremony in
            var challenge: String??
            var userHandle: String??
            var userVerification: String??
            var algorithms: [Int]??
            var mediation: String??
            while let name = try object.next() {
                switch name {
                case "challenge": challenge = .some(try object.string(name))
                case "userHandle": userHandle = .some(try object.string(name))
                case "userVerification": userVerification = .some(try object.string(name))
                case "algorithms": algorithms = .some(try object.integers(name))
                case "mediation": mediation = .some(try object.string(name))
                default: try object.skip()
                }
            }
            let mode: CredentialMediationRequirement
            if case .some(.some(let text)) = mediation { mode = CredentialMediationRequirement(rawValue: text) } else { mode = .optional }
            return RegistrationCeremony(
                challenge: try object.bytes(try object.required(challenge, "challenge"), "challenge", as: Challenge.self),
                userHandle: try object.bytes(try object.required(userHandle, "userHandle"), "userHandle", as: UserHandle.self),
                userVerification: UserVerificationRequirement(rawValue: try object.required(userVerification, "userVerification")),
                algorithms: try object.required(algorithms, "algorithms").map(COSEAlgorithmIdentifier.init(rawValue:)),
                mediation: mode)
        }
    }
}

extension WireJSON {
    /// A JSON text that is an array of strings (`["usb","nfc"]`), read strictly; anything else
    /// is `malformed`.
    package static func strings(_ json: [UInt8]) throws(WebAuthnError) -> [String] {
        try WireReader.readStrings(json)
    }
}

extension WireJSON {
    /// The members named `names` of a JSON object whose values are strings (absent and `null`
    /// ones left out), read strictly; other members are skipped (as `JSONDecoder` ignores unknown
    /// keys). A named member of another type, or a text that is not one object, is `malformed`.
    package static func stringMembers(_ json: [UInt8], _ names: Set<String>) throws(WebAuthnError) -> [String: String] {
        try WireReader.readObject(json) { object throws(WebAuthnError) -> [String: String] in
            var values: [String: String] = [:]
            while let name = try object.next() {
                if names.contains(name) {
                    values[name] = try object.string(name)
                } else {
                    try object.skip()
                }
            }
            return values
        }
    }
}

extension AuthenticationCeremony {
    /// The first byte of ``compactBytes()``: never `{`, so ``init(state:)`` tells the two forms apart.
    static let compactVersion: UInt8 = 0x01

    /// The ceremony in a few bytes, for a server that keeps it sealed in the browser's cookie
    /// rather than as JSON text: `0x01`, the challenge, the user verification requirement, the
    /// user handle (or nothing), then each allowed credential ID; every field is its length in two
    /// bytes (big-endian), then its bytes, and the handle's a presence byte before it. Writing and
    /// reading it back costs a fraction of the JSON (docs/performance.md, lever 32).
    package func compactBytes() -> [UInt8] {
        var bytes: [UInt8] = [Self.compactVersion]
        bytes.reserveCapacity(
            8 + challenge.bytes.count + 16 + (userHandle?.bytes.count ?? 0)
                + allowCredentials.reduce(0) { $0 + 2 + $1.bytes.count })
        func field(_ value: [UInt8]) {
            bytes.append(UInt8(truncatingIfNeeded: value.count >> 8))
            bytes.append(UInt8(truncatingIfNeeded: value.count))
            bytes += value
        }
        field(challenge.bytes)
        field(Array(userVerification.rawValue.utf8))
        if let userHandle {
            bytes.append(1)
            field(userHandle.bytes)
        } else {
            bytes.append(0)
        }
        bytes.append(UInt8(truncatingIfNeeded: allowCredentials.count >> 8))
        bytes.append(UInt8(truncatingIfNeeded: allowCredentials.count))
        for id in allowCredentials { field(id.bytes) }
        return bytes
    }

    /// Reads what ``compactBytes()`` wrote, strictly: a field that runs past the end, bytes left
    /// over, or a challenge, handle or ID of a length its type refuses is `malformed`.
    package init(compact bytes: [UInt8]) throws(WebAuthnError) {
        var offset = 0
        func malformed(_ what: String) -> WebAuthnError {
            WebAuthnError(.malformed, "the compact authentication ceremony is invalid: \(what)")
        }
        func byte() throws(WebAuthnError) -> UInt8 {
            guard offset < bytes.count else { throw malformed("it ends early") }
            offset += 1
            return bytes[offset - 1]
        }
        func count() throws(WebAuthnError) -> Int {
            let high = Int(try byte())
            return high << 8 | Int(try byte())
        }
        func field() throws(WebAuthnError) -> [UInt8] {
            let length = try count()
            guard length <= bytes.count - offset else { throw malformed("a field runs past the end") }
            offset += length
            return Array(bytes[(offset - length)..<offset])
        }
        func typed<T: Base64URLBytes>(_ value: [UInt8], _ name: String, as type: T.Type) throws(WebAuthnError) -> T {
            do {
                return try T(bytes: value)
            } catch {
                throw malformed("\(name): \(error.reason)")
            }
        }
        guard try byte() == Self.compactVersion else { throw malformed("not this layout") }
        let challenge = try typed(try field(), "challenge", as: Challenge.self)
        guard let requirement = String(validating: try field(), as: UTF8.self) else { throw malformed("userVerification is not UTF-8") }
        let userHandle: UserHandle?
        switch try byte() {
        case 0: userHandle = nil
        case 1: userHandle = try typed(try field(), "userHandle", as: UserHandle.self)
        default: throw malformed("the user handle's presence byte")
        }
        var allowed: [CredentialID] = []
        let allowedCount = try count()
        allowed.reserveCapacity(min(allowedCount, 64))
        for _ in 0..<allowedCount {
            allowed.append(try typed(try field(), "allowCredentials", as: CredentialID.self))
        }
        guard offset == bytes.count else { throw malformed("bytes left over") }
        self.init(
            challenge: challenge, allowCredentials: allowed,
            userVerification: UserVerificationRequirement(rawValue: requirement), userHandle: userHandle)
    }

    /// Reads either form: ``compactBytes()`` or the JSON of ``jsonBytes()`` (a JSON text begins
    /// with `{`), so ceremonies written in either way are read alike.
    package init(state: [UInt8]) throws(WebAuthnError) {
        if state.first == Self.compactVersion {
            try self.init(compact: state)
        } else {
            try self.init(json: state)
        }
    }
}
