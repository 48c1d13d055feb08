// `privgw up`: create or converge the stack, after showing the plan (and asking, on a terminal).
import ArgumentParser
import Foundation
import PrivGW

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Create or update the stack so it matches the spec.",
        discussion: "Shows the plan, asks for confirmation on a terminal (unless --yes), then applies it. "
            + "Safe to re-run: it resumes an interrupted run and changes nothing on a converged stack.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.customShort("y"), .long], help: "Apply without asking.")
    var yes = false

    @Flag(name: .customLong("no-rollback"), help: "On failure, keep what this run created (default: delete it again).")
    var noRollback = false

    @Flag(name: .customLong("rebuild-journal"),
          help: "Set an unreadable journal aside and rediscover the stack's resources by their tags.")
    var rebuildJournal = false

    @Option(name: .customLong("max-parallel"), help: "Steps run at the same time (1-16).")
    var maxParallel = 4

    func validate() throws {
        guard (1...16).contains(maxParallel) else { throw ValidationError("--max-parallel must be between 1 and 16") }
    }

    func run() async throws {
        let (yes, noRollback, rebuild, maxParallel) = (self.yes, self.noRollback, self.rebuildJournal, self.maxParallel)
        try await global.perform("up") { inv in
            try await ApplyFlow.run(inv, command: .up, yes: yes, noRollback: noRollback, rebuildJournal: rebuild,
                                    maxParallel: maxParallel)
        }
    }
}
