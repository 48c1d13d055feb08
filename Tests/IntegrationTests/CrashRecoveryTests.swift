// Crash and interrupt safety of the ALB design, through the built binary against moto (signatures verified):
// `up` and `down` killed with SIGKILL right after the N-th journal record (PRIVGW_CRASH_AFTER_RECORDS, the
// journal's fault-injection hook), then run again: no duplicate resource, a converged stack, and `down` leaves
// nothing behind. Also Ctrl-C (SIGINT) during a wait, and a second run refused while the stack lock is held.
//
// PRIVGW_FULL_CRASH_MATRIX=1 kills `up` and `down` at every record position (scripts/crash-matrix); otherwise
// a spread subset keeps CI within a few minutes. Each case prints one `crash-matrix-row` line (the script's table).
//
// Where moto is not AWS: it ignores idempotency tokens (ClientToken, CallerReference; a second CreateLoadBalancer
// makes a second ALB), so these tests prove that find-before-create through the journal and the ownership tags
// is what prevents duplicates. Waits are short in moto, so kills land on record boundaries, not mid-wait.
#if canImport(Glibc)
import Glibc
#endif
import AWSCore
import Foundation
import TestSupport
import XCTest

final class CrashRecoveryTests: XCTestCase {
    static var fullMatrix: Bool { ProcessInfo.processInfo.environment["PRIVGW_FULL_CRASH_MATRIX"] == "1" }
    static let hook = "PRIVGW_CRASH_AFTER_RECORDS"

    // MARK: - up killed at record N

    func testUpKilledAtEachRecordPositionResumesWithoutDuplicates() throws {
        let started = Date()
        let moto = try MotoServer.start(verifySignatures: true, environment: ["MOTO_ACM_VALIDATION_WAIT": "0"])
        defer { moto.stop() }

        // Baseline: an uninterrupted up counts the records a run writes and proves the checks pass on a clean stack.
        let total: Int
        var firstFacts: [Int] = []
        do {
            let f = try StackFixture.makeShared(on: moto, stack: "crash")
            defer { f.removeDirectory() }
            let up = try f.run(["up", "--yes"])
            XCTAssertEqual(up.status, 0, up.description)
            let entries = try f.journalEntries()
            total = entries.count
            // Each step's first `fact` (its id, right after the create call): killed there, the rest of the create
            // (attributes, set-up, validation record, wait) never ran. Where the bugs were; parallel steps may
            // shift a position by a record or two from run to run.
            var seen = Set<String>()
            for (i, e) in entries.enumerated() where e["type"] as? String == "fact" {
                if let step = e["step"] as? String, seen.insert(step).inserted { firstFacts.append(i + 1) }
            }
            let problems = try StackCheck.converged(f)
            XCTAssertEqual(problems, [], "baseline stack")
            let down = try f.run(["down", "--yes"])
            XCTAssertEqual(down.status, 0, down.description)
            XCTAssertEqual(try StackCheck.leftovers(f), [], "baseline down")
        }
        XCTAssertGreaterThan(total, 10, "an up of the ALB design writes many records")

        let positions: [Int]
        if Self.fullMatrix {
            positions = Array(1...(total + 1))
        } else {
            // The first and last few, each step's first fact, and a spread in between (~15 cases, ~2.5 min).
            var p = Set([1, 2, total - 1, total, total + 1]).union(firstFacts)
            p.formUnion(Swift.stride(from: 3, to: total - 1, by: max(4, total / 5)))
            positions = p.filter { $0 >= 1 }.sorted()
        }
        print("crash-matrix: up writes \(total) records; positions \(positions.map(String.init).joined(separator: ","))")

        var completedNormally = false
        var n = 0
        var queue = positions
        while !queue.isEmpty {
            n = queue.removeFirst()
            try moto.reset()
            let f = try StackFixture.makeShared(on: moto, stack: "crash")
            defer { f.removeDirectory() }
            crashCaseOrFail {
                let row = try self.crashCase(f, command: "up", position: n, prepare: nil)
                row.print()
                if !row.killed { completedNormally = true }
            }
            // Full matrix: keep going until a hooked run completes normally (the journal may grow by a record).
            if Self.fullMatrix, queue.isEmpty, !completedNormally, n < total + 10 { queue.append(n + 1) }
        }
        XCTAssertTrue(completedNormally, "a run with PRIVGW_CRASH_AFTER_RECORDS beyond the last record must complete")
        print("crash-matrix: up matrix took \(Int(Date().timeIntervalSince(started))) s")
    }

    // MARK: - down killed at record N

    func testDownKilledAtSeveralRecordPositionsFinishesOnRerun() throws {
        let started = Date()
        let moto = try MotoServer.start(verifySignatures: true, environment: ["MOTO_ACM_VALIDATION_WAIT": "0"])
        defer { moto.stop() }
        let upFirst: (StackFixture) throws -> Void = { f in
            let up = try f.run(["up", "--yes"])
            XCTAssertEqual(up.status, 0, up.description)
        }

        let total: Int
        do {
            let f = try StackFixture.makeShared(on: moto, stack: "crashdown")
            defer { f.removeDirectory() }
            try upFirst(f)
            let before = try f.journalLines().count
            let down = try f.run(["down", "--yes"])
            XCTAssertEqual(down.status, 0, down.description)
            total = try f.journalLines().count - before
        }
        let positions: [Int]
        if Self.fullMatrix {
            positions = Array(1...(total + 1))
        } else {
            positions = Array(Set([1, 2, total / 3, total / 2, (2 * total) / 3, total - 1, total])).filter { $0 >= 1 }.sorted()
        }
        print("crash-matrix: down writes \(total) records; positions \(positions.map(String.init).joined(separator: ","))")
        for n in positions {
            try moto.reset()
            let f = try StackFixture.makeShared(on: moto, stack: "crashdown")
            defer { f.removeDirectory() }
            crashCaseOrFail { try self.crashCase(f, command: "down", position: n, prepare: upFirst).print() }
        }
        print("crash-matrix: down matrix took \(Int(Date().timeIntervalSince(started))) s")
    }

    /// Threads of a process (Linux /proc); nil elsewhere.
    static func threadCount(_ pid: Int32) -> Int? {
        try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count
    }

    /// Waits (up to 30 s) until the moto harness runs no more threads than when idle (werkzeug: one per request).
    static func waitForThreads(_ pid: Int32, atMost idle: Int?) {
        guard let idle else { Thread.sleep(forTimeInterval: 2); return }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, let n = threadCount(pid), n > idle { Thread.sleep(forTimeInterval: 0.05) }
    }

    func crashCaseOrFail(_ body: () throws -> Void) {
        do { try body() } catch { XCTFail("\(error)") }
    }

    /// One case: (prepare), `command` killed after record `position`, the same command again, checks, clean-up.
    func crashCase(_ f: StackFixture, command: String, position n: Int,
                   prepare: ((StackFixture) throws -> Void)?) throws -> MatrixRow {
        try prepare?(f)
        var row = MatrixRow(command: command, position: n)
        let idleThreads = Self.threadCount(f.moto.pid)
        let crashed = try PrivgwChild.start(f, [command, "--yes"], environment: [Self.hook: String(n)]).wait(timeout: 180)
        row.killed = crashed.killedBySIGKILL
        // A call the killed process had in flight still runs to its end in moto. Resuming while it does races with
        // it, and moto's ACM IdempotencyToken check is not atomic (two concurrent RequestCertificate calls with one
        // token make two certificates; AWS returns the same one): a duplicate that is moto's, not privgw's. So wait,
        // as a person re-running the command would, until moto has finished: its request threads are gone.
        Self.waitForThreads(f.moto.pid, atMost: idleThreads)
        if !crashed.killedBySIGKILL {
            // Only a position past the last record may complete, and then normally.
            XCTAssertEqual(crashed.status, 0, "\(command) with \(Self.hook)=\(n) neither was killed nor succeeded\n\(crashed)")
        }
        // Whatever the kill left, the journal must still be readable: only a torn last line is tolerated.
        XCTAssertNoThrow(try f.journalLines(), "journal after kill at \(n)")

        let again = try f.run([command, "--yes"])
        row.resumedOK = again.status == 0
        XCTAssertEqual(again.status, 0, "\(command) after a kill at record \(n)\n\(again.description)")

        if command == "up" {
            let snapshot = try f.moto.snapshot()
            row.duplicates = try StackCheck.duplicates(f, snapshot)
            XCTAssertEqual(row.duplicates, [], "duplicates after up killed at record \(n)")
            let problems = try StackCheck.converged(f, snapshot)
            row.problems = problems
            XCTAssertEqual(problems, [], "stack not converged after up killed at record \(n)")
            let down = try f.run(["down", "--yes"])
            XCTAssertEqual(down.status, 0, "down after up killed at record \(n)\n\(down.description)")
            if down.status != 0 { row.resumedOK = false }
        }
        row.leftovers = try StackCheck.leftovers(f)
        XCTAssertEqual(row.leftovers, [], "leftovers after \(command) killed at record \(n)")
        return row
    }

    // MARK: - SIGINT and the lock

    func testSIGINTDuringTheCertificateWaitExits130AndResumes() throws {
        // The certificate turns ISSUED 5 s after it is requested: `up` is then waiting on it.
        let moto = try MotoServer.start(verifySignatures: true, environment: ["MOTO_ACM_VALIDATION_WAIT": "5"])
        defer { moto.stop() }
        let f = try StackFixture.makeShared(on: moto, stack: "sigint")
        defer { f.removeDirectory() }

        let child = try PrivgwChild.start(f, ["up", "--yes"])
        // Wait until the certificate was requested (its id journaled), so the run is applying, not planning.
        try waitFor("the certificate request to be journaled", timeout: 60) {
            try f.journalEntries().contains { $0.isFact(step: "certificate", key: "id") }
        }
        Thread.sleep(forTimeInterval: 2)
        child.signal(SIGINT)
        let sentAt = Date()
        let r = try child.wait(timeout: 60)
        XCTAssertFalse(r.killedBySIGKILL, r.description)
        XCTAssertEqual(r.status, 130, r.description)
        XCTAssertLessThan(Date().timeIntervalSince(sentAt), 30, "the interrupt must stop the wait promptly")
        XCTAssertTrue(r.stderr.contains("privgw up") && r.stderr.contains("resume"), "stderr must say how to resume:\n\(r.stderr)")
        XCTAssertTrue(r.stderr.contains("privgw down"), r.stderr)

        // The journal is consistent: every line parses, and the last one is this run's end, "interrupted".
        let lines = try f.journalLines()
        let last = try XCTUnwrap(lines.last)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], last)
        XCTAssertEqual(json["type"] as? String, "run-end", last)
        XCTAssertEqual(json["result"] as? String, "interrupted", last)

        let again = try f.run(["up", "--yes"])
        XCTAssertEqual(again.status, 0, again.description)
        XCTAssertEqual(try StackCheck.duplicates(f), [])
        XCTAssertEqual(try StackCheck.converged(f), [])
        let down = try f.run(["down", "--yes"])
        XCTAssertEqual(down.status, 0, down.description)
        XCTAssertEqual(try StackCheck.leftovers(f), [])
    }

    func testSecondUpIsRefusedWhileTheLockIsHeld() throws {
        // A 5 s certificate wait keeps the first run (and its lock) alive while the second one starts.
        let moto = try MotoServer.start(verifySignatures: true, environment: ["MOTO_ACM_VALIDATION_WAIT": "5"])
        defer { moto.stop() }
        let f = try StackFixture.makeShared(on: moto, stack: "locked")
        defer { f.removeDirectory() }

        let first = try PrivgwChild.start(f, ["up", "--yes"])
        // The run-start record is written after the lock is taken.
        try waitFor("the first run to take the lock", timeout: 60) {
            try f.journalEntries().contains { $0["type"] as? String == "run-start" }
        }
        let second = try f.run(["up", "--yes"])
        let lockPath = f.stateDirectory.appendingPathComponent("locked.lock").path
        // A lock held by another run is a runtime failure (exit 1), not a usage error.
        XCTAssertEqual(second.status, 1, second.description)
        XCTAssertTrue(second.stderr.contains(lockPath), "the message must name the lock file \(lockPath):\n\(second.stderr)")
        XCTAssertTrue(second.stderr.contains("another privgw run"), second.stderr)
        XCTAssertTrue(second.stderr.contains("process \(first.pid)"), "the message names the holder's pid:\n\(second.stderr)")

        let r = try first.wait(timeout: 120)
        XCTAssertEqual(r.status, 0, r.description)
        // The refused run wrote nothing and created nothing.
        XCTAssertEqual(try f.journalEntries().filter { $0["type"] as? String == "run-start" }.count, 1)
        XCTAssertEqual(try StackCheck.duplicates(f), [])
        let down = try f.run(["down", "--yes"])
        XCTAssertEqual(down.status, 0, down.description)
        XCTAssertEqual(try StackCheck.leftovers(f), [])
    }

    func waitFor(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw TestFailure("timed out waiting for \(what)")
    }
}

// MARK: - matrix rows

struct MatrixRow {
    var command: String
    var position: Int
    var killed = false
    var resumedOK = false
    var duplicates: [String] = []
    var problems: [String] = []
    var leftovers: [String] = []

    /// `crash-matrix-row|up|7|killed|ok|-|-|-`: scripts/crash-matrix turns these into its table.
    func print() {
        func list(_ l: [String]) -> String { l.isEmpty ? "-" : l.joined(separator: "; ") }
        Swift.print(["crash-matrix-row", command, String(position), killed ? "killed" : "completed",
                     resumedOK ? "ok" : "FAILED", list(duplicates), list(problems), list(leftovers)].joined(separator: "|"))
    }
}

// MARK: - independent checks (boto3 snapshot)

enum StackCheck {
    static let stackKey = "privgw:stack"

    /// More than one of anything privgw makes once per step.
    static func duplicates(_ f: StackFixture, _ snapshot: StackSnapshot? = nil) throws -> [String] {
        let s = try snapshot ?? f.moto.snapshot()
        let st = f.stack
        var out: [String] = []
        func one(_ what: String, _ count: Int) { if count != 1 { out.append("\(count) × \(what)") } }
        for step in ["alb-sg", "endpoint-sg"] {
            one("security group \(step)", s.securityGroups.filter { $0.tags[stackKey] == st && $0.tags["privgw:step"] == step }.count)
        }
        let lbs = s.loadBalancers.filter { $0.tags[stackKey] == st }
        one("load balancer", lbs.count)
        one("listener", lbs.flatMap(\.listeners).count)
        one("vpc endpoint", s.vpcEndpoints.filter { $0.tags[stackKey] == st }.count)
        one("target group", s.targetGroups.filter { $0.tags[stackKey] == st }.count)
        one("certificate", s.certificates.filter { $0.tags[stackKey] == st }.count)
        one("demo rest api", s.restApis.filter { $0.tags[stackKey] == st }.count)
        one("domain name", s.domainNames.filter { $0.name == "api.example.com" }.count)
        let records = s.zone(f.fixtures.privateZoneId)?.records ?? []
        one("A record api.example.com", records.filter { $0.name == "api.example.com." && $0.type == "A" }.count)
        one("ACM validation CNAME", (s.zone(f.fixtures.publicZoneId)?.records ?? []).filter { $0.type == "CNAME" }.count)
        return out
    }

    /// What a clean `up` produces, checked piece by piece (a resumed run must converge to the same stack).
    static func converged(_ f: StackFixture, _ snapshot: StackSnapshot? = nil) throws -> [String] {
        let s = try snapshot ?? f.moto.snapshot()
        let st = f.stack
        var out: [String] = []
        guard let lb = s.loadBalancers.first(where: { $0.tags[stackKey] == st }) else { return ["no load balancer"] }
        guard let ep = s.vpcEndpoints.first(where: { $0.tags[stackKey] == st }) else { return ["no vpc endpoint"] }
        guard let tg = s.targetGroups.first(where: { $0.tags[stackKey] == st }) else { return ["no target group"] }
        guard let cert = s.certificates.first(where: { $0.tags[stackKey] == st }) else { return ["no certificate"] }
        guard let api = s.restApis.first(where: { $0.tags[stackKey] == st }) else { return ["no demo api"] }
        let albSG = s.securityGroups.first { $0.tags[stackKey] == st && $0.tags["privgw:step"] == "alb-sg" }
        let epSG = s.securityGroups.first { $0.tags[stackKey] == st && $0.tags["privgw:step"] == "endpoint-sg" }

        if lb.attributes["routing.http.drop_invalid_header_fields.enabled"] != "true" {
            out.append("load balancer does not drop invalid header fields")
        }
        if lb.securityGroups != [albSG?.id].compactMap({ $0 }) { out.append("load balancer groups \(lb.securityGroups)") }
        if albSG?.ingress.flatMap(\.cidrs) != ["10.20.0.0/16"] { out.append("alb-sg ingress \(albSG?.ingress.flatMap(\.cidrs) ?? [])") }
        if let a = albSG?.id, epSG?.ingress.flatMap(\.groups) != [a] { out.append("endpoint-sg ingress \(epSG?.ingress.flatMap(\.groups) ?? [])") }
        if ep.groups != [epSG?.id].compactMap({ $0 }) { out.append("endpoint groups \(ep.groups)") }
        if tg.targets.isEmpty || tg.targets != ep.ips { out.append("targets \(tg.targets) ≠ endpoint IPs \(ep.ips)") }
        if cert.status != "ISSUED" { out.append("certificate \(cert.status)") }
        if let l = lb.listeners.first {
            if l.certificates != [cert.arn] { out.append("listener certificates \(l.certificates)") }
            if l.targetGroups != [tg.arn] { out.append("listener forwards to \(l.targetGroups)") }
        } else {
            out.append("no listener")
        }
        if !(api.policy ?? "").contains(ep.id) { out.append("demo api policy does not name \(ep.id)") }
        if let dn = s.domainNames.first(where: { $0.name == "api.example.com" }) {
            if dn.regionalCertificateArn != cert.arn { out.append("domain certificate \(dn.regionalCertificateArn ?? "nil")") }
            if dn.mappings.map(\.restApiId) != [api.id] || dn.mappings.first?.stage != "prod" {
                out.append("domain mappings \(dn.mappings.map { "\($0.restApiId ?? "?")/\($0.stage ?? "?")" })")
            }
        } else {
            out.append("no domain name")
        }
        let a = s.zone(f.fixtures.privateZoneId)?.records.first { $0.name == "api.example.com." && $0.type == "A" }
        if !(a?.alias?.lowercased().contains(lb.dnsName.lowercased()) ?? false) { out.append("A record alias \(a?.alias ?? "none")") }
        return out
    }

    /// Anything of the stack still there: tagged resources, the custom domain, the A record, the validation CNAME.
    static func leftovers(_ f: StackFixture) throws -> [String] {
        let s = try f.moto.snapshot()
        var out = s.tagged(stack: f.stack)
        out += s.domainNames.filter { $0.name == "api.example.com" }.map { "domain name \($0.name)" }
        out += (s.zone(f.fixtures.privateZoneId)?.records ?? []).filter { $0.name == "api.example.com." }.map { "\($0.type) record \($0.name)" }
        out += (s.zone(f.fixtures.publicZoneId)?.records ?? []).filter { $0.type == "CNAME" }.map { "validation CNAME \($0.name)" }
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }
}

// MARK: - fixtures on a shared moto

extension StackFixture {
    /// A stack on an existing (e.g. just reset) moto: fresh fixtures, spec and state directory. Same spec as `make`.
    static func makeShared(on moto: MotoServer, stack: String) throws -> StackFixture {
        let fixtures = try moto.createFixtures()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("privgw.yaml")
        let yaml = """
        name: \(stack)
        region: \(fixtures.region)
        design: alb
        domain: api.example.com
        vpc: \(fixtures.vpcId)
        subnets: [\(fixtures.subnetIds.joined(separator: ", "))]
        certificate:
          validationZone: \(fixtures.publicZoneId)
        privateZone: \(fixtures.privateZoneId)
        api:
          id: demo
          stage: prod
        tags: {team: payments}
        """
        try yaml.write(to: spec, atomically: true, encoding: .utf8)
        return StackFixture(moto: moto, fixtures: fixtures, dir: dir, spec: spec, stack: stack)
    }

    var stateDirectory: URL { dir.appendingPathComponent("state") }
    var journalURL: URL { stateDirectory.appendingPathComponent("\(stack).journal.jsonl") }

    /// The journal's complete lines; a torn last line (a kill mid-write) is dropped, any other bad line throws.
    func journalLines() throws -> [String] {
        guard FileManager.default.fileExists(atPath: journalURL.path) else { return [] }
        let text = try String(contentsOf: journalURL, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.hasSuffix("\n"), let last = lines.last, (try? JSONSerialization.jsonObject(with: Data(last.utf8))) == nil {
            lines.removeLast()
        }
        for (i, l) in lines.enumerated() where (try? JSONSerialization.jsonObject(with: Data(l.utf8))) == nil {
            throw TestFailure("journal line \(i + 1) is not JSON: \(l)")
        }
        return lines
    }

    func journalEntries() throws -> [[String: Any]] {
        try journalLines().compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// Removes the spec and state directory; the shared moto keeps running.
    func removeDirectory() { try? FileManager.default.removeItem(at: dir) }
}

extension Dictionary where Key == String, Value == Any {
    func isFact(step: String, key: String) -> Bool {
        self["type"] as? String == "fact" && self["step"] as? String == step && self["key"] as? String == key
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: - a privgw child the test can signal

/// privgw started in the background with the fixture's spec, state directory and moto environment (like
/// `StackFixture.run`), so the test can send it signals; CommandRunner only runs to completion.
final class PrivgwChild: @unchecked Sendable {
    struct Result: CustomStringConvertible {
        var status: Int32
        /// Ended by a signal (then `status` is the signal number).
        var signaled: Bool
        var stdout: String
        var stderr: String
        var killedBySIGKILL: Bool { (signaled && status == SIGKILL) || (!signaled && status == 128 + SIGKILL) }
        var description: String {
            "\(signaled ? "signal" : "exit") \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
        }
    }

    let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    private let readers = DispatchGroup()
    private let lock = NSLock()
    private var out = Data(), err = Data()

    var pid: Int32 { process.processIdentifier }

    static func start(_ f: StackFixture, _ arguments: [String], environment: [String: String] = [:]) throws -> PrivgwChild {
        var env = ProcessInfo.processInfo.environment.filter {
            !MotoServer.clearedEnvironmentKeys.contains($0.key) && !$0.key.hasPrefix("AWS_ENDPOINT_URL_")
                && $0.key != CrashRecoveryTests.hook
        }
        env.merge(f.moto.environment) { _, new in new }
        env.merge(environment) { _, new in new }
        let child = PrivgwChild()
        let p = child.process
        p.executableURL = try Privgw.binary()
        p.arguments = arguments + ["-f", f.spec.path, "--state-dir", f.stateDirectory.path]
        p.environment = env
        p.currentDirectoryURL = f.dir
        p.standardInput = FileHandle.nullDevice
        let o = Pipe(), e = Pipe()
        p.standardOutput = o
        p.standardError = e
        let exited = child.exited
        p.terminationHandler = { _ in exited.signal() }
        try p.run()
        for (pipe, isOut) in [(o, true), (e, false)] {
            DispatchQueue.global().async(group: child.readers) {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                child.lock.withLock { if isOut { child.out = data } else { child.err = data } }
            }
        }
        return child
    }

    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits for the exit; after `timeout` kills the child (by its pid) and throws.
    func wait(timeout: TimeInterval) throws -> Result {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(pid, SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
            throw TestFailure("privgw \(process.arguments?.first ?? "") did not exit within \(Int(timeout)) s")
        }
        _ = readers.wait(timeout: .now() + 10)
        return lock.withLock {
            Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                   stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
        }
    }
}
