// Runs every `sh` example in docs/*.md against moto, so the documentation cannot drift from what privgw does.
import Foundation
import TestSupport
import XCTest

final class DocExamplesTests: XCTestCase {
    /// Each `sh` fenced block's lines, per doc file, in order.
    static func examples() throws -> [(file: String, lines: [String])] {
        let docs = TestPaths.repoRoot.appendingPathComponent("docs")
        let files = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return try files.compactMap { name in
            let text = try String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            var lines: [String] = [], inBlock = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
                if line.hasPrefix("```") { inBlock = line == "```sh"; continue }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if inBlock, !trimmed.isEmpty, !trimmed.hasPrefix("#") { lines.append(trimmed) }
            }
            return lines.isEmpty ? nil : ("docs/" + name, lines)
        }
    }

    /// Output meant for system locations (shell completion folders) goes to /dev/null instead.
    static func sandboxed(_ line: String) -> String {
        guard let r = line.range(of: ">", options: .backwards) else { return line }
        let target = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
        if target.hasPrefix("/") || target.hasPrefix("~") || target.hasPrefix("\"$") || target.hasPrefix("$") {
            return line[..<r.lowerBound] + "> /dev/null"
        }
        return line
    }

    func testEveryShellExampleInTheDocsRuns() throws {
        let examples = try Self.examples()
        XCTAssertGreaterThan(examples.flatMap(\.lines).count, 5, "the `sh` examples of docs/ were not found")
        let f = try StackFixture.make(stack: "docs", recording: false)
        defer { f.stop() }
        let binDir = try Privgw.binary().deletingLastPathComponent().path
        var env = f.moto.environment
        env["PATH"] = binDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        env["HOME"] = f.dir.path
        for (file, lines) in examples {
            // Each file's examples start from a deployed stack, as a reader following them would have.
            let up = try f.moto.runPrivgw(["up", "--yes"], currentDirectory: f.dir)
            XCTAssertEqual(up.status, 0, "set-up for \(file): \(up.description)")
            for line in lines {
                let cmd = Self.sandboxed(line)
                let r = try CommandRunner.run("/bin/bash", ["-c", cmd], environment: env, currentDirectory: f.dir, timeout: 300)
                XCTAssertEqual(r.status, 0, "\(file): `\(line)` failed: \(r.description)")
            }
            let down = try f.moto.runPrivgw(["down", "--yes"], currentDirectory: f.dir)
            XCTAssertEqual(down.status, 0, "clean-up after \(file): \(down.description)")
        }
    }
}
