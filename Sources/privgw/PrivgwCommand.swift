// The `privgw` entry point: parses the command line, runs the subcommand, and owns the process exit code.
import ArgumentParser
import Foundation
import PrivGW

@main
struct PrivgwCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privgw",
        abstract: "Give a private API Gateway REST API a custom DNS name inside a VPC.",
        discussion: """
        Reads the stack spec (privgw.yaml), then plans, applies, checks or removes the chain that makes \
        https://<your domain> reach the private API from inside the VPC.

        Exit codes: 0 success/healthy, 1 failed/degraded, 2 usage or spec error, 3 not deployed (status), \
        130 interrupted.
        """,
        version: PrivgwVersion.banner,
        subcommands: [InitCommand.self, PlanCommand.self, UpCommand.self, DownCommand.self, StatusCommand.self,
                      VersionCommand.self, CompletionCommand.self, IAMPolicyCommand.self, ManualCommand.self]
    )

    /// Replaces ArgumentParser's main so usage errors exit 2 (its default is 64) and every other code comes from
    /// `ExitStatus`.
    static func main() async {
        // A closed pipe (`privgw plan | head`) must not kill an `up` in the middle of a call: writes just fail.
        signal(SIGPIPE, SIG_IGN)
        // `privgw --version` / `privgw version` answer before ArgumentParser builds its command tree (most of the
        // start-up time): scripts call them to check the installed version.
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.count == 1, let only = arguments.first, only == "--version" || only == "version" {
            Terminal.write(fd: 1, PrivgwVersion.banner + "\n")
            Terminal.exit(.success)
        }
        let command: any ParsableCommand
        do {
            command = try await asyncParseAsRoot()
        } catch {
            finish(parseError: error)
        }
        do {
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                var sync = command
                try sync.run()
            }
            Terminal.exit(.success)
        } catch let code as ExitCode {
            Terminal.exit(code.rawValue)
        } catch {
            // Help for a bare `privgw`, or a ValidationError thrown late: ArgumentParser knows how to word them.
            finish(parseError: error)
        }
    }

    /// Help/version requests print to stdout and exit 0; anything else is a usage error (exit 2).
    private static func finish(parseError error: any Error) -> Never {
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            if !message.isEmpty { Terminal.write(fd: 1, message + "\n") }
            Terminal.exit(.success)
        }
        if !message.isEmpty { Terminal.write(fd: 2, message + "\n") }
        Terminal.exit(.usage)
    }
}
