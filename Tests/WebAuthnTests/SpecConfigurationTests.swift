import Testing
import WebAuthn

/// `RelyingParty.Configuration` is validated when built, and begin returns options that follow it.
@Suite("Relying party configuration")
struct SpecConfigurationTests {
    @Test("The default test configuration is valid")
    func defaultConfigurationIsValid() throws {
        let configuration = try TestRelyingParty.configuration()
        #expect(configuration.relyingPartyID == "example.com")
        #expect(configuration.allowedOrigins == ["https://example.com"])
        #expect(configuration.algorithms == COSEAlgorithmIdentifier.recommended)
        #expect(configuration.signCountPolicy == .reject)
        #expect(configuration.allowCrossOrigin == false)
        #expect(configuration.dangerouslyAllowMissingUserPresence == false)
    }

    @Test("An RP ID that is not a lower-case domain name is rejected", arguments: [
        "", "https://example.com", "example.com:443", "Example.com", "EXAMPLE.COM", "example.com/login",
        "exa mple.com", "-example.com", "example-.com", "example..com", ".example.com", "example.com.",
        "user@example.com", "*.example.com",
    ])
    func invalidRPIDIsRejected(rpID: String) throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(relyingPartyID: rpID)
        }
    }

    @Test("Domain-name RP IDs are accepted", arguments: ["example.com", "login.example.com", "localhost", "xn--bcher-kva.example"])
    func validRPIDIsAccepted(rpID: String) throws {
        let configuration = try TestRelyingParty.configuration(relyingPartyID: rpID)
        #expect(configuration.relyingPartyID == rpID)
    }

    @Test("A configuration without an allowed origin is rejected")
    func originsAreRequired() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(allowedOrigins: [])
        }
    }

    @Test("An allowed origin that is not an origin is rejected", arguments: [
        "https://example.com/path", "https://example.com//", "ftp://example.com", "http://example.com",
        "example.com", "https://", "https://example.com?query", "https://example.com#fragment",
        "https://user@example.com", "android:apk-key-hash:", "", "http://localhost.evil.com",
    ])
    func invalidOriginIsRejected(origin: String) throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(allowedOrigins: [origin])
        }
    }

    @Test("Web and Android origins are accepted", arguments: [
        "https://example.com", "https://login.example.com:8443", "http://localhost", "http://localhost:8080",
        "http://127.0.0.1:8080", "android:apk-key-hash:" + Base64URL.encode([UInt8](repeating: 0xAB, count: 32)),
    ])
    func validOriginIsAccepted(origin: String) throws {
        let configuration = try TestRelyingParty.configuration(allowedOrigins: [origin])
        #expect(configuration.allowedOrigins == [origin])
    }

    @Test("An allowed origin written with a trailing slash is kept as the origin itself")
    func trailingSlashIsDropped() throws {
        let configuration = try TestRelyingParty.configuration(allowedOrigins: ["https://example.com/"])
        #expect(configuration.allowedOrigins == ["https://example.com"])
    }

    /// Client data carries the ASCII serialisation of an origin (HTML §7.5): a lower-case host and
    /// no default port. An allowed origin written otherwise can never match, so the configuration
    /// must not keep it as written: it normalises it or refuses it.
    @Test("An allowed origin written as no browser serialises it is normalised or rejected", arguments: [
        ("https://Example.com", "https://example.com"),
        ("HTTPS://example.com", "https://example.com"),
        ("https://example.com:443", "https://example.com"),
        ("http://localhost:80", "http://localhost"),
    ])
    func unserialisedOriginIsNotKeptAsWritten(written: String, serialised: String) {
        do {
            let configuration = try TestRelyingParty.configuration(allowedOrigins: [written])
            #expect(configuration.allowedOrigins == [serialised], "\(written) was kept as \(configuration.allowedOrigins)")
        } catch {
            #expect(error == WebAuthnError(.invalidConfiguration, ""))
        }
    }

    @Test("An allowed top origin that is not an origin is rejected")
    func invalidTopOriginIsRejected() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(allowCrossOrigin: true, allowedTopOrigins: ["partner.example"])
        }
    }

    @Test("An algorithm the library cannot verify is rejected")
    func unsupportedAlgorithmIsRejected() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(algorithms: [.es256, COSEAlgorithmIdentifier(-999)])
        }
    }

    @Test("A configuration without algorithms is rejected")
    func algorithmsAreRequired() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(algorithms: [])
        }
    }

    @Test("An empty RP name is rejected")
    func rpNameIsRequired() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try TestRelyingParty.configuration(relyingPartyName: "")
        }
    }

    @Test("A non-positive timeout is rejected")
    func timeoutMustBePositive() throws {
        #expect(throws: WebAuthnError(.invalidConfiguration, "")) {
            try RelyingParty.Configuration(
                relyingPartyID: "example.com", relyingPartyName: "Example", allowedOrigins: ["https://example.com"],
                timeoutMilliseconds: 0)
        }
    }

    // MARK: Begin

    @Test("Registration options carry the RP, the user, the challenge and the offered algorithms")
    func registrationOptionsFollowTheConfiguration() throws {
        let relyingParty = try TestRelyingParty.make(algorithms: [.es256, .rs256], userVerification: .required)
        let user = PublicKeyCredentialUserEntityJSON(id: TestRelyingParty.userHandle, name: "ada", displayName: "Ada")
        let existing = PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: [1, 2, 3]))
        let (options, ceremony) = relyingParty.beginRegistration(
            user: user, excludeCredentials: [existing], challenge: TestRelyingParty.challenge)
        #expect(options.rp.id == "example.com")
        #expect(options.rp.name == "Example")
        #expect(options.user == user)
        #expect(options.challenge == TestRelyingParty.challenge)
        #expect(options.pubKeyCredParams.map(\.alg) == [.es256, .rs256])
        #expect(options.pubKeyCredParams.allSatisfy { $0.type == "public-key" })
        #expect(options.excludeCredentials == [existing])
        #expect(options.authenticatorSelection?.userVerification == .required)
        #expect(options.extensions?.credProps == true)
        #expect(ceremony == RegistrationCeremony(
            challenge: TestRelyingParty.challenge, userHandle: TestRelyingParty.userHandle,
            userVerification: .required, algorithms: [.es256, .rs256]))
    }

    @Test("Each registration begins with a fresh challenge of at least 16 bytes")
    func registrationChallengesAreFresh() throws {
        let relyingParty = try TestRelyingParty.make()
        let user = PublicKeyCredentialUserEntityJSON(id: TestRelyingParty.userHandle, name: "ada", displayName: "Ada")
        let first = relyingParty.beginRegistration(user: user).ceremony.challenge
        let second = relyingParty.beginRegistration(user: user).ceremony.challenge
        #expect(first != second)
        #expect(first.bytes.count >= Challenge.minimumLength)
    }

    @Test("Authentication options carry the RP ID, the challenge and the allowed credentials")
    func authenticationOptionsFollowTheConfiguration() throws {
        let relyingParty = try TestRelyingParty.make(userVerification: .discouraged)
        let allowed = PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: TestRelyingParty.credentialID), transports: [.usb])
        let (options, ceremony) = relyingParty.beginAuthentication(
            allowCredentials: [allowed], userHandle: TestRelyingParty.userHandle, challenge: TestRelyingParty.challenge)
        #expect(options.rpId == "example.com")
        #expect(options.challenge == TestRelyingParty.challenge)
        #expect(options.allowCredentials == [allowed])
        #expect(options.userVerification == .discouraged)
        #expect(ceremony == AuthenticationCeremony(
            challenge: TestRelyingParty.challenge, allowCredentials: [allowed.id],
            userVerification: .discouraged, userHandle: TestRelyingParty.userHandle))
    }

    @Test("A sign-in begun by the relying party finishes with the fixture's response")
    func begunAuthenticationFinishes() throws {
        let relyingParty = try TestRelyingParty.make()
        let authentication = TestAuthentication()
        let (_, ceremony) = relyingParty.beginAuthentication(
            allowCredentials: [PublicKeyCredentialDescriptorJSON(id: CredentialID(uncheckedBytes: TestRelyingParty.credentialID))],
            userHandle: TestRelyingParty.userHandle, challenge: TestRelyingParty.challenge)
        _ = try relyingParty.finishAuthentication(
            response: authentication.response(), ceremony: ceremony, credential: authentication.storedCredential)
    }
}
