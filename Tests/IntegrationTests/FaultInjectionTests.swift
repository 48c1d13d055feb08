// privgw through a fault-injecting proxy (mitmproxy + Tests/Support/python/fault_addon.py) in front of moto:
// at 10% and 30% of calls faulted (throttling, 5xx before and after moto acted, resets, slow answers) `up`
// then `down` converge by themselves to exactly the fault-free end state, with no duplicate, nothing left
// behind, the user's resources untouched, and retries within the standard mode's budget; a non-retryable
// error stops at once and says where, what and which IAM action.
//
// The ALB design at both rates and with only ambiguous faults, the native design at 30%. CI runs one cycle each;
// `scripts/chaos` runs more (PRIVGW_FAULT_CYCLES, PRIVGW_FAULT_SEED) and prints the table it reads from
// PRIVGW_CHAOS_REPORT (one JSON line per cycle, written here). See docs/faults.md.
import AWSCore
import AWSServices
import Foundation
import TestSupport
import XCTest

/// The verdict on one up/down cycle under faults: what the chaos table shows.
struct ChaosOutcome: Codable {
    var scenario: String
    var converged: Bool
    var leaked: [String]
    var duplicated: [String]
    var foreignTouched: [String]
    var differences: [String]
    var calls: Int
    var retries: Int
    var faults: Int

    /// Appends one JSON line to `$PRIVGW_CHAOS_REPORT` when set (scripts/chaos).
    func report() {
        guard let path = ProcessInfo.processInfo.environment["PRIVGW_CHAOS_REPORT"], !path.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard var line = try? encoder.encode(self) else { return }
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        if let h = FileHandle(forWritingAtPath: path) {
            h.seekToEndOfFile()
            h.write(line)
            h.closeFile()
        }
    }
}

/// `privgw -v`'s call statistics (TextRenderer.statistics), read back from stderr.
struct CallStatisticsText {
    var calls = 0
    var retries = 0
    /// `service:Operation` -> (calls, retries)
    var operations: [String: (calls: Int, retries: Int)] = [:]

    init?(_ stderr: String) {
        guard let header = stderr.range(of: "AWS calls: ") else { return nil }
        var found = false
        for line in stderr[header.lowerBound...].split(separator: "\n").dropFirst() {
            let words = line.split(separator: " ")
            guard words.count >= 2, words[0].contains(":"), let n = Int(words[1]) else {
                if found { break } else { continue }
            }
            found = true
            var r = 0
            if words.count >= 3, words[2].hasPrefix("(+") { r = Int(words[2].dropFirst(2)) ?? 0 }
            operations[String(words[0])] = (n, r)
            calls += n
            retries += r
        }
        if !found { return nil }
    }
}

final class FaultInjectionTests: XCTestCase {
    static let env = ProcessInfo.processInfo.environment

    func testALBUpDownConvergeWithTenPercentFaults() async throws {
        try await faultMatrix(design: "alb", rate: 0.10, seed: 101)
    }

    func testALBUpDownConvergeWithThirtyPercentFaults() async throws {
        try await faultMatrix(design: "alb", rate: 0.30, seed: 303)
    }

    /// The native design (private custom domain, access association) at the harder rate.
    func testNativeUpDownConvergeWithThirtyPercentFaults() async throws {
        try await faultMatrix(design: "native", rate: 0.30, seed: 707)
    }

    /// Faults only of the kinds where the call reached moto and took effect, but privgw saw a failure: the case
    /// idempotency tokens and find-before-create exist for.
    func testALBUpDownConvergeWhenEveryFaultIsAmbiguous() async throws {
        try await faultMatrix(design: "alb", rate: 0.25, seed: 505, kinds: ["ambiguous500", "reset-after"], scenario: "alb ambiguous 25%")
    }

    // MARK: - the cycle

    func faultMatrix(design: String, rate: Double, seed: Int, kinds: [String] = FaultProxy.Options.allKinds,
                     scenario: String? = nil) async throws {
        let name = scenario ?? "\(design) faults \(Int(rate * 100))%"
        let cycles = Int(Self.env["PRIVGW_FAULT_CYCLES"] ?? "") ?? 1
        let seed = Int(Self.env["PRIVGW_FAULT_SEED"] ?? "").map { $0 + seed } ?? seed
        let f = try StackFixture.make(stack: "chaos", design: design, recording: false)
        defer { f.stop() }
        try await makeDecoys(f)
        let pre = StackShape(try f.moto.snapshot(), fixtures: f.fixtures)

        // The fault-free end state to converge to.
        let baselineUp = try f.run(["up", "--yes"])
        XCTAssertEqual(baselineUp.status, 0, baselineUp.description)
        let baseline = StackShape(try f.moto.snapshot(), fixtures: f.fixtures)
        let baselineDown = try f.run(["down", "--yes"])
        XCTAssertEqual(baselineDown.status, 0, baselineDown.description)
        XCTAssertEqual(StackShape(try f.moto.snapshot(), fixtures: f.fixtures), pre, "a fault-free up/down leaves things as they were")

        let proxy = try FaultProxy.start(in: f.moto, options: .init(rate: rate, seed: seed, kinds: kinds))
        defer { proxy.stop() }
        for cycle in 1...cycles {
            let label = "\(name) cycle \(cycle)/\(cycles) seed \(seed)"
            let before = try proxy.summary()
            let up = try f.run(["up", "--yes", "-v"], environment: proxy.environment)
            let afterUp = try proxy.summary()
            let mid = StackShape(try f.moto.snapshot(), fixtures: f.fixtures)
            let down = try f.run(["down", "--yes", "-v"], environment: proxy.environment)
            let afterDown = try proxy.summary()
            let post = StackShape(try f.moto.snapshot(), fixtures: f.fixtures)

            var calls = 0, retries = 0
            for (what, run, from, to) in [("up", up, before, afterUp), ("down", down, afterUp, afterDown)] {
                guard let stats = CallStatisticsText(run.stderr) else {
                    XCTFail("\(label): \(what) -v printed no call statistics\n\(run.description)")
                    continue
                }
                calls += stats.calls
                retries += stats.retries
                // The standard retry mode: at most 3 attempts, so at most 2 retries for any one call.
                for (op, s) in stats.operations where s.retries > 2 * s.calls {
                    XCTFail("\(label): \(what): \(op) made \(s.retries) retries for \(s.calls) calls (more than 2 per call)")
                }
                checkAttempts(stats, from: from, to: to, label: "\(label): \(what)")
            }
            let outcome = ChaosOutcome(
                scenario: name, converged: up.status == 0 && down.status == 0 && mid == baseline && post == pre,
                leaked: post.minus(pre), duplicated: mid.duplicates(over: baseline), foreignTouched: pre.minus(post),
                differences: mid.minus(baseline).map { "+ \($0)" } + baseline.minus(mid).map { "- \($0)" },
                calls: calls, retries: retries, faults: afterDown.faulted - before.faulted)
            outcome.report()

            let requests = proxy.requestLog().suffix(200).joined(separator: "\n")
            XCTAssertEqual(up.status, 0, "\(label): up\n\(up.description)\n--- faults ---\n\(afterUp)\n--- requests ---\n\(requests)")
            XCTAssertEqual(outcome.differences, [], "\(label): the end state after up differs from the fault-free one")
            XCTAssertEqual(outcome.duplicated, [], "\(label): duplicated resources")
            XCTAssertEqual(down.status, 0, "\(label): down\n\(down.description)\n--- requests ---\n\(requests)")
            XCTAssertEqual(outcome.leaked, [], "\(label): left behind by down")
            XCTAssertEqual(outcome.foreignTouched, [], "\(label): the user's resources changed")
            XCTAssertGreaterThan(afterDown.faulted - before.faulted, 0, "\(label): no fault was injected")
            if !outcome.converged { break }
        }
    }

    /// Calls that are not idempotent (no client token; a repeat makes a second resource or fails as a duplicate):
    /// privgw's AWSClient never repeats them after an ambiguous failure, and its transport must not either.
    static let nonIdempotent: Set<String> = [
        "ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress", "elasticloadbalancing:CreateListener",
        "apigateway:CreateRestApi", "apigateway:CreateResource", "apigateway:PutMethod", "apigateway:PutMethodResponse",
        "apigateway:CreateDeployment", "apigateway:CreateDomainName", "apigateway:CreateBasePathMapping",
        "apigateway:CreateDomainNameAccessAssociation",
    ]

    /// Each attempt privgw counts is a request the proxy saw. The only requests privgw does not count are libcurl's
    /// own resends after a dropped keep-alive connection (at most one per reset the proxy injected), and never of a
    /// call that is not idempotent.
    func checkAttempts(_ stats: CallStatisticsText, from: FaultProxy.Summary, to: FaultProxy.Summary, label: String) {
        var problems: [String] = []
        for op in Set(stats.operations.keys).union(to.operations.keys).sorted() {
            let attempts = stats.operations[op].map { $0.calls + $0.retries } ?? 0
            let seen = (to.operations[op]?.requests ?? 0) - (from.operations[op]?.requests ?? 0)
            let resets = ["reset", "reset-after"].reduce(0) {
                $0 + (to.operations[op]?.faults[$1] ?? 0) - (from.operations[op]?.faults[$1] ?? 0)
            }
            if seen < attempts || seen > attempts + resets || (Self.nonIdempotent.contains(op) && seen != attempts) {
                problems.append("\(op): privgw counted \(attempts) attempts, the proxy saw \(seen) requests (\(resets) resets)")
            }
        }
        XCTAssertEqual(problems, [], "\(label): attempts vs requests through the proxy")
    }

    /// Things privgw must never touch: another stack's security group and a record of the user's in the zone.
    func makeDecoys(_ f: StackFixture) async throws {
        let ec2 = EC2Client(f.client)
        let r53 = Route53Client(f.client)
        let vpc = f.fixtures.vpcId, zone = f.fixtures.privateZoneId
        _ = try await ec2.createSecurityGroup(name: "decoy", description: "not privgw's", vpcId: vpc,
                                              tags: ["privgw:stack": "someone-else", "privgw:step": "alb-sg"])
        _ = try await r53.changeResourceRecordSets(zoneId: zone, changes: [
            .init(.create, .plain(name: "decoy.example.com", type: "A", ttl: 60, values: ["10.20.9.9"])),
        ])
    }

    // MARK: - errors that must not be retried

    /// AccessDenied stops the run at the first attempt: exit 1, the step, the AWS code, the request id and the
    /// IAM action to grant; what the run had created is rolled back.
    func testAccessDeniedStopsAtOnceNamingStepCodeRequestIdAndIAMAction() throws {
        let f = try StackFixture.make(stack: "denied", recording: false)
        defer { f.stop() }
        for (op, step, code, action) in [
            ("ec2:CreateVpcEndpoint", "endpoint", "UnauthorizedOperation", "ec2:CreateVpcEndpoint"),
            ("acm:RequestCertificate", "certificate", "AccessDeniedException", "acm:RequestCertificate"),
            ("apigateway:CreateRestApi", "api", "AccessDeniedException", "apigateway:POST"),
        ] {
            let proxy = try FaultProxy.start(in: f.moto, options: .init(deny: [op]))
            defer { proxy.stop() }
            let r = try f.run(["up", "--yes"], environment: proxy.environment)
            XCTAssertEqual(r.status, 1, "\(op): \(r.description)")
            XCTAssertTrue(r.stderr.contains("step: \(step) ("), "\(op): the step is named\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains(code), "\(op): the AWS code is named\n\(r.stderr)")
            XCTAssertNotNil(r.stderr.range(of: #"request id [0-9a-f]{8}-[0-9a-f]{4}-"#, options: .regularExpression),
                            "\(op): the request id is shown\n\(r.stderr)")
            XCTAssertTrue(r.stderr.contains("IAM action \(action)"), "\(op): the hint names the IAM action \(action)\n\(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
            let summary = try proxy.summary()
            XCTAssertEqual(summary.operations[op]?.requests, 1, "\(op): asked once, never retried: \(summary)")
            // Stopped at once and rolled back: nothing of the stack is left.
            XCTAssertEqual(try f.moto.snapshot().tagged(stack: f.stack), [], "\(op): rolled back")
        }
    }
}

extension FaultProxy.Summary: CustomStringConvertible {
    public var description: String {
        let ops = operations.filter { !$0.value.faults.isEmpty }.sorted { $0.key < $1.key }
            .map { "  \($0.key): \($0.value.requests) requests, faults \($0.value.faults)" }
        return "\(requests) requests, \(faulted) faulted \(faults), \(replayed) replayed\n" + ops.joined(separator: "\n")
    }
}
