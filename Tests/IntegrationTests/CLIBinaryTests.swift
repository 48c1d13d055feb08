// The built binary's commands that need no AWS: init, version, completion, usage errors and their exit codes.
import Foundation
import TestSupport
import XCTest

final class CLIBinaryTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> CommandResult {
        // No AWS settings at all: these commands must not need them.
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_CONFIG_FILE"] = "/dev/null"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
        environment.merge(env) { _, new in new }
        return try CommandRunner.run(try Privgw.binary().path, args, environment: environment, currentDirectory: dir, timeout: 60)
    }

    func testInitWritesAParsableSpecAndRefusesToOverwrite() throws {
        let spec = dir.appendingPathComponent("privgw.yaml")
        let first = try run(["init"])
        XCTAssertEqual(first.status, 0, first.description)
        let text = try String(contentsOf: spec, encoding: .utf8)
        XCTAssertTrue(text.contains("design:"), text)
        XCTAssertTrue(text.contains("#"), "the example spec explains itself in comments")

        let again = try run(["init"])
        XCTAssertEqual(again.status, 2, again.description)
        XCTAssertTrue((again.stderr + again.stdout).contains("--force"), again.description)
        XCTAssertEqual(try run(["init", "--force"]).status, 0)

        // The written spec passes validation: `plan` gets past the spec and stops only at the missing region/credentials
        // or AWS, never with a spec error (exit 2 would say "spec error").
        let plan = try run(["plan", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"],
                           env: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1"])
        XCTAssertFalse(plan.stderr.contains("privgw.yaml:"), "the example spec must be valid: \(plan.stderr)")
        XCTAssertEqual(plan.status, 1, plan.description)
    }

    func testVersionNeedsNoSpecAndNoAWS() throws {
        for args in [["--version"], ["version"]] {
            let r = try run(args)
            XCTAssertEqual(r.status, 0, r.description)
            XCTAssertTrue(r.stdout.contains("0.1.0"), r.stdout)
        }
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try run(["frobnicate"]).status, 2)
        XCTAssertEqual(try run(["up", "--max-parallel", "many"]).status, 2)
        let missing = try run(["plan", "-f", "nope.yaml"])
        XCTAssertEqual(missing.status, 2, missing.description)
        XCTAssertTrue(missing.stderr.contains("nope.yaml"), missing.stderr)
    }

    func testNoRegionIsAClearErrorBeforeAnyCall() throws {
        XCTAssertEqual(try run(["init"]).status, 0)
        // The example spec names a region; take it out so nothing provides one.
        let spec = dir.appendingPathComponent("privgw.yaml")
        let text = try String(contentsOf: spec, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("region:") }.joined(separator: "\n")
        try text.write(to: spec, atomically: true, encoding: .utf8)
        let r = try run(["plan", "--endpoint-url", "http://127.0.0.1:9"])
        XCTAssertEqual(r.status, 2, r.description)
        XCTAssertTrue(r.stderr.lowercased().contains("region"), r.stderr)
    }

    func testManualPageCoversEveryCommand() throws {
        let r = try run(["manual"])
        XCTAssertEqual(r.status, 0, r.description)
        XCTAssertTrue(r.stdout.hasPrefix(".TH PRIVGW 1"), r.stdout)
        for command in ["init", "plan", "up", "down", "status", "version", "completion", "iam-policy"] {
            XCTAssertTrue(r.stdout.contains(".SS privgw \(command)\n"), "the man page lacks \(command)")
        }
        XCTAssertTrue(r.stdout.contains("--no-rollback"), "options come from the command definitions")
    }

    func testCompletionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let r = try run(["completion", shell])
            XCTAssertEqual(r.status, 0, r.description)
            XCTAssertTrue(r.stdout.contains("privgw"), shell)
        }
    }
}
