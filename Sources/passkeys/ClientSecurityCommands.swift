import ArgumentParser
import Foundation
import PasskeyClient
import PasskeyClientCore

// `passkeys client sessions | activity | end-session`: the account's sessions and activity log,
// run on the client core's `Auth.Security` machine with the session the other client commands keep.

struct ClientSessionList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "List where the signed-in account is signed in (its sessions).")

    @OptionGroup var options: ClientOptions

    func run() async throws {
        let run = try await ClientRun.open(options, command: "sessions")
        let security = SecurityClient(transport: run.transport)
        let state = await security.run(.load)
        try await run.finishSecurity(state) { view in
            [view.sessionSummary ?? ""] + (view.sessions ?? []).flatMap { row in
                ["  \(row.id)  \(row.device)" + (row.currentLabel.map { "  (\($0))" } ?? ""), "      \(row.details)"]
            }
        }
    }
}

struct ClientActivity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activity", abstract: "Show the signed-in account's recent activity, newest first.")

    @OptionGroup var options: ClientOptions

    @Flag(help: "Follow the log to its oldest entry, not only the newest page.")
    var all = false

    func run() async throws {
        let run = try await ClientRun.open(options, command: "activity")
        let security = SecurityClient(transport: run.transport)
        var state = await security.run(.load)
        while all, state.nextPage != nil, state.problem == nil {
            state = await security.run(.moreActivity)
        }
        try await run.finishSecurity(state) { view in
            [ClientOutput.language(.label(.activityHeading)) + ":"] + (view.activity ?? []).map { "  \($0.details)  \($0.title)" }
        }
    }
}

struct ClientEndSession: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end-session",
        abstract: "Sign the account out of another browser or app (see `sessions`), or with --others out of all of them.")

    @OptionGroup var options: ClientOptions

    @Argument(help: "The session's ID, as `sessions` lists it. An ID that starts with \"-\" goes after \"--\".")
    var id: String?

    @Flag(help: "End every session of the account but this one.")
    var others = false

    func validate() throws {
        guard (id != nil) != others else { throw ValidationError("name one session ID, or pass --others") }
    }

    func run() async throws {
        let run = try await ClientRun.open(options, command: "end-session")
        let security = SecurityClient(transport: run.transport)
        var state = await security.run(.load)
        if state.problem == nil && !state.signedOut {
            if let id {
                guard let session = state.sessions?.first(where: { $0.id == id }) else {
                    throw ClientOutput(json: options.json, command: "end-session").fail(
                        code: "not_found", message: "The account has no session \(id): `passkeys client sessions` lists them.")
                }
                guard !session.current else {
                    throw ClientOutput(json: options.json, command: "end-session").fail(
                        code: "current_session", message: "That is this session: `passkeys client signout` ends it.")
                }
                state = await security.run(.endSession(id: id))
            } else {
                state = await security.run(.endOtherSessions)
            }
        }
        try await run.finishSecurity(state) { view in
            [view.notice ?? view.sessionSummary ?? ""]
        }
    }
}

extension ClientRun {
    /// Saves the session, then prints `lines` of the view, or why there is nothing to show (exit 1).
    func finishSecurity(_ state: Auth.Security.State, _ lines: (Auth.Security.View) -> [String]) async throws {
        let output = ClientOutput(json: options.json, command: command)
        do {
            try ClientSessions.save(await transport.cookies, server: serverKey, to: options.sessionPath)
        } catch {
            throw output.fail(code: "keychain", message: "\(error)")
        }
        if state.signedOut {
            throw output.fail(
                code: "unauthenticated", message: "Not signed in: run `passkeys client signin --server \(options.server)` first.")
        }
        if let problem = state.problem {
            throw output.fail(code: problem.code, message: problem.words(in: ClientOutput.language))
        }
        let offset = TimeZone.current.secondsFromGMT() / 60
        let view = Auth.Security.view(state, in: ClientOutput.language, utcOffsetMinutes: offset)
        output.succeed(lines(view), sessions: state.sessions, activity: state.activity)
    }
}
