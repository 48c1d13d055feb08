// The CLI's exit-code contract (docs/commands.md): errors, run statuses and status verdicts to 0/1/2/3/130.
import AWSCore
import Foundation
import XCTest
@testable import PrivGW

final class CLIExitStatusTests: XCTestCase {
    func testDocumentedCodesNeverChange() {
        XCTAssertEqual(ExitStatus.success.rawValue, 0)
        XCTAssertEqual(ExitStatus.failure.rawValue, 1)
        XCTAssertEqual(ExitStatus.usage.rawValue, 2)
        XCTAssertEqual(ExitStatus.notDeployed.rawValue, 3)
        XCTAssertEqual(ExitStatus.interrupted.rawValue, 130)
    }

    func testUsageSpecAndConfigurationErrorsExitTwo() {
        let spec = SpecError(file: "privgw.yaml", diagnostics: [SpecDiagnostic(field: "vpc", line: 3, message: "missing", fix: "add it")])
        XCTAssertEqual(ExitStatus.forError(spec), .usage)
        XCTAssertEqual(ExitStatus.forError(CLIUsageError("privgw.yaml already exists")), .usage)
        let noRegion = AWSError(kind: .configuration, code: "NoRegion", message: "no region")
        XCTAssertEqual(ExitStatus.forError(noRegion), .usage)
    }

    func testRuntimeFailuresExitOne() {
        XCTAssertEqual(ExitStatus.forError(AWSError(kind: .credentials, code: "NoCredentials", message: "none")), .failure)
        XCTAssertEqual(ExitStatus.forError(AWSError(kind: .service, code: "Throttling", message: "slow down")), .failure)
        XCTAssertEqual(ExitStatus.forError(AWSError(kind: .transport, code: "ConnectFailed", message: "refused")), .failure)
        // A configuration-kind AWS error inside a step is about live state (e.g. a VPC that does not exist): exit 1.
        let inStep = StepError(step: "network", kind: "vpc", operation: .find,
                               underlying: AWSError(kind: .configuration, code: "VpcNotFound", message: "gone"))
        XCTAssertEqual(ExitStatus.forError(inStep), .failure)
        XCTAssertEqual(ExitStatus.forError(RunnerError.planFailed(inStep)), .failure)
        XCTAssertEqual(ExitStatus.forError(RunnerError.invalidSteps("cycle")), .failure)
        XCTAssertEqual(ExitStatus.forError(ConfirmationDeclined()), .failure)
        XCTAssertEqual(ExitStatus.forError(CocoaError(.fileWriteNoPermission)), .failure)
    }

    func testInterruptionsExit130HoweverWrapped() {
        XCTAssertEqual(ExitStatus.forError(CancellationError()), .interrupted)
        XCTAssertEqual(ExitStatus.forError(InterruptedError()), .interrupted)
        let step = StepError(step: "alb", kind: "load balancer", operation: .create, underlying: InterruptedError())
        XCTAssertEqual(ExitStatus.forError(step), .interrupted)
        XCTAssertEqual(ExitStatus.forError(RunnerError.planFailed(
            StepError(step: "alb", kind: "load balancer", operation: .find, underlying: CancellationError()))), .interrupted)
        XCTAssertEqual(ExitStatus.forError(RunnerError.interrupted(CLIFixtures.result(status: .interrupted))), .interrupted)
    }

    func testRunStatuses() {
        XCTAssertEqual(ExitStatus.forRun(.succeeded), .success)
        XCTAssertEqual(ExitStatus.forRun(.failed), .failure)
        XCTAssertEqual(ExitStatus.forRun(.rolledBack), .failure)
        XCTAssertEqual(ExitStatus.forRun(.interrupted), .interrupted)
    }

    func testStatusVerdicts() {
        XCTAssertEqual(ExitStatus.forVerdict(.healthy), .success)
        XCTAssertEqual(ExitStatus.forVerdict(.degraded), .failure)
        XCTAssertEqual(ExitStatus.forVerdict(.notDeployed), .notDeployed)
    }
}
