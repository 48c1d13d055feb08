// `privgw version`: prints the version at once (no spec parsing, no AWS).
import ArgumentParser
import PrivGW

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print privgw's version.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        Terminal.write(fd: 1, (global.output == .json ? JSONRenderer.version(PrivgwVersion.string) : PrivgwVersion.banner) + "\n")
    }
}
