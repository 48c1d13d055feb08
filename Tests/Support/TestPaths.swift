// Where the repository, the python helpers and the interpreter are, for tests that start processes.
import Foundation

public enum TestPaths {
    /// The repository root: three levels above this file when it was compiled (Tests/Support/TestPaths.swift),
    /// else the nearest directory above the working directory that holds `Package.swift` and `Tests/Support`.
    public static let repoRoot: URL = {
        let fromSource = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if isRepoRoot(fromSource) { return fromSource }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while dir.path != "/" {
            if isRepoRoot(dir) { return dir }
            dir.deleteLastPathComponent()
        }
        return fromSource
    }()

    /// `Tests/Support/python`: the moto harness, fixtures and recording helpers.
    public static var pythonHelpers: URL { repoRoot.appendingPathComponent("Tests/Support/python") }

    /// The python interpreter that has moto installed: `$PRIVGW_PYTHON`, else `python3` from `PATH`.
    public static var python: String { ProcessInfo.processInfo.environment["PRIVGW_PYTHON"] ?? "python3" }

    private static func isRepoRoot(_ dir: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
            && fm.fileExists(atPath: dir.appendingPathComponent("Tests/Support/python/moto_harness.py").path)
    }
}
