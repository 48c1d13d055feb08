// Finds the privgw executable built alongside the tests and runs it.
import Foundation

public enum Privgw {
    /// The `privgw` executable: `$PRIVGW_BIN` if set, else the build products directory of the running tests
    /// (where `swift build` / `swift test` with the same `--scratch-path` put it).
    public static func binary() throws -> URL {
        if let explicit = ProcessInfo.processInfo.environment["PRIVGW_BIN"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let candidates = productDirectories().map { $0.appendingPathComponent("privgw") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw TestSupportError.privgwBinaryNotFound(searched: candidates.map(\.path))
    }

    /// Directories that may hold the products of this build: next to the test runner executable (Linux:
    /// `<scratch>/debug/privgwPackageTests.xctest`), and above the loaded `.xctest` bundles (macOS).
    static func productDirectories() -> [URL] {
        var dirs: [URL] = []
        if let exe = Bundle.main.executableURL { dirs.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        dirs.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        var seen = Set<String>()
        return dirs.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// Runs privgw with this process's environment plus `environment`, and returns what it printed.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                           currentDirectory: URL? = nil, timeout: TimeInterval = 300) throws -> CommandResult {
        let env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        return try CommandRunner.run(try binary().path, arguments, environment: env, stdin: stdin,
                                     currentDirectory: currentDirectory, timeout: timeout)
    }
}

/// Runs privgw (see `Privgw.run`); against moto, use `MotoServer.runPrivgw`, which also points it at the server.
public func runPrivgw(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                      currentDirectory: URL? = nil, timeout: TimeInterval = 300) throws -> CommandResult {
    try Privgw.run(arguments, environment: environment, stdin: stdin, currentDirectory: currentDirectory,
                   timeout: timeout)
}
