// Text output of plan, up/down summaries, status and statistics, with and without colour; shared CLI fixtures.
@testable import AWSCore
import Foundation
import XCTest
@testable import PrivGW

/// Plans, results and reports shaped like the engine's, for the CLI rendering tests.
enum CLIFixtures {
    static let lbArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/privgw-orders/50dc6c495c0c9188"

    static var spec: StackSpec {
        StackSpec(name: "orders", region: "eu-west-1", domains: ["api.example.com"], vpc: "vpc-0abc",
                  subnets: ["subnet-1", "subnet-2"], certificate: .validated(zoneId: "ZPUBLIC"),
                  privateZone: .existing(id: "ZPRIVATE"), apis: [.init(restApiId: "demo")])
    }

    static var plan: Plan {
        Plan(command: .up, stack: "orders", steps: [
            PlannedStep(step: "network", kind: "vpc", action: .adopt, resourceId: "vpc-0abc", detail: "user-provided"),
            PlannedStep(step: "alb-sg", kind: "security group", action: .create, detail: "does not exist"),
            PlannedStep(step: "target-group", kind: "target group", action: .change, resourceId: "tg-1",
                        detail: "health check path / → /health"),
            PlannedStep(step: "alb", kind: "load balancer", action: .create),
            PlannedStep(step: "private-zone", kind: "private hosted zone", action: .keep, resourceId: "ZPRIVATE"),
            PlannedStep(step: "record", kind: "dns record", action: .none, detail: "does not exist"),
        ], warnings: ["the previous run did not finish"])
    }

    static func result(command: RunCommand = .up, status: RunStatus, error: StepError? = nil,
                       rollback: [StepOutcome] = [], remaining: [ResourceRecord] = []) -> RunResult {
        let lb = ResourceRecord(step: "alb", kind: "load balancer", id: lbArn,
                                attributes: ["dnsName": "internal-privgw-orders-1.eu-west-1.elb.amazonaws.com"])
        let ep = ResourceRecord(step: "endpoint", kind: "vpc endpoint", id: "vpce-0123")
        let outcomes: [StepOutcome]
        switch command {
        case .up:
            outcomes = [
                StepOutcome(step: "network", kind: "vpc", action: .adopt, status: .succeeded,
                            record: ResourceRecord(step: "network", kind: "vpc", id: "vpc-0abc", owned: false)),
                StepOutcome(step: "endpoint", kind: "vpc endpoint", action: .create, status: .succeeded, record: ep, duration: 2.5),
                StepOutcome(step: "alb", kind: "load balancer", action: .create, status: error == nil ? .succeeded : .failed,
                            record: error == nil ? lb : nil, duration: 3.2, error: error),
                StepOutcome(step: "record", kind: "dns record", action: .create,
                            status: error == nil ? .succeeded : .notStarted),
            ]
        case .down:
            outcomes = [
                StepOutcome(step: "alb", kind: "load balancer", action: .delete, status: .succeeded, duration: 12),
                StepOutcome(step: "network", kind: "vpc", action: .none, status: .succeeded),
            ]
        }
        let plan = Plan(command: command, stack: "orders", steps: [
            PlannedStep(step: "network", kind: "vpc", action: command == .up ? .adopt : .none, resourceId: "vpc-0abc"),
            PlannedStep(step: "endpoint", kind: "vpc endpoint", action: .create),
            PlannedStep(step: "alb", kind: "load balancer", action: command == .up ? .create : .delete,
                        resourceId: command == .up ? nil : lbArn),
            PlannedStep(step: "record", kind: "dns record", action: .create),
        ])
        return RunResult(command: command, stack: "orders", runId: "run-1", status: status, plan: plan, outcomes: outcomes,
                         rollback: rollback, failedStep: error?.step, error: error, remaining: remaining)
    }

    static var awsFailure: StepError {
        StepError(step: "alb", kind: "load balancer", operation: .create, resourceId: lbArn,
                  underlying: AWSError(kind: .service, code: "TooManyLoadBalancers", message: "quota reached",
                                       service: "elasticloadbalancing", operation: "CreateLoadBalancer",
                                       httpStatus: 400, requestId: "req-42", hint: "ask for a higher quota"))
    }

    static var report: StatusReport {
        StatusReport(stack: "orders", design: "alb", domains: ["api.example.com"], verdict: .degraded, resources: [
            .init(step: "alb", kind: "load balancer", id: lbArn, state: "ok", owned: true, detail: "internal"),
            .init(step: "targets", kind: "targets", id: nil, state: "missing", owned: true, detail: ""),
        ], targets: [
            .init(ip: "10.0.1.5", port: 443, state: "healthy", reason: nil),
            .init(ip: "10.0.2.7", port: 443, state: "unhealthy", reason: "Target.Timeout"),
        ], drift: ["targets: endpoint IPs changed"], warnings: ["VPC endpoint has private DNS on"])
    }
}

final class CLITextRendererTests: XCTestCase {
    let plain = TextRenderer(style: .plain)
    let colored = TextRenderer(style: .colored)

    func testPlanLinesInExecutionOrderWithSymbolsAndSummary() {
        let text = plain.plan(CLIFixtures.plan, design: "alb", region: "eu-west-1")
        XCTAssertEqual(text, """
        Plan for stack orders (design alb, region eu-west-1):

          = network       vpc                  vpc-0abc  user-provided
          + alb-sg        security group                 does not exist
          ~ target-group  target group         tg-1      health check path / → /health
          + alb           load balancer
          = private-zone  private hosted zone  ZPRIVATE
            record        dns record                     does not exist

        warning: the previous run did not finish
        2 to create, 1 to change, 0 to delete, 3 unchanged
        """)
        XCTAssertFalse(text.contains("\u{1B}"), "no colour when the style is plain")
    }

    func testColouredPlanIsThePlainPlanPlusEscapes() {
        let text = colored.plan(CLIFixtures.plan, design: "alb", region: "eu-west-1")
        XCTAssertTrue(text.contains("\u{1B}[32m+\u{1B}[0m"), "create is green")
        XCTAssertTrue(text.contains("\u{1B}[33m~\u{1B}[0m"), "change is yellow")
        XCTAssertEqual(TextStyle.strip(text), plain.plan(CLIFixtures.plan, design: "alb", region: "eu-west-1"))
    }

    func testDestroyPlanHeaderAndDeleteSymbol() {
        let plan = Plan(command: .down, stack: "orders", steps: [
            PlannedStep(step: "alb", kind: "load balancer", action: .delete, resourceId: "arn:lb"),
        ])
        let text = plain.plan(plan)
        XCTAssertTrue(text.hasPrefix("Plan to destroy stack orders:"), text)
        XCTAssertTrue(text.contains("  - alb  load balancer  arn:lb"), text)
        XCTAssertTrue(text.hasSuffix("0 to create, 0 to change, 1 to delete, 0 unchanged"), text)
    }

    func testSummaryLineAlwaysHasAllFourCounts() {
        XCTAssertEqual(plain.planSummary(Plan(command: .up, stack: "s", steps: [])), "0 to create, 0 to change, 0 to delete, 0 unchanged")
        XCTAssertEqual(PlanCounts(CLIFixtures.plan), PlanCounts(create: 2, change: 1, delete: 0, keep: 3))
    }

    func testDurations() {
        XCTAssertEqual(TextRenderer.duration(3.24), "3.2s")
        XCTAssertEqual(TextRenderer.duration(0), "0.0s")
        XCTAssertEqual(TextRenderer.duration(65), "1m05s")
        XCTAssertEqual(TextRenderer.duration(3720), "1h02m")
    }

    func testUpSummaryNamesDomainLoadBalancerEndpointAndCurl() {
        let result = CLIFixtures.result(status: .succeeded)
        let outputs = StackOutputs(spec: CLIFixtures.spec, records: StackOutputs.records(of: result))
        let text = plain.runSummary(result, outputs: outputs, elapsed: 75)
        XCTAssertTrue(text.hasPrefix("Done in 1m15s: 3 created, 1 adopted."), text)
        XCTAssertTrue(text.contains("Stack orders is up:"), text)
        XCTAssertTrue(text.contains("  domain         api.example.com"), text)
        XCTAssertTrue(text.contains("  load balancer  internal-privgw-orders-1.eu-west-1.elb.amazonaws.com"), text)
        XCTAssertTrue(text.contains("  VPC endpoint   vpce-0123"), text)
        XCTAssertTrue(text.contains("curl https://api.example.com/hello   (from inside the VPC)"), text)
    }

    func testFailedAndRolledBackSummaries() {
        let rollback = [StepOutcome(step: "endpoint", kind: "vpc endpoint", action: .delete, status: .succeeded, duration: 1)]
        let text = plain.runSummary(CLIFixtures.result(status: .rolledBack, error: CLIFixtures.awsFailure, rollback: rollback),
                                    outputs: nil)
        XCTAssertTrue(text.hasPrefix("Failed at step alb [load balancer] (create)"), text)
        XCTAssertTrue(text.contains("Rolled back 1 resource created by this run:"), text)
        XCTAssertTrue(text.contains("\n  - endpoint  vpc endpoint   vpce-0123"), "the rolled-back id comes from the run: \(text)")
        XCTAssertFalse(text.contains("curl"), "no outputs for a failed run")
    }

    func testDownSummaryListsWhatWasDeleted() {
        let text = plain.runSummary(CLIFixtures.result(command: .down, status: .succeeded), outputs: nil)
        XCTAssertTrue(text.contains("Done: 1 deleted."), text)
        XCTAssertTrue(text.contains("Deleted:\n  - alb       load balancer  \(CLIFixtures.lbArn)\n"), "aligned like the plan: \(text)")
        XCTAssertTrue(text.hasSuffix("Stack orders is down."), text)
    }

    func testNothingToDo() {
        XCTAssertEqual(plain.nothingToDo(CLIFixtures.plan), "Nothing to do: stack orders is up to date.")
    }

    func testStatusTableTargetsDriftWarnings() {
        let text = plain.status(CLIFixtures.report, region: "eu-west-1")
        let lines = text.components(separatedBy: "\n")
        XCTAssertEqual(lines[0], "Stack orders (design alb, region eu-west-1): degraded")
        XCTAssertTrue(lines.contains("  STEP     KIND           ID\(String(repeating: " ", count: CLIFixtures.lbArn.count - 2))  STATE    DETAIL"), text)
        XCTAssertTrue(lines.contains("  targets  targets        -\(String(repeating: " ", count: CLIFixtures.lbArn.count - 1))  missing"), text)
        XCTAssertTrue(lines.contains("  10.0.2.7:443  unhealthy  Target.Timeout"), text)
        XCTAssertTrue(lines.contains("  ~ targets: endpoint IPs changed"), text)
        XCTAssertTrue(lines.contains("warning: VPC endpoint has private DNS on"), text)
        XCTAssertEqual(TextStyle.strip(colored.status(CLIFixtures.report, region: "eu-west-1")), text)
    }

    func testStatisticsCountCallsMutationsAndRetries() {
        let entries = [
            CallStatistics.Entry(service: "ec2", operation: "DescribeVpcs", mutating: false, calls: 3, attempts: 3),
            CallStatistics.Entry(service: "elasticloadbalancing", operation: "CreateLoadBalancer", mutating: true, calls: 1, attempts: 2),
        ]
        let text = plain.statistics(entries)
        XCTAssertTrue(text.hasPrefix("AWS calls: 4 (1 mutating), 1 retry"), text)
        XCTAssertTrue(text.contains("ec2:DescribeVpcs"), text)
        XCTAssertTrue(text.contains("elasticloadbalancing:CreateLoadBalancer     1  (+1 retry)  mutating"), text)
    }

    func testCurlPathUsesBasePathAndDemoResource() {
        XCTAssertEqual(StackOutputs.tryPath([.init(restApiId: "demo")]), "hello")
        XCTAssertEqual(StackOutputs.tryPath([.init(restApiId: "a1b2c3d4e5")]), "")
        XCTAssertEqual(StackOutputs.tryPath([.init(basePath: "orders", restApiId: "a1b2c3d4e5")]), "orders/")
        XCTAssertEqual(StackOutputs.tryPath([.init(basePath: "v1", restApiId: "demo"), .init(restApiId: "a1b2c3d4e5")]), "",
                       "the root mapping is the simplest thing to try")
        var native = CLIFixtures.spec
        native.design = .native
        let outputs = StackOutputs(spec: native, records: StackOutputs.records(of: CLIFixtures.result(status: .succeeded)))
        XCTAssertNil(outputs.loadBalancerDNS, "the native design has no load balancer")
        XCTAssertEqual(outputs.vpcEndpoint, "vpce-0123")
    }
}
