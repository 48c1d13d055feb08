// mitmproxy in reverse mode in front of a moto server, with Tests/Support/python/fault_addon.py injecting AWS faults.
import Foundation

/// A fault-injecting reverse proxy on `127.0.0.1:port` in front of `moto`: run privgw with `environment` (its
/// `AWS_ENDPOINT_URL` points here) and it sees throttling, 5xx, resets, slow answers, denied or garbled calls
/// as configured; read what was done with `summary()`. Requires `scripts/ensure-mitmproxy` (mitmdump in
/// `.venv-mitm/`): without it `start` throws, so the tests fail (they do not skip) and say what to run.
/// Started by pid and stopped by pid; the addon also exits when this test process is gone.
public final class FaultProxy: @unchecked Sendable {
    /// What to inject (the addon's `fault_*` options; see fault_addon.py's docstring).
    public struct Options: Sendable {
        /// Share of requests faulted, 0...1.
        public var rate: Double
        public var seed: Int
        /// Any of throttle, 500, 503, ambiguous500, reset, reset-after, slow.
        public var kinds: [String]
        public var slowSeconds: Double
        /// `service:Operation` answered with the service's AccessDenied/UnauthorizedOperation, every time.
        public var deny: [String]
        /// `service:Operation[:kind]` (kind: xml, json, truncated, html, empty) answered with garbage.
        public var garbage: [String]
        /// Answer repeats of EC2 ClientToken / Route 53 CallerReference / ELBv2 same-name creates as AWS does.
        public var emulateIdempotency: Bool

        public static let allKinds = ["throttle", "500", "503", "ambiguous500", "reset", "reset-after", "slow"]

        public init(rate: Double = 0, seed: Int = 1, kinds: [String] = Options.allKinds, slowSeconds: Double = 1.5,
                    deny: [String] = [], garbage: [String] = [], emulateIdempotency: Bool = true) {
            self.rate = rate
            self.seed = seed
            self.kinds = kinds
            self.slowSeconds = slowSeconds
            self.deny = deny
            self.garbage = garbage
            self.emulateIdempotency = emulateIdempotency
        }
    }

    /// The addon's counts (fault_summary JSON).
    public struct Summary: Decodable, Sendable, Equatable {
        public struct Operation: Decodable, Sendable, Equatable {
            public var requests: Int
            public var faults: [String: Int]
            public var forwarded: Int?
            public var denied: Int?
            public var garbage: Int?
            public var replayed: Int?
        }
        /// AWS requests seen (control calls and unsigned requests excluded).
        public var requests: Int
        /// Requests that reached moto (not answered by the proxy itself).
        public var forwarded: Int
        /// Requests given a random fault, and by kind.
        public var faulted: Int
        public var faults: [String: Int]
        public var denied: Int
        public var garbage: Int
        /// Repeated idempotent creates answered from the first answer.
        public var replayed: Int
        /// By `service:Operation`.
        public var operations: [String: Operation]

        public static let empty = Summary(requests: 0, forwarded: 0, faulted: 0, faults: [:], denied: 0, garbage: 0,
                                          replayed: 0, operations: [:])
    }

    public enum ProxyError: Error, CustomStringConvertible {
        case notInstalled(path: String)
        case didNotStart(reason: String, log: String)

        public var description: String {
            switch self {
            case let .notInstalled(path):
                return "mitmproxy is not installed (\(path) is missing): run scripts/ensure-mitmproxy, then the tests again"
            case let .didNotStart(reason, log):
                return "the fault proxy (mitmdump) did not start: \(reason)\n--- mitmdump log (tail) ---\n\(log)"
            }
        }
    }

    public let port: Int
    public let pid: Int32
    public let options: Options
    public let upstream: String
    private let process: Process
    private let exited: DispatchSemaphore
    private let workDirectory: URL
    private let summaryURL: URL
    private let logURL: URL
    private let lock = NSLock()
    private var stopped = false

    /// Where privgw must send its calls.
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// Over `MotoServer.environment`: the proxy as the endpoint.
    public var environment: [String: String] { ["AWS_ENDPOINT_URL": endpoint] }

    /// `.venv-mitm/bin/mitmdump` in the repository (made by scripts/ensure-mitmproxy).
    public static var mitmdump: URL { TestPaths.repoRoot.appendingPathComponent(".venv-mitm/bin/mitmdump") }

    private init(port: Int, pid: Int32, options: Options, upstream: String, process: Process, exited: DispatchSemaphore,
                 workDirectory: URL, summaryURL: URL, logURL: URL) {
        self.port = port
        self.pid = pid
        self.options = options
        self.upstream = upstream
        self.process = process
        self.exited = exited
        self.workDirectory = workDirectory
        self.summaryURL = summaryURL
        self.logURL = logURL
    }

    deinit { stop() }

    /// Starts mitmdump on a free port of 127.0.0.1 in front of `moto` and waits until it listens.
    public static func start(in front: MotoServer, options: Options = Options(), timeout: TimeInterval = 60) throws -> FaultProxy {
        try start(upstream: front.endpoint, options: options, timeout: timeout)
    }

    public static func start(upstream: String, options: Options = Options(), timeout: TimeInterval = 60) throws -> FaultProxy {
        let fm = FileManager.default
        let binary = mitmdump
        guard fm.isExecutableFile(atPath: binary.path) else { throw ProxyError.notInstalled(path: binary.path) }
        let work = fm.temporaryDirectory.appendingPathComponent("privgw-faults-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let summaryURL = work.appendingPathComponent("summary.json")
        let readyURL = work.appendingPathComponent("ready.json")
        let logURL = work.appendingPathComponent("mitmdump.log")
        _ = fm.createFile(atPath: logURL.path, contents: nil)

        let addon = TestPaths.pythonHelpers.appendingPathComponent("fault_addon.py").path
        let sets: [(String, String)] = [
            ("fault_rate", String(options.rate)), ("fault_seed", String(options.seed)),
            ("fault_kinds", options.kinds.joined(separator: ",")), ("fault_slow_seconds", String(options.slowSeconds)),
            ("fault_deny", options.deny.joined(separator: ",")), ("fault_garbage", options.garbage.joined(separator: ",")),
            ("fault_idempotency", options.emulateIdempotency ? "true" : "false"),
            ("fault_summary", summaryURL.path), ("fault_ready", readyURL.path), ("fault_log", requestLogURL(work).path),
            ("fault_parent_pid", String(getpid())),
            // Quiet: one line per flow would fill the log; errors still go there.
            ("keep_host_header", "true"), ("flow_detail", "0"), ("termlog_verbosity", "warn"),
        ]
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--mode", "reverse:\(upstream)", "--listen-host", "127.0.0.1", "--listen-port", "0",
                             "-s", addon] + sets.flatMap { ["--set", "\($0.0)=\($0.1)"] }
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        // mitmproxy keeps its CA in ~/.mitmproxy; reverse mode to http:// does not need it, but keep it out of $HOME.
        env["HOME"] = work.path
        for key in env.keys where key.hasPrefix("FAULT_") { env[key] = nil }
        process.environment = env
        process.currentDirectoryURL = work
        process.standardOutput = try FileHandle(forWritingTo: logURL)
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        struct Ready: Decodable { var port: Int; var pid: Int32 }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = try? Data(contentsOf: readyURL), let ready = try? JSONDecoder().decode(Ready.self, from: data),
               ready.port > 0 {
                return FaultProxy(port: ready.port, pid: process.processIdentifier, options: options, upstream: upstream,
                                  process: process, exited: exited, workDirectory: work, summaryURL: summaryURL, logURL: logURL)
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let reason = process.isRunning ? "not listening within \(Int(timeout)) s" : "mitmdump exited with \(process.terminationStatus)"
        CommandRunner.terminate(process, exited: exited)
        let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        try? fm.removeItem(at: work)
        throw ProxyError.didNotStart(reason: reason, log: String(log.suffix(4000)))
    }

    /// The counts so far (written by the addon after every request).
    public func summary() throws -> Summary {
        guard let data = try? Data(contentsOf: summaryURL) else { return .empty }
        return try JSONDecoder().decode(Summary.self, from: data)
    }

    static func requestLogURL(_ work: URL) -> URL { work.appendingPathComponent("requests.jsonl") }

    /// One JSON line per request: the operation and what the proxy did (`answered 503`, `moto 200, then
    /// ambiguous500`, `killed`, ...), oldest first.
    public func requestLog() -> [String] {
        let text = (try? String(contentsOf: Self.requestLogURL(workDirectory), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// The end of mitmdump's log (addon errors show up here).
    public func logTail(_ count: Int = 4000) -> String {
        String(((try? String(contentsOf: logURL, encoding: .utf8)) ?? "").suffix(count))
    }

    /// SIGTERM to mitmdump's pid (SIGKILL after five seconds), then removes its temporary directory. Idempotent.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        CommandRunner.terminate(process, exited: exited)
        try? FileManager.default.removeItem(at: workDirectory)
    }
}
