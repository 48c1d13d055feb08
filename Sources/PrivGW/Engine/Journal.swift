// The per-stack journal: append-only, fsync'd JSON lines recording every intent and result, replayed into state.
//
// Fault injection (tests only): with PRIVGW_CRASH_AFTER_RECORDS=N in the environment, the process sends itself
// SIGKILL right after the N-th record it appended (counted across all journals of this process, starting at 1)
// has been fsync'd: the crash-recovery tests (Tests/IntegrationTests/CrashRecoveryTests.swift,
// scripts/crash-matrix) kill `up`/`down` at every record position this way. Unset (or not a positive
// integer), it does nothing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The action an `intent`/`done`/`failed` journal record is about.
public enum JournalAction: String, Codable, Sendable, Equatable {
    case create, update, delete
    /// An existing resource privgw did not know became part of the stack (found by tags/token, or user-given).
    case adopt
    /// A known resource's record changed (e.g. new attributes) without any mutating call.
    case refresh
}

/// One journal record's content.
public enum JournalEvent: Sendable, Equatable {
    /// A run (`up`, `down`) begins.
    case runStart(command: String, version: String, pid: Int32)
    /// Written BEFORE a mutating call; an intent without a later `done`/`deleted` means "may or may not exist".
    case intent(step: String, action: JournalAction, token: String)
    /// The step's resource after create/update/adopt/refresh.
    case done(step: String, action: JournalAction, record: ResourceRecord)
    /// The step's resource is gone (deleted, or found already gone).
    case deleted(step: String, id: String)
    case failed(step: String, action: JournalAction, code: String, message: String)
    /// A fact a step `remember`ed (e.g. an id right after the create call).
    case fact(step: String, key: String, value: String)
    /// The run ended: `succeeded`, `failed`, `rolled-back`, `interrupted`.
    case runEnd(result: String)
}

/// One line of the journal.
///
/// Wire format (keys sorted, one JSON object per line, `v` is the format version, `time` ISO 8601 UTC):
/// ```
/// {"command":"up","pid":4242,"run":"20250101T120000Z-1a2b3c","time":"…","type":"run-start","v":1,"version":"0.1.0"}
/// {"action":"create","run":"…","step":"alb","time":"…","token":"9f0c…(32 hex)","type":"intent","v":1}
/// {"action":"create","record":{"attributes":{"dnsName":"…"},"id":"arn:…","kind":"load balancer","owned":true,"step":"alb"},"run":"…","step":"alb","time":"…","type":"done","v":1}
/// {"id":"arn:…","run":"…","step":"alb","time":"…","type":"deleted","v":1}
/// {"action":"create","code":"InvalidSubnet","message":"…","run":"…","step":"alb","time":"…","type":"failed","v":1}
/// {"key":"id","run":"…","step":"alb","time":"…","type":"fact","v":1,"value":"arn:…"}
/// {"result":"succeeded","run":"…","time":"…","type":"run-end","v":1}
/// ```
public struct JournalEntry: Sendable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    public var time: Date
    public var run: String
    public var event: JournalEvent

    public init(version: Int = JournalEntry.currentVersion, time: Date, run: String, event: JournalEvent) {
        self.version = version
        self.time = time
        self.run = run
        self.event = event
    }
}

extension JournalEntry: Codable {
    private struct Wire: Codable {
        var v: Int
        var type: String
        var time: Date
        var run: String
        var command: String?
        var version: String?
        var pid: Int32?
        var step: String?
        var action: JournalAction?
        var token: String?
        var record: ResourceRecord?
        var id: String?
        var code: String?
        var message: String?
        var key: String?
        var value: String?
        var result: String?
    }

    private struct Invalid: Error, CustomStringConvertible { var description: String }

    public func encode(to encoder: any Encoder) throws {
        var w = Wire(v: version, type: "", time: time, run: run)
        switch event {
        case let .runStart(command, version, pid):
            w.type = "run-start"; w.command = command; w.version = version; w.pid = pid
        case let .intent(step, action, token):
            w.type = "intent"; w.step = step; w.action = action; w.token = token
        case let .done(step, action, record):
            w.type = "done"; w.step = step; w.action = action; w.record = record
        case let .deleted(step, id):
            w.type = "deleted"; w.step = step; w.id = id
        case let .failed(step, action, code, message):
            w.type = "failed"; w.step = step; w.action = action; w.code = code; w.message = message
        case let .fact(step, key, value):
            w.type = "fact"; w.step = step; w.key = key; w.value = value
        case let .runEnd(result):
            w.type = "run-end"; w.result = result
        }
        try w.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let w = try Wire(from: decoder)
        func need<T>(_ v: T?, _ name: String) throws -> T {
            guard let v else { throw Invalid(description: "\(w.type) record without \(name)") }
            return v
        }
        let event: JournalEvent
        switch w.type {
        case "run-start":
            event = .runStart(command: try need(w.command, "command"), version: w.version ?? "", pid: w.pid ?? 0)
        case "intent":
            event = .intent(step: try need(w.step, "step"), action: try need(w.action, "action"), token: try need(w.token, "token"))
        case "done":
            event = .done(step: try need(w.step, "step"), action: try need(w.action, "action"), record: try need(w.record, "record"))
        case "deleted":
            event = .deleted(step: try need(w.step, "step"), id: try need(w.id, "id"))
        case "failed":
            event = .failed(step: try need(w.step, "step"), action: try need(w.action, "action"),
                            code: w.code ?? "", message: w.message ?? "")
        case "fact":
            event = .fact(step: try need(w.step, "step"), key: try need(w.key, "key"), value: try need(w.value, "value"))
        case "run-end":
            event = .runEnd(result: try need(w.result, "result"))
        default:
            throw Invalid(description: "unknown record type \"\(w.type)\"")
        }
        self.init(version: w.v, time: w.time, run: w.run, event: event)
    }
}

/// An intent with no `done`/`deleted` after it: the call may or may not have happened.
public struct PendingIntent: Sendable, Equatable {
    public var action: JournalAction
    /// The idempotency token to reuse when resuming a create.
    public var token: String
    public var run: String
    public var time: Date
}

/// A run as recorded by its `run-start`.
public struct JournalRun: Sendable, Equatable {
    public var id: String
    public var command: String
    public var version: String
    public var pid: Int32
    public var started: Date
    /// Nil while running, or forever if the process died.
    public var result: String?
}

/// What replaying the journal says about the stack.
public struct JournalState: Sendable, Equatable {
    /// Per step: the last known record (removed by `deleted`).
    public var records: [String: ResourceRecord] = [:]
    /// Per step: an intent not yet followed by `done`/`deleted`.
    public var pendingIntents: [String: PendingIntent] = [:]
    /// Per step: remembered facts, cleared when the resource is deleted.
    public var facts: [String: [String: String]] = [:]
    /// All runs, oldest first.
    public var runs: [JournalRun] = []
    public var entryCount = 0

    public init() {}

    public static func replay(_ entries: [JournalEntry]) -> JournalState {
        var s = JournalState()
        for e in entries { s.apply(e) }
        return s
    }

    /// The most recent earlier run that never wrote `run-end` (the process died), if the latest run is one.
    public var unfinishedRun: JournalRun? {
        guard let last = runs.last, last.result == nil else { return nil }
        return last
    }

    /// Owned records, sorted by step id.
    public var ownedRecords: [ResourceRecord] {
        records.values.filter(\.owned).sorted { $0.step < $1.step }
    }

    public mutating func apply(_ entry: JournalEntry) {
        entryCount += 1
        switch entry.event {
        case let .runStart(command, version, pid):
            runs.append(JournalRun(id: entry.run, command: command, version: version, pid: pid, started: entry.time))
        case let .intent(step, action, token):
            pendingIntents[step] = PendingIntent(action: action, token: token, run: entry.run, time: entry.time)
        case let .done(step, _, record):
            records[step] = record
            pendingIntents[step] = nil
        case let .deleted(step, _):
            records[step] = nil
            pendingIntents[step] = nil
            facts[step] = nil
        case .failed:
            // The intent stays pending: the failed call may still have created something.
            break
        case let .fact(step, key, value):
            facts[step, default: [:]][key] = value
        case let .runEnd(result):
            if let i = runs.lastIndex(where: { $0.id == entry.run }) { runs[i].result = result }
        }
    }
}

/// The journal cannot be read or written.
public enum JournalError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A complete line that is not a valid record: the journal can no longer be trusted.
    case corrupt(path: String, line: Int, reason: String)
    /// Written by a newer privgw.
    case unsupportedVersion(path: String, line: Int, version: Int)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .corrupt(path, line, reason):
            return "journal \(path) line \(line) is corrupt (\(reason)); privgw cannot trust its record of what it created"
                + "\n  hint: run `privgw up --rebuild-journal` to set the journal aside and rediscover the stack's resources by their tags"
        case let .unsupportedVersion(path, line, version):
            return "journal \(path) line \(line) has format version \(version), newer than this privgw understands (\(JournalEntry.currentVersion))"
                + "\n  hint: use the privgw version that wrote it, or `privgw up --rebuild-journal` to start a new journal"
        case let .io(path, operation, errno):
            return "journal \(path): \(operation) failed: \(String(cString: strerror(errno)))"
        }
    }
}

/// The journal of one stack. Appends are serialized by the actor, each one line, one `write`, then `fsync`.
public actor Journal {
    public nonisolated let path: String
    /// Replayed state, kept current as records are appended.
    public private(set) var state: JournalState
    /// The run id stamped on every record appended through this handle.
    public nonisolated let runId: String
    /// Problems found (and repaired) while opening, e.g. a torn last line.
    public nonisolated let openWarnings: [String]
    private var fd: Int32

    /// `<stateDirectory>/<stack>.journal.jsonl`
    public static func path(stateDirectory: String, stack: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("\(stack).journal.jsonl")
    }

    /// Reads and replays a journal without opening it for writing (no lock needed; a missing file is empty).
    public static func load(path: String) throws -> (state: JournalState, warnings: [String]) {
        let parsed = try parse(path: path)
        return (JournalState.replay(parsed.entries), parsed.warnings)
    }

    /// Opens (creating, mode 0600) for appending. Repairs a torn last line so later appends start on a fresh line.
    /// The caller must hold the stack lock.
    public init(path: String, runId: String) throws {
        let parsed = try Journal.parse(path: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError.io(path: path, operation: "open", errno: errno) }
        var warnings = parsed.warnings
        do {
            guard fchmod(fd, 0o600) == 0 else { throw JournalError.io(path: path, operation: "chmod", errno: errno) }
            switch parsed.tail {
            case .clean:
                break
            case .unterminatedValid:
                // The record is whole, only its newline is missing: complete it.
                try Journal.writeAll(fd: fd, Data([0x0A]), path: path)
            case let .torn(validLength):
                guard ftruncate(fd, off_t(validLength)) == 0 else {
                    throw JournalError.io(path: path, operation: "truncate torn last line", errno: errno)
                }
                warnings.append("removed the torn last line of \(path)")
            }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        self.path = path
        self.runId = runId
        self.fd = fd
        self.state = JournalState.replay(parsed.entries)
        self.openWarnings = warnings
    }

    deinit {
        if fd >= 0 { closeDescriptor(fd) }
    }

    /// Appends one record (stamped with this handle's run id and the current time) and fsyncs it.
    @discardableResult
    public func append(_ event: JournalEvent) throws -> JournalEntry {
        guard fd >= 0 else { throw JournalError.io(path: path, operation: "append after close", errno: EBADF) }
        let entry = JournalEntry(time: Journal.journalNow(), run: runId, event: event)
        var line = try Journal.encoder.encode(entry)
        line.append(0x0A)
        try Journal.writeAll(fd: fd, line, path: path)
        guard fsync(fd) == 0 else { throw JournalError.io(path: path, operation: "fsync", errno: errno) }
        Journal.crashHook()
        state.apply(entry)
        return entry
    }

    /// `PRIVGW_CRASH_AFTER_RECORDS` (see the file header), read once; nil when unset.
    private static let crashAfterRecords: Int? = {
        guard let text = ProcessInfo.processInfo.environment["PRIVGW_CRASH_AFTER_RECORDS"],
              let n = Int(text), n > 0 else { return nil }
        return n
    }()
    /// Records appended (and fsync'd) by this process, for the crash hook.
    private static let recordsWritten = Locked(0)

    /// Test-only fault injection: SIGKILL this process after its N-th fsync'd record. No-op when unset.
    private static func crashHook() {
        guard let limit = crashAfterRecords else { return }
        let n = recordsWritten.withLock { n -> Int in n += 1; return n }
        if n == limit { kill(getpid(), SIGKILL) }
    }

    public func close() {
        if fd >= 0 {
            closeDescriptor(fd)
            fd = -1
        }
    }

    /// For `--rebuild-journal`: renames the journal to `<path>.corrupt-<UTC time>` and returns the new name
    /// (nil when there was none). The caller must hold the stack lock.
    public static func moveAside(path: String, now: Date = Date()) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let target = "\(path).corrupt-\(f.string(from: now))"
        guard rename(path, target) == 0 else { throw JournalError.io(path: path, operation: "rename", errno: errno) }
        return target
    }

    // MARK: - file format

    static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatTime(date))
        }
        return e
    }

    static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parseTime(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "bad time \"\(text)\"")
            }
            return date
        }
        return d
    }

    /// ISO 8601 UTC with milliseconds, e.g. `2025-01-01T12:00:00.123Z`. Done by hand from integral
    /// milliseconds so formatting and parsing round-trip exactly (live state == replayed state).
    static func formatTime(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (secs, frac) = (ms.floorDiv(1000), ms.floorMod(1000))
        let base = Date(timeIntervalSince1970: Double(secs)).formatted(Date.ISO8601FormatStyle())
        let digits = String(frac)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Accepts the journal's own format and plain ISO 8601 without fractions.
    static func parseTime(_ text: String) -> Date? {
        var base = text
        var ms: Int64 = 0
        if let dot = text.firstIndex(of: "."), text.hasSuffix("Z") {
            let frac = text[text.index(after: dot)..<text.index(before: text.endIndex)]
            guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isNumber) else { return nil }
            ms = Int64(String(frac.prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)) ?? 0
            base = String(text[..<dot]) + "Z"
        }
        guard let d = try? Date.ISO8601FormatStyle().parse(base) else { return nil }
        return Date(timeIntervalSince1970: Double(Int64(d.timeIntervalSince1970.rounded()) * 1000 + ms) / 1000)
    }

    /// Now, at the precision the file keeps.
    static func journalNow() -> Date {
        let ms = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    enum Tail: Equatable {
        case clean
        case unterminatedValid
        /// Bytes up to and including the last newline are good; the rest is a torn write.
        case torn(validLength: Int)
    }

    struct Parsed {
        var entries: [JournalEntry]
        var warnings: [String]
        var tail: Tail
    }

    static func parse(path: String) throws -> Parsed {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            if !FileManager.default.fileExists(atPath: path) { return Parsed(entries: [], warnings: [], tail: .clean) }
            throw JournalError.io(path: path, operation: "read", errno: EIO)
        }
        return try parse(data: data, path: path)
    }

    static func parse(data: Data, path: String) throws -> Parsed {
        var entries: [JournalEntry] = []
        var warnings: [String] = []
        var tail = Tail.clean
        let bytes = [UInt8](data)
        let decoder = decoder
        var start = 0
        var lineNo = 0
        while start < bytes.count {
            lineNo += 1
            let nl = bytes[start...].firstIndex(of: 0x0A)
            let end = nl ?? bytes.count
            let line = Data(bytes[start..<end])
            let isLast = nl == nil
            defer { start = end + 1 }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                if isLast { tail = .torn(validLength: start) }
                continue
            }
            do {
                let entry = try decoder.decode(JournalEntry.self, from: line)
                guard entry.version <= JournalEntry.currentVersion else {
                    throw JournalError.unsupportedVersion(path: path, line: lineNo, version: entry.version)
                }
                entries.append(entry)
                if isLast { tail = .unterminatedValid }
            } catch let e as JournalError {
                throw e
            } catch {
                if isLast {
                    // A crash mid-write leaves a partial last line without its newline: that record never happened.
                    warnings.append("ignored the torn last line \(lineNo) of \(path) (a run was interrupted while writing it)")
                    tail = .torn(validLength: start)
                } else {
                    throw JournalError.corrupt(path: path, line: lineNo, reason: reason(error))
                }
            }
        }
        return Parsed(entries: entries, warnings: warnings, tail: tail)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return "not valid JSON: \(c.debugDescription)"
        case DecodingError.keyNotFound(let k, _): return "missing \"\(k.stringValue)\""
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "bad value at \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return String(describing: error)
        }
    }

    static func writeAll(fd: Int32, _ data: Data, path: String) throws {
        try data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buf.count {
                // One write() for the whole line; the loop only matters for the rare short write.
                let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw JournalError.io(path: path, operation: "write", errno: errno)
                }
                offset += n
            }
        }
    }
}

/// Creates the state directory (mode 0700, parents as needed) if missing.
public enum StateDirectory {
    public static let defaultPath = ".privgw"

    public static func ensure(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw JournalError.io(path: path, operation: "use as state directory", errno: ENOTDIR) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw JournalError.io(path: path, operation: "create state directory", errno: errno)
        }
        // umask may have removed bits we want, never added: enforce exactly 0700.
        _ = chmod(path, 0o700)
    }
}

/// `close(2)`, named apart so actor members called `close` don't shadow it.
func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

private extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 { self >= 0 ? self / d : -((-self + d - 1) / d) }
    func floorMod(_ d: Int64) -> Int64 { self - floorDiv(d) * d }
}
