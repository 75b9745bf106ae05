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
