// `privgw init`: writes the commented example spec; never overwrites without --force and never prompts.
import ArgumentParser
import Foundation
import PrivGW

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented example privgw.yaml to start from.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Overwrite the file if it exists.")
    var force = false

    func run() async throws {
        let path = global.file, force = self.force
        try await global.perform("init") { inv in
            // Refusing (rather than asking) keeps init safe in scripts and identical on and off a terminal.
            if FileManager.default.fileExists(atPath: path) && !force {
                throw CLIUsageError("\(path) already exists",
                                    fix: "pass --force to overwrite it, or -f <file> to write the example elsewhere")
            }
            do {
                try StackSpec.exampleYAML.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CLIUsageError("cannot write \(path): \(error.localizedDescription)",
                                    fix: "check that the directory exists and is writable")
            }
            inv.console.out("Wrote \(path). Replace the placeholder ids with yours, then run `privgw plan`.")
            return .success
        }
    }
}
