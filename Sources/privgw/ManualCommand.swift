// `privgw manual`: a man page (roff) generated from the command definitions, so it can never disagree with --help.
import ArgumentParser
import PrivGW

struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print privgw's man page (roff), generated from the command definitions.",
        discussion: "Install it with: privgw manual > /usr/local/share/man/man1/privgw.1")

    func run() throws {
        Terminal.write(fd: 1, Self.page())
    }

    /// Escapes text for roff: backslashes, and lines that would start with a control character.
    static func roff(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\e")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : String($0) }
            .joined(separator: "\n")
    }

    static func page() -> String {
        let root = PrivgwCommand.configuration
        var out = """
        .TH PRIVGW 1 "" "\(PrivgwVersion.banner)" "User Commands"
        .SH NAME
        privgw \\- \(roff(root.abstract))
        .SH SYNOPSIS
        .B privgw
        .I command
        [options]
        .SH DESCRIPTION
        \(roff(root.discussion))
        .SH COMMANDS

        """
        for sub in root.subcommands where sub != ManualCommand.self {
            let name = sub.configuration.commandName ?? "\(sub)"
            out += ".SS privgw \(name)\n\(roff(sub.configuration.abstract))\n.PP\n.nf\n"
            out += roff(PrivgwCommand.helpMessage(for: sub, columns: 100)) + "\n.fi\n"
        }
        out += """
        .SH EXIT STATUS
        0 success or healthy; 1 failed or degraded; 2 usage or spec error; 3 not deployed (status); 130 interrupted.
        .SH FILES
        .TP
        .I privgw.yaml
        The stack spec (see \\fBprivgw init\\fR).
        .TP
        .I .privgw/<stack>.journal.jsonl
        The run journal (mode 0600); \\fI.privgw/<stack>.lock\\fR holds the stack lock during a run.
        .SH ENVIRONMENT
        The AWS CLI's variables: AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
        AWS_SESSION_TOKEN, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, AWS_CA_BUNDLE, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE;
        NO_COLOR turns colour off.

        """
        return out
    }
}
