// Step-level retry (Engine/StepRetry.swift): a transient failure re-runs the step from find, so what the failed
// attempt made is adopted rather than made twice; anything else stops at once.
import AWSCore
import Foundation
@testable import PrivGW
import XCTest

/// What a flaky step did, shared between its attempts.
actor FlakyLog {
    var creates = 0
    var deletes = 0
    var finds = 0
    var exists = false
    var deleteFailures = 0
    func didCreate() { creates += 1; exists = true }
    func didFind() { finds += 1 }
    func didDelete() { deletes += 1; exists = false }
    func failDeletes(_ n: Int) { deleteFailures = n }
    func takeDeleteFailure() -> Bool {
        guard deleteFailures > 0 else { return false }
        deleteFailures -= 1
        return true
    }
}

/// Creates its resource and then fails `failures` times with `error` (the create took effect, the answer was lost).
struct FlakyStep: Step {
    typealias Environment = FakeCloud
    let id = "flaky"
    let kind = "thing"
    let dependsOn: [String] = []
    let log: FlakyLog
    let error: AWSError

    func find(_ ctx: StepContext<FakeCloud>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        await log.didFind()
        return await log.exists ? ResourceRecord(step: id, kind: kind, id: "thing-1") : nil
    }

    func create(_ ctx: StepContext<FakeCloud>, token: String) async throws -> ResourceRecord {
        await log.didCreate()
        throw error
    }

    func delete(_ ctx: StepContext<FakeCloud>, record: ResourceRecord) async throws {
        if await log.takeDeleteFailure() { throw error }
        await log.didDelete()
    }
}

final class EngineStepRetryTests: XCTestCase {
    static let serverError = AWSError(kind: .service, code: "InternalError", message: "oops", service: "ec2",
                                      operation: "CreateThing", httpStatus: 500)

    func testTransientFailureAfterTheCreateTookEffectIsAdoptedNotRepeated() async throws {
        let log = FlakyLog()
        let events = EventLog()
        let runner = try makeRunner([FlakyStep(log: log, error: Self.serverError)], cloud: FakeCloud(), dir: try makeStateDir(),
                                    sink: events)
        let result = try await runner.up()
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(result.outcome("flaky")?.action, .adopt, "the second run of the step found what the first made")
        let creates = await log.creates
        XCTAssertEqual(creates, 1, "never created twice")
        XCTAssertEqual(try runner.journalState().records["flaky"]?.id, "thing-1")
    }

    func testErrorsThatAreNotTransientStopAtOnce() async throws {
        let log = FlakyLog()
        let denied = AWSError(kind: .service, code: "UnauthorizedOperation", message: "no", httpStatus: 403)
        let runner = try makeRunner([FlakyStep(log: log, error: denied)], cloud: FakeCloud(), dir: try makeStateDir())
        let error = await expectRunnerError { try await runner.up(noRollback: true) }
        guard case let .stepFailed(e, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(e.code, "UnauthorizedOperation")
        let creates = await log.creates
        XCTAssertEqual(creates, 1)
    }

    func testTransientDeleteFailuresAreRetried() async throws {
        let log = FlakyLog()
        let runner = try makeRunner([FlakyStep(log: log, error: Self.serverError)], cloud: FakeCloud(), dir: try makeStateDir())
        _ = try await runner.up()
        await log.failDeletes(2)
        let result = try await runner.down()
        XCTAssertEqual(result.status, .succeeded)
        let (deletes, exists) = (await log.deletes, await log.exists)
        XCTAssertEqual(deletes, 1)
        XCTAssertFalse(exists)
    }

    func testClassification() {
        XCTAssertTrue(StepRetryPolicy.isTransient(AWSError(kind: .service, code: "Throttling", message: "", httpStatus: 400)))
        XCTAssertTrue(StepRetryPolicy.isTransient(AWSError(kind: .transport, code: TransportErrorCode.connectionReset, message: "")))
        XCTAssertTrue(StepRetryPolicy.isTransient(StepError(step: "s", kind: "k", operation: .create, underlying: Self.serverError)))
        XCTAssertFalse(StepRetryPolicy.isTransient(AWSError(kind: .service, code: "AccessDenied", message: "", httpStatus: 403)))
        XCTAssertFalse(StepRetryPolicy.isTransient(AWSError(kind: .malformedResponse, code: "MalformedXML", message: "", httpStatus: 200)))
        XCTAssertFalse(StepRetryPolicy.isTransient(WaitTimeoutError(what: "x", step: "s", waited: 1)))
        XCTAssertFalse(StepRetryPolicy.isTransient(InterruptedError()))
        let p = StepRetryPolicy.standard
        XCTAssertLessThanOrEqual(p.delay(afterAttempt: 10), p.maxDelay * 1.5)
    }
}
