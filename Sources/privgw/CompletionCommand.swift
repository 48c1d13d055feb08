// `privgw completion bash|zsh|fish`: the shell completion script ArgumentParser generates from the commands.
import ArgumentParser

struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script.",
        discussion: """
        bash: privgw completion bash > /etc/bash_completion.d/privgw
        zsh:  privgw completion zsh > "${fpath[1]}/_privgw"
        fish: privgw completion fish > ~/.config/fish/completions/privgw.fish
        """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        let script = PrivgwCommand.completionScript(for: CompletionShell(rawValue: shell.rawValue)!)
        Terminal.write(fd: 1, script.hasSuffix("\n") ? script : script + "\n")
    }
}
