// Waits: poll schedule (short first check, capped backoff, jitter, timeout message) and interrupt, on a fake clock.
import AWSCore
import Foundation
@testable import PrivGW
import XCTest

final class EngineWaitTests: XCTestCase {
    func ctx(_ clock: VirtualClock, sink: EventLog = EventLog()) -> StepContext<Int> {
        StepContext(stackName: "demo", step: "alb", environment: 0, clock: clock, progress: sink)
    }

    func testPollChecksAtOnceThenBacksOffCappedAndTimesOutNamingTheResource() async throws {
        let clock = VirtualClock()
        let sink = EventLog()
        let c = ctx(clock, sink: sink)
        let times = Locked([Double]())
        let schedule = PollSchedule(first: 1, factor: 2, max: 5, timeout: 30, jitter: 0)
        do {
            try await c.poll(what: "load balancer lb-1 to become active", schedule: schedule) {
                times.withLock { $0.append(clock.now()) }
                return false
            }
            XCTFail("expected a timeout")
        } catch let e as WaitTimeoutError {
            XCTAssertEqual(e.waited, 30)
            XCTAssertEqual(e.step, "alb")
            XCTAssertTrue(e.description.contains("load balancer lb-1 to become active"), e.description)
            XCTAssertTrue(e.description.contains("30s"), e.description)
            XCTAssertTrue(e.hint.contains("privgw up"), e.hint)
            let se = StepError(step: "alb", kind: "load balancer", operation: .create, resourceId: "lb-1", underlying: e)
            XCTAssertEqual(se.code, "WaitTimeout")
            XCTAssertTrue(se.description.contains("hint: AWS may still finish it"), se.description)
        }
        XCTAssertEqual(times.current, [0, 1, 3, 7, 12, 17, 22, 27, 30])
        let waits = sink.events.filter { if case .waiting = $0 { return true }; return false }
        XCTAssertEqual(waits.count, 8)
    }

    func testPollWithoutImmediateCheckCountsTheCallersAnswerAsTheFirst() async throws {
        // The create call's answer said "not ready": asking again at once would repeat it.
        let clock = VirtualClock()
        let c = ctx(clock)
        let times = Locked([Double]())
        try await c.poll(what: "x", schedule: PollSchedule(first: 1, factor: 2, max: 5, timeout: 30, jitter: 0),
                         checkAtOnce: false) {
            times.withLock { $0.append(clock.now()) }
            return times.current.count == 3
        }
        XCTAssertEqual(times.current, [1, 3, 7], "the schedule as if the first check had been made at 0")
    }

    func testPollReturnsWhenReadyAndPropagatesCheckErrors() async throws {
        let clock = VirtualClock()
        let c = ctx(clock)
        let n = Locked(0)
        try await c.poll(what: "x", schedule: PollSchedule(first: 2, max: 10, timeout: 100, jitter: 0)) {
            n.withLock { $0 += 1 }
            return n.current == 3
        }
        XCTAssertEqual(n.current, 3)
        XCTAssertEqual(clock.now(), 2 + 3)
        do {
            try await c.poll(what: "x") { throw AWSError(kind: .service, code: "Failed", message: "") }
            XCTFail()
        } catch let e as AWSError {
            XCTAssertEqual(e.code, "Failed")
        }
    }

    func testJitterStaysWithinBounds() async throws {
        let clock = VirtualClock()
        let c = ctx(clock)
        let times = Locked([Double]())
        _ = try? await c.poll(what: "x", schedule: PollSchedule(first: 10, factor: 1, max: 10, timeout: 200, jitter: 0.2)) {
            times.withLock { $0.append(clock.now()) }
            return false
        }
        let gaps = zip(times.current.dropFirst(), times.current).map { $0 - $1 }.dropLast()
        XCTAssertFalse(gaps.isEmpty)
        for g in gaps { XCTAssertTrue((8 - 1e-9)...(10 + 1e-9) ~= g, "jitter only shortens: the cap holds (\(g))") }
        XCTAssertGreaterThan(Set(gaps.map { ($0 * 1000).rounded() }).count, 1, "intervals vary")
    }

    func testWaitStopsOnInterrupt() async throws {
        let clock = VirtualClock()
        let control = RunControl()
        let c = StepContext(stackName: "demo", step: "alb", environment: 0, records: [:], dependsOn: [], pendingToken: nil,
                            facts: [:], clock: clock, sink: NullProgressSink(), journal: nil, control: control)
        let n = Locked(0)
        do {
            try await c.poll(what: "x", schedule: PollSchedule(first: 5, max: 5, timeout: 1000, jitter: 0)) {
                n.withLock { $0 += 1 }
                if n.current == 2 { control.interrupt() }
                return false
            }
            XCTFail()
        } catch is InterruptedError {}
        XCTAssertEqual(n.current, 2)
        XCTAssertLessThanOrEqual(clock.now(), 6)
    }

    func testContextRecordsAndFacts() async throws {
        let dep = ResourceRecord(step: "endpoint", kind: "VPC endpoint", id: "vpce-1", attributes: ["ips": "10.0.0.1, 10.0.0.2"])
        let c = StepContext(stackName: "demo", step: "tg", environment: 0, records: ["endpoint": dep],
                            dependsOn: ["endpoint", "alb"], clock: VirtualClock())
        XCTAssertEqual(try c.record(of: "endpoint").list("ips"), ["10.0.0.1", "10.0.0.2"])
        XCTAssertThrowsError(try c.record(of: "alb")) {
            XCTAssertEqual($0 as? StepContextError, .missingDependency(step: "tg", dependency: "alb"))
        }
        XCTAssertNil(try c.optionalRecord(of: "alb"))
        XCTAssertThrowsError(try c.record(of: "zone")) {
            XCTAssertEqual($0 as? StepContextError, .undeclaredDependency(step: "tg", dependency: "zone"))
        }
        XCTAssertThrowsError(try dep.require("dnsName")) {
            XCTAssertTrue(String(describing: $0).contains("vpce-1"))
        }
        try await c.remember("arn", "x")
        XCTAssertEqual(c.fact("arn"), "x")
    }
}
