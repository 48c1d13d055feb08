// Error rendering: `error:` what failed, then step, cause (AWS code, message, request id) and fix lines.
import AWSCore
import Foundation
import XCTest
@testable import PrivGW

final class CLIDiagnosticsTests: XCTestCase {
    let up = Diagnostics.Context(command: "up", stateDir: "/tmp/state")

    func testStepErrorReadsLikeACompilerDiagnostic() {
        let text = Diagnostics.render(CLIFixtures.awsFailure, context: up)
        XCTAssertEqual(text, """
        error: creating the load balancer failed
          step: alb (load balancer \(CLIFixtures.lbArn))
          cause: TooManyLoadBalancers: quota reached (elasticloadbalancing:CreateLoadBalancer, HTTP 400, request id req-42)
          fix: ask for a higher quota
        """)
    }

    func testFailedRunMentionsTheRollback() throws {
        let rollback = [StepOutcome(step: "endpoint", kind: "vpc endpoint", action: .delete, status: .succeeded)]
        let result = CLIFixtures.result(status: .rolledBack, error: CLIFixtures.awsFailure, rollback: rollback)
        let text = try XCTUnwrap(Diagnostics.render(result: result, context: up))
        XCTAssertTrue(text.hasPrefix("error: creating the load balancer failed\n  step: alb"), text)
        XCTAssertTrue(text.contains("\n  rolled back: 1 resource created by this run\n"), text)
        XCTAssertTrue(text.hasSuffix("  fix: ask for a higher quota"), text)
        XCTAssertNil(Diagnostics.render(result: CLIFixtures.result(status: .succeeded), context: up))
        // Thrown instead of returned: the same text.
        XCTAssertEqual(Diagnostics.render(RunnerError.stepFailed(CLIFixtures.awsFailure, result), context: up), text)
    }

    func testStepErrorWithoutAWSCauseFallsBackToTheEnginesHint() {
        let wait = StepError(step: "alb", kind: "load balancer", operation: .create,
                             underlying: WaitTimeoutError(what: "load balancer to become active", step: "alb", waited: 600))
        let text = Diagnostics.render(wait, context: up)
        XCTAssertTrue(text.contains("  cause: WaitTimeout: timed out after 600s waiting for load balancer to become active"), text)
        XCTAssertTrue(text.contains("  fix: AWS may still finish it"), text)
    }

    func testSpecErrorsKeepTheirFileAndLine() {
        let spec = SpecError(file: "stack.yaml", diagnostics: [
            SpecDiagnostic(field: "subnett", line: 7, message: "unknown key 'subnett'", fix: "rename it to `subnets`"),
        ])
        let text = Diagnostics.render(spec, context: up)
        XCTAssertTrue(text.hasPrefix("stack.yaml:7: error: subnett: unknown key 'subnett'\n  fix: rename it to `subnets`"), text)
        let colored = Diagnostics.render(spec, context: up, style: .colored)
        XCTAssertEqual(TextStyle.strip(colored), text)
        XCTAssertTrue(colored.contains("\u{1B}[1;31merror:\u{1B}[0m"), colored)
    }

    func testConfigurationAndUsageErrors() {
        let noRegion = AWSError(kind: .configuration, code: "NoRegion", message: "no AWS region is configured",
                                hint: "pass --region or set AWS_REGION")
        XCTAssertEqual(Diagnostics.render(noRegion, context: up), """
        error: the AWS settings are not usable
          cause: NoRegion: no AWS region is configured
          fix: pass --region or set AWS_REGION
        """)
        XCTAssertEqual(Diagnostics.render(CLIUsageError("privgw.yaml already exists", fix: "pass --force"), context: up),
                       "error: privgw.yaml already exists\n  fix: pass --force")
    }

    func testEngineErrorsWithATrailingHintGetAFixLine() {
        struct LockBusy: Error, CustomStringConvertible {
            var description: String { "the stack is locked by pid 42\n  hint: wait for it to finish" }
        }
        XCTAssertEqual(Diagnostics.render(LockBusy(), context: up), "error: the stack is locked by pid 42\n  fix: wait for it to finish")
    }

    func testInterruptedMessages() {
        let expected = "Interrupted: the journal in /tmp/state is consistent; run `privgw up` to resume or `privgw down` to roll back"
        XCTAssertEqual(Diagnostics.render(CancellationError(), context: up), expected)
        XCTAssertEqual(Diagnostics.render(RunnerError.interrupted(CLIFixtures.result(status: .interrupted)), context: up), expected)
        XCTAssertEqual(Diagnostics.render(result: CLIFixtures.result(status: .interrupted), context: up), expected)
        XCTAssertEqual(Diagnostics.render(CancellationError(), context: .init(command: "plan")), "Interrupted.")
    }

    func testDeclinedConfirmation() {
        XCTAssertEqual(Diagnostics.render(ConfirmationDeclined(), context: up), "Cancelled: nothing was changed.")
    }
}
