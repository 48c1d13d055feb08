// Journal file format, replay, torn/corrupt line handling, file modes; and the stack lock.
import Foundation
@testable import PrivGW
import XCTest

final class EngineJournalTests: XCTestCase {
    func tempJournal() throws -> String {
        let dir = try makeStateDir()
        try StateDirectory.ensure(dir)
        return Journal.path(stateDirectory: dir, stack: "demo")
    }

    let record = ResourceRecord(step: "alb", kind: "load balancer", id: "arn:aws:elb:lb/1",
                                attributes: ["dnsName": "internal-x.elb.amazonaws.com"])

    func testReplayGivesRecordsPendingIntentsFactsAndRuns() async throws {
        let path = try tempJournal()
        let j = try Journal(path: path, runId: "r1")
        try await j.append(.runStart(command: "up", version: "1.0", pid: 7))
        try await j.append(.intent(step: "alb", action: .create, token: "t1"))
        try await j.append(.fact(step: "alb", key: "id", value: record.id))
        try await j.append(.done(step: "alb", action: .create, record: record))
        try await j.append(.intent(step: "sg", action: .create, token: "t2"))
        try await j.append(.failed(step: "sg", action: .create, code: "X", message: "boom"))
        try await j.append(.runEnd(result: "failed"))
        let live = await j.state
        await j.close()
        let (state, warnings) = try Journal.load(path: path)
        XCTAssertEqual(state, live)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(state.records["alb"], record)
        XCTAssertNil(state.pendingIntents["alb"])
        XCTAssertEqual(state.pendingIntents["sg"]?.token, "t2")
        XCTAssertEqual(state.facts["alb"], ["id": record.id])
        XCTAssertEqual(state.runs.map(\.result), ["failed"])
        XCTAssertNil(state.unfinishedRun)

        let j2 = try Journal(path: path, runId: "r2")
        try await j2.append(.runStart(command: "down", version: "1.0", pid: 8))
        try await j2.append(.deleted(step: "alb", id: record.id))
        await j2.close()
        let after = try Journal.load(path: path).state
        XCTAssertNil(after.records["alb"])
        XCTAssertNil(after.facts["alb"])
        XCTAssertEqual(after.unfinishedRun?.id, "r2")
    }

    func testEntriesRoundTripAndLinesAreVersionedJSON() throws {
        let events: [JournalEvent] = [
            .runStart(command: "up", version: "1", pid: 3), .intent(step: "a", action: .update, token: "t"),
            .done(step: "a", action: .adopt, record: record), .deleted(step: "a", id: "i"),
            .failed(step: "a", action: .delete, code: "c", message: "m"), .fact(step: "a", key: "k", value: "v"),
            .runEnd(result: "succeeded"),
        ]
        for e in events {
            let entry = JournalEntry(time: Date(timeIntervalSince1970: 1_700_000_000), run: "r", event: e)
            let data = try Journal.encoder.encode(entry)
            XCTAssertFalse(data.contains(0x0A), "one line")
            XCTAssertEqual(try Journal.decoder.decode(JournalEntry.self, from: data), entry)
            let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            XCTAssertEqual(obj["v"] as? Int, 1)
            XCTAssertEqual(obj["time"] as? String, "2023-11-14T22:13:20.000Z")
        }
    }

    func testFileModes() async throws {
        let path = try tempJournal()
        let dir = (path as NSString).deletingLastPathComponent
        let j = try Journal(path: path, runId: "r")
        try await j.append(.runEnd(result: "x"))
        await j.close()
        func mode(_ p: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as! NSNumber).intValue
        }
        XCTAssertEqual(try mode(path), 0o600)
        XCTAssertEqual(try mode(dir), 0o700)
        let lock = try StateLock.acquire(path: StateLock.path(stateDirectory: dir, stack: "demo"))
        XCTAssertEqual(try mode(lock.path), 0o600)
        lock.release()
    }

    func writeLines(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func line(_ e: JournalEvent) throws -> String {
        String(decoding: try Journal.encoder.encode(JournalEntry(time: Date(), run: "r", event: e)), as: UTF8.self)
    }

    func testTornLastLineIsIgnoredWithAWarningAndRepairedOnOpen() async throws {
        let path = try tempJournal()
        let good = try line(.done(step: "alb", action: .create, record: record))
        try writeLines(path, try line(.runStart(command: "up", version: "1", pid: 1)) + "\n" + good + "\n" + "{\"v\":1,\"type\":\"do")
        let (state, warnings) = try Journal.load(path: path)
        XCTAssertEqual(state.records["alb"], record)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("torn last line 3"), warnings[0])

        let j = try Journal(path: path, runId: "r2")
        XCTAssertEqual(j.openWarnings.count, 2)
        try await j.append(.deleted(step: "alb", id: record.id))
        await j.close()
        let (after, w2) = try Journal.load(path: path)
        XCTAssertEqual(w2, [])
        XCTAssertNil(after.records["alb"])
        XCTAssertEqual(after.entryCount, 3)
    }

    func testWholeLastLineWithoutNewlineIsKeptAndCompleted() async throws {
        let path = try tempJournal()
        try writeLines(path, try line(.done(step: "alb", action: .create, record: record)))
        let j = try Journal(path: path, runId: "r2")
        try await j.append(.runEnd(result: "ok"))
        await j.close()
        let (state, warnings) = try Journal.load(path: path)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(state.records["alb"], record)
        XCTAssertEqual(state.entryCount, 2)
    }

    func testCorruptMiddleLineIsAClearError() throws {
        let path = try tempJournal()
        try writeLines(path, try line(.runStart(command: "up", version: "1", pid: 1)) + "\n" + "garbage here\n"
            + (try line(.runEnd(result: "ok"))) + "\n")
        XCTAssertThrowsError(try Journal.load(path: path)) { error in
            guard case let JournalError.corrupt(p, lineNo, _)? = error as? JournalError else { return XCTFail("\(error)") }
            XCTAssertEqual(p, path)
            XCTAssertEqual(lineNo, 2)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("line 2"), text)
            XCTAssertTrue(text.contains("--rebuild-journal"), text)
        }
        XCTAssertThrowsError(try Journal(path: path, runId: "r"))
    }

    func testNewerVersionIsRefused() throws {
        let path = try tempJournal()
        try writeLines(path, "{\"v\":2,\"type\":\"run-end\",\"time\":\"2023-11-14T22:13:20Z\",\"run\":\"r\",\"result\":\"x\"}\n")
        XCTAssertThrowsError(try Journal.load(path: path)) {
            XCTAssertEqual($0 as? JournalError, .unsupportedVersion(path: path, line: 1, version: 2))
        }
    }

    func testMissingJournalIsEmptyState() throws {
        let (state, warnings) = try Journal.load(path: "/nonexistent/privgw/x.journal.jsonl")
        XCTAssertEqual(state, JournalState())
        XCTAssertEqual(warnings, [])
    }

    func testRebuildJournalSetsACorruptJournalAside() async throws {
        let cloud = FakeCloud()
        let dir = try makeStateDir()
        let runner = try makeRunner([FakeStep("a")], cloud: cloud, dir: dir)
        _ = try await runner.up()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: runner.journalPath))
        handle.seek(toFileOffset: 0)
        handle.write(Data("xx".utf8))
        try handle.close()
        do {
            _ = try await runner.up()
            XCTFail("corrupt journal accepted")
        } catch is JournalError {}
        let r = try await runner.up(rebuildJournal: true)
        XCTAssertEqual(r.outcome("a")?.action, .adopt, "rediscovered by tags")
        do { let value = await cloud.creates; XCTAssertEqual(value, ["a"]) }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertTrue(files.contains { $0.hasPrefix("demo.journal.jsonl.corrupt-") }, "\(files)")
    }

    func testLockRefusesASecondHolderAndNamesIt() throws {
        let dir = try makeStateDir()
        try StateDirectory.ensure(dir)
        let path = StateLock.path(stateDirectory: dir, stack: "demo")
        let first = try StateLock.acquire(path: path)
        XCTAssertThrowsError(try StateLock.acquire(path: path)) { error in
            XCTAssertEqual(error as? LockError, .held(path: path, pid: getpid()))
            let text = String(describing: error)
            XCTAssertTrue(text.contains(path) && text.contains("\(getpid())"), text)
        }
        first.release()
        first.release()
        let second = try StateLock.acquire(path: path)
        second.release()
    }
}
