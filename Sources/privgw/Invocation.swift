// One command invocation's shared machinery: console, renderers, signal trap, the session, and error reporting.
import ArgumentParser
import Foundation
import PrivGW

/// What a subcommand's body works with. Built once per run from the global options.
final class Invocation: @unchecked Sendable {
    let command: String
    let format: OutputFormat
    let console: Console
    /// Renders for stdout (coloured only when stdout is a terminal).
    let text: TextRenderer
    /// Style for stderr (diagnostics), decided separately: `privgw up > log` still gets coloured errors.
    let errStyle: TextStyle
    let trap: SignalTrap
    let specPath: String
    let stateDir: String
    let verbosity: Int
    private let options: StackOptionsFactory
    private let lock = NSLock()
    private var openedSession: StackSession?

    /// Captures the parts of GlobalOptions the facade needs (the options struct itself is not Sendable).
    private struct StackOptionsFactory: Sendable {
        var make: @Sendable (Int, Console) -> StackOptions
    }

    init(command: String, global: GlobalOptions) {
        let env = ProcessInfo.processInfo.environment
        self.command = command
        self.format = global.output
        let outColor = TextStyle.shouldUseColor(format: global.output, noColorFlag: global.noColor,
                                                isTerminal: Terminal.stdoutIsTTY, environment: env)
        // Diagnostics are text even under --output json (stdout carries the JSON), so only the flags decide.
        let errColor = TextStyle.shouldUseColor(format: .text, noColorFlag: global.noColor,
                                                isTerminal: Terminal.stderrIsTTY, environment: env)
        self.errStyle = TextStyle(colors: errColor)
        self.text = TextRenderer(style: TextStyle(colors: outColor))
        self.console = Console(out: { Terminal.write(fd: 1, $0) }, err: { Terminal.write(fd: 2, $0) },
                               liveEnabled: global.output == .text && Terminal.stdoutIsTTY && env["TERM"] != "dumb",
                               width: Terminal.width())
        self.trap = SignalTrap(console: console)
        self.specPath = global.file
        self.stateDir = global.stateDir
        self.verbosity = global.verbose
        let g = (global.file, global.region, global.profile, global.endpointURL, global.stateDir, global.verbose)
        self.options = StackOptionsFactory { maxParallel, console in
            StackOptions(specPath: g.0, region: g.1, profile: g.2, endpointURL: g.3, stateDir: g.4,
                         maxParallel: maxParallel, verbosity: g.5,
                         debugLog: g.5 >= 2 ? { @Sendable line in console.err("debug: " + line) } : nil)
        }
    }

    var session: StackSession? { lock.withLock { openedSession } }

    /// Loads the spec and AWS settings (no AWS call yet) and prints the spec's warnings on stderr.
    func open(maxParallel: Int = 4) throws -> StackSession {
        let session = try StackSession.open(options.make(maxParallel, console))
        lock.withLock { openedSession = session }
        if !session.specWarnings.isEmpty {
            console.err(TextRenderer(style: errStyle).specWarnings(session.specWarnings, file: specPath))
        }
        return session
    }

    /// Asks for confirmation: on stdout for text, on stderr under --output json (stdout is the JSON document).
    func confirm(_ question: String) -> Bool {
        // A signal at the prompt exits at once (the trap is not in graceful mode): nothing was changed yet.
        Terminal.confirm(question, console: console, onStderr: format == .json)
    }

    /// Prints the diagnostic for an error that ended the command (and the JSON error document under
    /// --output json) and returns the exit status.
    func report(_ error: any Error) -> ExitStatus {
        // After Ctrl-C, whatever the work ended with (an aborted transfer, a cancelled wait) is the interruption.
        let effective: any Error = trap.fired && !ExitStatus.isInterruption(error) ? InterruptedError() : error
        console.err(Diagnostics.render(effective, context: .init(command: command, stateDir: stateDir), style: errStyle))
        if format == .json { console.out(JSONRenderer.error(effective, command: command)) }
        return ExitStatus.forError(effective)
    }

    /// `-v`: the AWS call statistics, on stderr so JSON on stdout stays one document.
    func printStatistics() {
        guard verbosity >= 1, let session else { return }
        console.err(TextRenderer(style: errStyle).statistics(session.callStatistics.snapshot))
    }
}

extension GlobalOptions {
    /// Runs a subcommand body with signal handling, error reporting, -v statistics and the exit code; throws
    /// ExitCode for anything but success (PrivgwCommand.main turns it into the process status).
    func perform(_ command: String, _ body: @escaping @Sendable (Invocation) async throws -> ExitStatus) async throws {
        let invocation = Invocation(command: command, global: self)
        var status: ExitStatus
        do {
            status = try await invocation.trap.run { try await body(invocation) }
        } catch {
            status = invocation.report(error)
        }
        invocation.printStatistics()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
