// `privgw down`: delete what privgw created for the stack (never the user's own resources).
import ArgumentParser
import Foundation
import PrivGW

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Delete the resources privgw created for the stack.",
        discussion: "Shows what will be deleted, asks for confirmation on a terminal (unless --yes), then deletes "
            + "it, dependents first. Resources the spec names (your VPC, zone, certificate, API) are left alone.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
    var yes = false

    @Option(name: .customLong("max-parallel"), help: "Steps run at the same time (1-16).")
    var maxParallel = 4

    func validate() throws {
        guard (1...16).contains(maxParallel) else { throw ValidationError("--max-parallel must be between 1 and 16") }
    }

    func run() async throws {
        let (yes, maxParallel) = (self.yes, self.maxParallel)
        try await global.perform("down") { inv in
            try await ApplyFlow.run(inv, command: .down, yes: yes, noRollback: false, maxParallel: maxParallel)
        }
    }
}
