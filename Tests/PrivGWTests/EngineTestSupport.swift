// Engine test doubles: an in-memory "cloud" actor with injectable failures and fake steps written against it.
import AWSCore
import Foundation
@testable import PrivGW
import XCTest

/// One fake resource.
struct FakeResource: Sendable, Equatable {
    var id: String
    var step: String
    var token: String?
    var owned: Bool
    var attributes: [String: String]
}

/// The fake cloud: every mutating call is logged (`mutations`), concurrency is measured (`maxInFlight`).
actor FakeCloud {
    var resources: [String: FakeResource] = [:]
    var tokens: [String: String] = [:]
    /// "create a", "update a", "delete a" in call order (mutating calls only).
    var mutations: [String] = []
    var finds: [String] = []
    var inFlight = 0
    var maxInFlight = 0
    var counter = 0
    var failCreate: [String: AWSError] = [:]
    /// Steps whose create makes the resource and then fails (e.g. a wait timed out).
    var halfCreate: Set<String> = []
    var failDelete: [String: AWSError] = [:]
    /// Steps whose delete answers NotFound although the resource is there (then forgets it).
    var notFoundOnDelete: Set<String> = []
    /// Steps whose create waits until unblocked.
    var blocked: Set<String> = []
    var started: [String] = []
    /// Seconds each mutating call takes (real time, so concurrent calls overlap).
    var callDuration: Double = 0.01
    /// Per-step override of `callDuration` for creates.
    var createDuration: [String: Double] = [:]
    func set(createDuration step: String, _ seconds: Double) { createDuration[step] = seconds }
    func set(callDuration seconds: Double) { callDuration = seconds }

    func set(failCreate step: String, _ error: AWSError = AWSError(kind: .service, code: "InvalidParameter", message: "bad")) {
        failCreate[step] = error
    }
    func set(halfCreate step: String) { halfCreate.insert(step) }
    func set(failDelete step: String, _ error: AWSError = AWSError(kind: .service, code: "DependencyViolation", message: "in use")) {
        failDelete[step] = error
    }
    func clearFailures() { failCreate = [:]; failDelete = [:]; halfCreate = [] }
    func set(notFoundOnDelete step: String) { notFoundOnDelete.insert(step) }
    func block(_ step: String) { blocked.insert(step) }
    func unblock(_ step: String) { blocked.remove(step) }
    func resetLog() { mutations = []; finds = []; maxInFlight = 0 }

    /// Puts a resource in place as if created earlier (optionally by a crashed run with `token`).
    @discardableResult
    func seed(step: String, token: String? = nil, owned: Bool = true, id: String? = nil) -> FakeResource {
        counter += 1
        let r = FakeResource(id: id ?? "\(step)-\(counter)", step: step, token: token, owned: owned, attributes: [:])
        resources[r.id] = r
        if let token { tokens[token] = r.id }
        return r
    }

    func remove(step: String) { resources = resources.filter { $0.value.step != step } }

    func get(_ id: String) -> FakeResource? { resources[id] }

    func lookup(step: String, token: String?) -> FakeResource? {
        if let token, let id = tokens[token], let r = resources[id] { return r }
        return resources.values.first { $0.step == step }
    }

    func noteFind(_ step: String) { finds.append(step) }

    private func enter(_ what: String) {
        mutations.append(what)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
    }
    private func leave() { inFlight -= 1 }

    func create(step: String, token: String, attributes: [String: String]) async throws -> FakeResource {
        started.append(step)
        enter("create \(step)")
        defer { leave() }
        try await Task.sleep(nanoseconds: UInt64((createDuration[step] ?? callDuration) * 1e9))
        while blocked.contains(step) { try await Task.sleep(nanoseconds: 2_000_000) }
        if let e = failCreate[step] { throw e }
        if let id = tokens[token], let r = resources[id] { return r } // idempotent, like ClientToken
        counter += 1
        let r = FakeResource(id: "\(step)-\(counter)", step: step, token: token, owned: true, attributes: attributes)
        resources[r.id] = r
        tokens[token] = r.id
        if halfCreate.contains(step) {
            throw AWSError(kind: .service, code: "Timeout", message: "gave up waiting", resource: r.id)
        }
        return r
    }

    func update(step: String, id: String) async throws -> FakeResource {
        enter("update \(step)")
        defer { leave() }
        try await Task.sleep(nanoseconds: UInt64(callDuration * 1e9))
        guard var r = resources[id] else { throw AWSError(kind: .service, code: "Thing.NotFound", message: "") }
        r.attributes["updated"] = "yes"
        resources[id] = r
        return r
    }

    func delete(step: String, id: String) async throws {
        enter("delete \(step)")
        defer { leave() }
        try await Task.sleep(nanoseconds: UInt64(callDuration * 1e9))
        if let e = failDelete[step] { throw e }
        if notFoundOnDelete.contains(step) {
            resources[id] = nil
            throw AWSError(kind: .service, code: "InvalidThing.NotFound", message: "no such thing")
        }
        resources[id] = nil
    }

    var ids: Set<String> { Set(resources.keys) }
    var steps: Set<String> { Set(resources.values.map(\.step)) }
    var creates: [String] { mutations.filter { $0.hasPrefix("create ") }.map { String($0.dropFirst(7)) } }
    var deletes: [String] { mutations.filter { $0.hasPrefix("delete ") }.map { String($0.dropFirst(7)) } }
}

/// A step over the fake cloud. Its record lists the ids of its dependencies' resources (proving ordering).
struct FakeStep: Step {
    typealias Environment = FakeCloud
    let id: String
    let kind = "thing"
    let dependsOn: [String]
    /// find needs the dependencies' records (like real steps that look up by VPC/endpoint).
    var findNeedsDeps = false
    /// diff reports this (until updated).
    var change: String?

    init(_ id: String, _ deps: [String] = [], findNeedsDeps: Bool = false, change: String? = nil) {
        self.id = id
        self.dependsOn = deps
        self.findNeedsDeps = findNeedsDeps
        self.change = change
    }

    func record(_ r: FakeResource) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: r.id, owned: r.owned, attributes: r.attributes)
    }

    func find(_ ctx: StepContext<FakeCloud>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        await ctx.environment.noteFind(id)
        if findNeedsDeps { for d in dependsOn { _ = try ctx.record(of: d) } }
        if let journaled, let r = await ctx.environment.get(journaled.id) { return record(r) }
        return await ctx.environment.lookup(step: id, token: ctx.pendingToken).map(record)
    }

    func diff(_ ctx: StepContext<FakeCloud>, existing: ResourceRecord) async throws -> String? {
        existing.attributes["updated"] == nil ? change : nil
    }

    func create(_ ctx: StepContext<FakeCloud>, token: String) async throws -> ResourceRecord {
        var attrs: [String: String] = [:]
        for d in dependsOn { attrs["dep.\(d)"] = try ctx.record(of: d).id }
        return record(try await ctx.environment.create(step: id, token: token, attributes: attrs))
    }

    func update(_ ctx: StepContext<FakeCloud>, existing: ResourceRecord) async throws -> ResourceRecord {
        record(try await ctx.environment.update(step: id, id: existing.id))
    }

    func delete(_ ctx: StepContext<FakeCloud>, record: ResourceRecord) async throws {
        for d in dependsOn { _ = try ctx.record(of: d) }
        try await ctx.environment.delete(step: id, id: record.id)
    }
}

/// A bring-your-own step: the user's resource, found but never created or deleted by privgw.
struct GivenStep: Step {
    typealias Environment = FakeCloud
    let id: String
    let kind = "given thing"
    let dependsOn: [String] = []
    let resourceId: String

    func find(_ ctx: StepContext<FakeCloud>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let r = await ctx.environment.get(resourceId) else { return nil }
        return ResourceRecord(step: id, kind: kind, id: r.id, owned: false)
    }
    func create(_ ctx: StepContext<FakeCloud>, token: String) async throws -> ResourceRecord {
        throw AWSError(kind: .configuration, code: "GivenMissing", message: "\(resourceId) does not exist")
    }
    func delete(_ ctx: StepContext<FakeCloud>, record: ResourceRecord) async throws {
        XCTFail("delete called for a user-given resource")
    }
}

/// Collects progress events.
final class EventLog: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var _events: [ProgressEvent] = []
    func handle(_ event: ProgressEvent) { lock.lock(); _events.append(event); lock.unlock() }
    var events: [ProgressEvent] { lock.lock(); defer { lock.unlock() }; return _events }
    var warnings: [String] {
        events.compactMap { if case let .warning(_, m) = $0 { return m }; return nil }
    }
}

/// A fresh temporary state directory.
func makeStateDir() throws -> String {
    let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("privgw-engine-\(UUID().uuidString)")
    return (dir as NSString).appendingPathComponent("state")
}

func makeRunner(_ steps: [any Step<FakeCloud>], cloud: FakeCloud, dir: String, sink: EventLog = EventLog(),
                clock: any EngineClock = VirtualClock()) throws -> Runner<FakeCloud> {
    try Runner(stackName: "demo", steps: steps, environment: cloud, stateDirectory: dir, version: "test",
               clock: clock, progress: sink)
}

/// Runs `body` expecting a RunnerError and returns it.
func expectRunnerError(_ body: () async throws -> RunResult, file: StaticString = #filePath, line: UInt = #line) async -> RunnerError? {
    do {
        _ = try await body()
        XCTFail("expected a RunnerError", file: file, line: line)
    } catch let e as RunnerError {
        return e
    } catch {
        XCTFail("expected a RunnerError, got \(error)", file: file, line: line)
    }
    return nil
}
