// Runner behaviour over fake steps: ordering, parallelism, plan = execution, idempotence, rollback, resume, down, interrupt.
import AWSCore
import Foundation
@testable import PrivGW
import XCTest

final class EngineRunnerTests: XCTestCase {
    /// a → b → d, a → c → d, e independent.
    func diamond() -> [any Step<FakeCloud>] {
        [FakeStep("a"), FakeStep("b", ["a"]), FakeStep("c", ["a"]), FakeStep("d", ["b", "c"]), FakeStep("e")]
    }

    func testDependenciesRunFirstAndRecordsFlowToDependents() async throws {
        let cloud = FakeCloud()
        let runner = try makeRunner(diamond(), cloud: cloud, dir: try makeStateDir())
        let result = try await runner.up()
        XCTAssertEqual(result.status, .succeeded)
        XCTAssertEqual(result.createdCount, 5)
        let order = await cloud.creates
        func pos(_ s: String) -> Int { order.firstIndex(of: s)! }
        XCTAssertLessThan(pos("a"), pos("b"))
        XCTAssertLessThan(pos("a"), pos("c"))
        XCTAssertLessThan(pos("b"), pos("d"))
        XCTAssertLessThan(pos("c"), pos("d"))
        let d = result.outcome("d")!.record!
        XCTAssertEqual(d.attributes["dep.b"], result.outcome("b")!.record!.id)
        XCTAssertEqual(d.attributes["dep.c"], result.outcome("c")!.record!.id)
        XCTAssertEqual(result.plan.steps.map(\.step), ["a", "b", "c", "d", "e"])
    }

    func testInvalidGraphsAreRejected() {
        let cloud = FakeCloud()
        XCTAssertThrowsError(try makeRunner([FakeStep("a", ["b"]), FakeStep("b", ["a"])], cloud: cloud, dir: "/tmp/x")) {
            XCTAssertTrue(String(describing: $0).contains("cycle"), "\($0)")
        }
        XCTAssertThrowsError(try makeRunner([FakeStep("a", ["zz"])], cloud: cloud, dir: "/tmp/x")) {
            XCTAssertTrue(String(describing: $0).contains("unknown step zz"), "\($0)")
        }
        XCTAssertThrowsError(try makeRunner([FakeStep("a"), FakeStep("a")], cloud: cloud, dir: "/tmp/x"))
    }

    func testParallelismIsBoundedByMaxParallel() async throws {
        let steps: [any Step<FakeCloud>] = (1...6).map { FakeStep("s\($0)") }
        for limit in [1, 2, 4] {
            let cloud = FakeCloud()
            // Long enough that all allowed calls overlap even on a loaded machine.
            await cloud.set(callDuration: 0.05)
            let runner = try makeRunner(steps, cloud: cloud, dir: try makeStateDir())
            _ = try await runner.up(maxParallel: limit)
            let seen = await cloud.maxInFlight
            XCTAssertEqual(seen, limit, "maxParallel \(limit)")
            if limit == 1 {
                let creates = await cloud.creates
                XCTAssertEqual(creates, ["s1", "s2", "s3", "s4", "s5", "s6"], "1 = strictly the plan order")
            }
        }
    }

    func testPlanMakesNoMutatingCallsAndEqualsWhatUpExecutes() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        var steps = diamond()
        steps[1] = FakeStep("b", ["a"], findNeedsDeps: true)
        let runner = try makeRunner(steps, cloud: cloud, dir: dir)
        // Some state already there: e exists by tags (adopt), the rest is new.
        await cloud.seed(step: "e")
        let plan = try await runner.plan(.up)
        let mutations = await cloud.mutations
        XCTAssertEqual(mutations, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "plan creates no state")
        XCTAssertEqual(plan.steps.map(\.action), [.create, .create, .create, .create, .adopt])
        XCTAssertTrue(plan.step("b")!.deferred)
        XCTAssertEqual(plan.count(.create), 4)
        XCTAssertEqual(plan.summary, "4 to create, 1 to adopt")

        let result = try await runner.up()
        var executed = result.plan
        executed.warnings = plan.warnings
        XCTAssertEqual(executed, plan)
        XCTAssertEqual(result.outcomes.map(\.action), plan.steps.map(\.action))
        XCTAssertEqual(result.outcomes.map(\.step), plan.steps.map(\.step))
        XCTAssertEqual(result.adoptedCount, 1)
        let creates = await cloud.creates
        XCTAssertEqual(Set(creates), ["a", "b", "c", "d"])
    }

    func testSecondUpCreatesNothing() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let runner = try makeRunner(diamond(), cloud: cloud, dir: dir)
        _ = try await runner.up()
        await cloud.resetLog()
        let plan = try await runner.plan(.up)
        XCTAssertTrue(plan.isNoOp)
        XCTAssertEqual(plan.count(.keep), 5)
        let second = try await runner.up()
        XCTAssertEqual(second.createdCount, 0)
        XCTAssertEqual(second.keptCount, 5)
        let mutations = await cloud.mutations
        XCTAssertEqual(mutations, [])
        do { let value = await cloud.ids.count; XCTAssertEqual(value, 5) }
    }

    func testDiffLeadsToUpdate() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        _ = try await makeRunner([FakeStep("a")], cloud: cloud, dir: dir).up()
        let runner = try makeRunner([FakeStep("a", change: "rules differ")], cloud: cloud, dir: dir)
        let plan = try await runner.plan(.up)
        XCTAssertEqual(plan.step("a")?.action, .change)
        XCTAssertEqual(plan.step("a")?.detail, "rules differ")
        let r = try await runner.up()
        XCTAssertEqual(r.updatedCount, 1)
        XCTAssertEqual(r.outcome("a")?.record?.attributes["updated"], "yes")
        XCTAssertEqual(try runner.journalState().records["a"]?.attributes["updated"], "yes")
        do { let value = try await runner.plan(.up).step("a")?.action; XCTAssertEqual(value, .keep) }
    }

    func testFailureRollsBackExactlyThisRunsCreationsInReverseOrder() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        // An earlier run made "a": it must survive the rollback.
        _ = try await makeRunner([FakeStep("a")], cloud: cloud, dir: dir).up()
        let ids = await cloud.ids
        let aId = try XCTUnwrap(ids.first)
        await cloud.resetLog()
        await cloud.set(failCreate: "d")
        let sink = EventLog()
        let runner = try makeRunner([FakeStep("a"), FakeStep("b", ["a"]), FakeStep("c", ["b"]), FakeStep("d", ["c"])],
                                    cloud: cloud, dir: dir, sink: sink)
        guard case let .stepFailed(error, result)? = await expectRunnerError({ try await runner.up(maxParallel: 1) }) else {
            return XCTFail("expected stepFailed")
        }
        XCTAssertEqual(error.step, "d")
        XCTAssertEqual(error.code, "InvalidParameter")
        XCTAssertEqual(result.status, .rolledBack)
        XCTAssertEqual(result.failedStep, "d")
        XCTAssertEqual(result.rolledBackCount, 2)
        let mutations = await cloud.mutations
        XCTAssertEqual(mutations, ["create b", "create c", "create d", "delete c", "delete b"])
        do { let value = await cloud.ids; XCTAssertEqual(value, [aId]) }
        let state = try runner.journalState()
        XCTAssertEqual(Set(state.records.keys), ["a"])
        XCTAssertEqual(result.remaining.map(\.id), [aId])
        XCTAssertTrue(sink.events.contains { if case .rollbackStarted(["d", "c", "b"]) = $0 { return true }; return false })
        let text = RunnerError.stepFailed(error, result).description
        XCTAssertTrue(text.contains("step d (thing)"), text)
        XCTAssertTrue(text.contains("rolled back 2"), text)
        XCTAssertTrue(text.contains("hint:"), text)
    }

    func testInFlightStepsFinishAndAreRolledBackToo() async throws {
        let cloud = FakeCloud()
        await cloud.set(failCreate: "x")
        await cloud.set(createDuration: "slow", 0.2)
        // x fails at once; slow runs concurrently and completes; dependent never starts.
        let runner = try makeRunner([FakeStep("x"), FakeStep("slow"), FakeStep("after", ["slow"])], cloud: cloud,
                                    dir: try makeStateDir())
        guard case let .stepFailed(_, result)? = await expectRunnerError({ try await runner.up(maxParallel: 2) }) else {
            return XCTFail()
        }
        XCTAssertEqual(result.outcome("after")?.status, .notStarted)
        XCTAssertEqual(result.outcome("slow")?.status, .succeeded)
        do { let value = await cloud.deletes; XCTAssertEqual(value, ["slow"]) }
        do { let value = await cloud.ids; XCTAssertEqual(value, []) }
    }

    func testHalfCreatedResourceIsFoundByTokenAndRolledBack() async throws {
        let cloud = FakeCloud()
        await cloud.set(halfCreate: "b")
        let runner = try makeRunner([FakeStep("a"), FakeStep("b", ["a"])], cloud: cloud, dir: try makeStateDir())
        _ = await expectRunnerError { try await runner.up() }
        do { let value = await cloud.ids; XCTAssertEqual(value, []) }
        do { let value = await cloud.deletes; XCTAssertEqual(value, ["b", "a"]) }
        XCTAssertTrue(try runner.journalState().pendingIntents.isEmpty)
    }

    func testNoRollbackKeepsCreationsAndResumeReusesThem() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        await cloud.set(failCreate: "c")
        let runner = try makeRunner([FakeStep("a"), FakeStep("b", ["a"]), FakeStep("c", ["b"])], cloud: cloud, dir: dir)
        guard case let .stepFailed(_, result)? = await expectRunnerError({ try await runner.up(noRollback: true) }) else {
            return XCTFail()
        }
        XCTAssertEqual(result.status, .failed)
        XCTAssertEqual(result.rollback.count, 0)
        do { let value = await cloud.steps; XCTAssertEqual(value, ["a", "b"]) }
        XCTAssertEqual(Set(result.remaining.map(\.step)), ["a", "b"])
        // The failed create's token stays pending and is reused on resume.
        let pending = try XCTUnwrap(try runner.journalState().pendingIntents["c"])
        await cloud.clearFailures()
        await cloud.resetLog()
        let plan = try await runner.plan(.up)
        XCTAssertEqual(plan.step("c")?.resumeToken, pending.token)
        let again = try await runner.up()
        XCTAssertEqual(again.createdCount, 1)
        do { let value = await cloud.creates; XCTAssertEqual(value, ["c"]) }
        do { let value = await cloud.get(again.outcome("c")!.record!.id)?.token; XCTAssertEqual(value, pending.token) }
    }

    /// Crash after the intent was journaled and the create happened, before `done`.
    func testResumeAfterCrashBetweenIntentAndDoneCreatesNoDuplicate() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let steps: [any Step<FakeCloud>] = [FakeStep("a"), FakeStep("b", ["a"])]
        _ = try await makeRunner(Array(steps.prefix(1)), cloud: cloud, dir: dir).up()
        // Simulate the crashed run: run-start, intent for b, no done, no run-end; the cloud has b.
        let journalPath = Journal.path(stateDirectory: dir, stack: "demo")
        let token = "0123456789abcdef0123456789abcdef"
        do {
            let j = try Journal(path: journalPath, runId: "crashed")
            try await j.append(.runStart(command: "up", version: "test", pid: 1))
            try await j.append(.intent(step: "b", action: .create, token: token))
            await j.close()
        }
        let made = await cloud.seed(step: "b", token: token)
        await cloud.resetLog()
        let runner = try makeRunner(steps, cloud: cloud, dir: dir)
        let plan = try await runner.plan(.up)
        XCTAssertEqual(plan.step("b")?.action, .adopt)
        XCTAssertTrue(plan.warnings.contains { $0.contains("did not finish") }, "\(plan.warnings)")
        let result = try await runner.up()
        XCTAssertEqual(result.createdCount, 0)
        do { let value = await cloud.mutations; XCTAssertEqual(value, []) }
        XCTAssertEqual(try runner.journalState().records["b"]?.id, made.id)
        XCTAssertTrue(try runner.journalState().pendingIntents.isEmpty)
    }

    /// Crash after the intent, before the create call reached AWS: the same token is used.
    func testResumeAfterCrashBeforeCreateReusesToken() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let token = "fedcba9876543210fedcba9876543210"
        do {
            try StateDirectory.ensure(dir)
            let j = try Journal(path: Journal.path(stateDirectory: dir, stack: "demo"), runId: "crashed")
            try await j.append(.runStart(command: "up", version: "test", pid: 1))
            try await j.append(.intent(step: "a", action: .create, token: token))
            await j.close()
        }
        let runner = try makeRunner([FakeStep("a")], cloud: cloud, dir: dir)
        let result = try await runner.up()
        XCTAssertEqual(result.createdCount, 1)
        let id = try XCTUnwrap(result.outcome("a")?.record?.id)
        do { let value = await cloud.get(id)?.token; XCTAssertEqual(value, token) }
    }

    func testDownDeletesInReverseOrderSkipsGivenAndTreatsNotFoundAsSuccess() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        await cloud.seed(step: "vpc", owned: false, id: "vpc-user")
        let steps: [any Step<FakeCloud>] = [
            GivenStep(id: "vpc", resourceId: "vpc-user"),
            FakeStep("a", ["vpc"]), FakeStep("b", ["a"]), FakeStep("c", ["a"]), FakeStep("d", ["b", "c"]),
        ]
        let runner = try makeRunner(steps, cloud: cloud, dir: dir)
        let up = try await runner.up()
        XCTAssertEqual(up.outcome("vpc")?.action, .adopt)
        await cloud.resetLog()
        await cloud.set(notFoundOnDelete: "c")
        let plan = try await runner.plan(.down)
        XCTAssertEqual(plan.steps.map(\.step), ["d", "c", "b", "a", "vpc"])
        XCTAssertEqual(plan.step("vpc")?.action, PlannedAction.none)
        XCTAssertEqual(plan.count(.delete), 4)
        let result = try await runner.down()
        XCTAssertEqual(result.deletedCount, 4)
        let deletes = await cloud.deletes
        func pos(_ s: String) -> Int { deletes.firstIndex(of: s)! }
        XCTAssertEqual(deletes.first, "d")
        XCTAssertEqual(deletes.last, "a")
        XCTAssertLessThan(pos("b"), pos("a"))
        XCTAssertLessThan(pos("c"), pos("a"))
        do { let value = await cloud.ids; XCTAssertEqual(value, ["vpc-user"]) }
        XCTAssertEqual(result.remaining, [])
        // A second down has nothing to do.
        await cloud.resetLog()
        let again = try await runner.down()
        XCTAssertEqual(again.deletedCount, 0)
        do { let value = await cloud.mutations; XCTAssertEqual(value, []) }
    }

    func testDownWithoutJournalDiscoversByTags() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let steps: [any Step<FakeCloud>] = [FakeStep("a"), FakeStep("b", ["a"], findNeedsDeps: true)]
        _ = try await makeRunner(steps, cloud: cloud, dir: dir).up()
        try FileManager.default.removeItem(atPath: Journal.path(stateDirectory: dir, stack: "demo"))
        let runner = try makeRunner(steps, cloud: cloud, dir: dir)
        let result = try await runner.down()
        XCTAssertEqual(result.deletedCount, 2)
        do { let value = await cloud.deletes; XCTAssertEqual(value, ["b", "a"]) }
    }

    func testDownFailureKeepsDependenciesButFinishesIndependentBranches() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let steps: [any Step<FakeCloud>] = [FakeStep("a"), FakeStep("b", ["a"]), FakeStep("z")]
        let runner = try makeRunner(steps, cloud: cloud, dir: dir)
        _ = try await runner.up()
        await cloud.set(failDelete: "b")
        guard case let .stepFailed(error, result)? = await expectRunnerError({ try await runner.down(maxParallel: 1) }) else {
            return XCTFail()
        }
        XCTAssertEqual(error.step, "b")
        XCTAssertEqual(error.operation, .delete)
        XCTAssertEqual(result.outcome("a")?.status, .notStarted)
        do { let value = await cloud.steps; XCTAssertEqual(value, ["a", "b"]) }
        XCTAssertEqual(Set(result.remaining.map(\.step)), ["a", "b"])
        XCTAssertTrue(error.description.contains("privgw down"), error.description)
    }

    func testCancellationStopsAfterTheCallInFlightWithAConsistentJournal() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        await cloud.block("b")
        let runner = try makeRunner([FakeStep("a"), FakeStep("b", ["a"]), FakeStep("c", ["b"])], cloud: cloud, dir: dir)
        let task = Task { try await runner.up(maxParallel: 1) }
        while await !cloud.started.contains("b") { try await Task.sleep(nanoseconds: 1_000_000) }
        task.cancel()
        try await Task.sleep(nanoseconds: 20_000_000)
        await cloud.unblock("b")
        do {
            _ = try await task.value
            XCTFail("expected interrupted")
        } catch let RunnerError.interrupted(result) {
            XCTAssertEqual(result.status, .interrupted)
            XCTAssertEqual(result.outcome("b")?.status, .succeeded, "the call in flight finished")
            XCTAssertEqual(result.outcome("c")?.status, .notStarted)
            XCTAssertEqual(result.rollback.count, 0)
        }
        do { let value = await cloud.steps; XCTAssertEqual(value, ["a", "b"]) }
        let state = try runner.journalState()
        XCTAssertEqual(Set(state.records.keys), ["a", "b"])
        XCTAssertTrue(state.pendingIntents.isEmpty)
        XCTAssertEqual(state.runs.last?.result, "interrupted")
        // Resume creates only c.
        await cloud.resetLog()
        _ = try await runner.up()
        do { let value = await cloud.creates; XCTAssertEqual(value, ["c"]) }
    }

    func testLockedStackFailsAtOnce() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        try StateDirectory.ensure(dir)
        let runner = try makeRunner([FakeStep("a")], cloud: cloud, dir: dir)
        let held = try StateLock.acquire(path: runner.lockPath)
        do {
            _ = try await runner.up()
            XCTFail("expected the lock to refuse")
        } catch let e as LockError {
            XCTAssertEqual(e, .held(path: runner.lockPath, pid: getpid()))
        }
        held.release()
        _ = try await runner.up()
        do { let value = await cloud.creates; XCTAssertEqual(value, ["a"]) }
    }

    func testUnknownJournalStepsAreReportedAndLeftAlone() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        _ = try await makeRunner([FakeStep("a"), FakeStep("old")], cloud: cloud, dir: dir).up()
        let runner = try makeRunner([FakeStep("a")], cloud: cloud, dir: dir)
        let plan = try await runner.plan(.down)
        XCTAssertTrue(plan.warnings.contains { $0.contains("step old") }, "\(plan.warnings)")
        _ = try await runner.down()
        do { let value = await cloud.steps; XCTAssertEqual(value, ["old"]) }
    }

    func testJournalTimesRoundTripExactly() {
        for t in [0.0, 0.005, 1_700_000_000.999, 1_764_072_000.1234, -1.5] {
            let d = Date(timeIntervalSince1970: t)
            let s = Journal.formatTime(d)
            let back = Journal.parseTime(s)!
            XCTAssertEqual(Journal.formatTime(back), s)
            XCTAssertEqual(Journal.parseTime(Journal.formatTime(back)), back)
            XCTAssertEqual(back.timeIntervalSince1970, t, accuracy: 0.0006)
        }
        XCTAssertEqual(Journal.formatTime(Date(timeIntervalSince1970: 0.005)), "1970-01-01T00:00:00.005Z")
        XCTAssertEqual(Journal.parseTime("2023-11-14T22:13:20Z"), Date(timeIntervalSince1970: 1_700_000_000))
    }

    func testEventsAndJournalRecordTheRun() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let sink = EventLog()
        let runner = try makeRunner([FakeStep("a")], cloud: cloud, dir: dir, sink: sink)
        _ = try await runner.up()
        let kinds = sink.events.map { e -> String in
            switch e {
            case .runStarted: return "runStarted"
            case .planned: return "planned"
            case let .stepStarted(s, a, _): return "started \(s) \(a)"
            case let .stepFinished(s, a, _, _, r): return "finished \(s) \(a) \(r != nil)"
            case .runFinished(_, let st): return "runFinished \(st)"
            default: return "other"
            }
        }
        XCTAssertEqual(kinds, ["runStarted", "planned", "started a create", "finished a create true", "runFinished succeeded"])
        let lines = try String(contentsOfFile: runner.journalPath, encoding: .utf8).split(separator: "\n")
        let types = lines.map { l -> String in
            let obj = try! JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            XCTAssertEqual(obj["v"] as? Int, 1)
            return obj["type"] as! String
        }
        XCTAssertEqual(types, ["run-start", "intent", "done", "run-end"])
    }
}
