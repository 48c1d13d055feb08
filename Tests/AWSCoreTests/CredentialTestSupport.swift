// Test helpers for the credential and configuration tests: temp files, a local HTTP server, a movable clock.
import Foundation
import XCTest
@testable import AWSCore

/// A directory for one test's config files, token caches and scripts; removed by `remove()`.
final class TempDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ relative: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
        return file.path
    }

    func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An environment that sees only the given files and never reaches a real metadata service.
func isolatedEnvironment(_ dir: TempDirectory, _ extra: [String: String] = [:]) -> [String: String] {
    var env: [String: String] = [
        "HOME": dir.url.path,
        "AWS_CONFIG_FILE": dir.path("config"),
        "AWS_SHARED_CREDENTIALS_FILE": dir.path("credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": "/usr/bin:/bin",
    ]
    env.merge(extra) { _, new in new }
    return env
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_900_000_000)) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

/// Passes requests to a real transport and keeps a copy of each (to check headers that were sent).
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private let lock = NSLock()
    private var seen: [HTTPRequest] = []
    init(_ inner: any HTTPTransport = CurlTransport()) { self.inner = inner }
    var requests: [HTTPRequest] { lock.lock(); defer { lock.unlock() }; return seen }
    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        lock.withLock { seen.append(request) }
        return try await inner.send(request, timeout: timeout)
    }
}

/// A python `http.server` on 127.0.0.1 answering from a route table and logging every request (method, path,
/// headers) in order. Started per test, stopped by its pid; it also exits when its stdin (our pipe) closes, so a
/// crashed test run leaves nothing behind.
final class LocalHTTPServer {
    struct Route: Encodable {
        var method: String
        var path: String
        var status: Int = 200
        var body: JSONValue = ""
        /// Headers that must be present with these values, else 401.
        var require: [String: String] = [:]
        /// Exact query items (`name=value`, encoded), any order; else 400.
        var query: [String]?
    }

    static let script = #"""
    import http.server, json, os, signal, sys, threading
    # The test process spawns us with SIGTERM blocked; unblock it so stop() can end us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    cfg = json.loads(sys.argv[1])
    log = open(sys.argv[2], "a")
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def reply(self, status, body):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n: self.rfile.read(n)
            log.write(json.dumps({"method": self.command, "path": self.path,
                                  "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
            log.flush()
            path, _, query = self.path.partition("?")
            for r in cfg:
                if r["method"] == self.command and r["path"] == path:
                    for k, v in r.get("require", {}).items():
                        if self.headers.get(k) != v:
                            return self.reply(401, {"message": "missing or wrong " + k})
                    if r.get("query") is not None and sorted(q for q in query.split("&") if q) != sorted(r["query"]):
                        return self.reply(400, {"message": "unexpected query " + query})
                    return self.reply(r["status"], r["body"])
            self.reply(404, {"message": "no route"})
        do_GET = do_PUT = do_POST = handle_any
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()
    """#

    let process = Process()
    let port: Int
    private let stdinPipe = Pipe()
    private let directory: TempDirectory

    var base: String { "http://127.0.0.1:\(port)" }

    init(_ routes: [Route]) throws {
        directory = try TempDirectory()
        let scriptPath = try directory.write("server.py", Self.script)
        let config = String(decoding: try JSONEncoder().encode(routes), as: UTF8.self)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, config, directory.path("requests.jsonl")]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdinPipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw AWSError(kind: .transport, code: "TestServer", message: "test HTTP server did not start")
        }
        self.port = port
    }

    /// The requests seen so far, oldest first.
    func requests() -> [(method: String, path: String, headers: [String: String])] {
        guard let text = try? String(contentsOfFile: directory.path("requests.jsonl"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (o["method"] as? String ?? "", o["path"] as? String ?? "", o["headers"] as? [String: String] ?? [:])
        }
    }

    /// SIGTERM to the server's pid, SIGKILL if it is still there after two seconds.
    func stop() {
        let pid = process.processIdentifier
        if process.isRunning {
            kill(pid, SIGTERM)
            let deadline = Date() + 2
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        directory.remove()
    }
}

/// Runs `body` and returns the AWSError it throws (failing the test when it throws nothing or something else).
func awsError(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> AWSError? {
    do {
        try await body()
        XCTFail("expected an AWSError", file: file, line: line)
    } catch let e as AWSError {
        return e
    } catch {
        XCTFail("expected an AWSError, got \(error)", file: file, line: line)
    }
    return nil
}

/// Fails when `text` contains any of the secrets (keys, tokens) of a test.
func assertNoSecrets(_ text: String, _ secrets: [String], file: StaticString = #filePath, line: UInt = #line) {
    for s in secrets where text.contains(s) {
        XCTFail("secret '\(s.prefix(4))…' leaked into: \(text)", file: file, line: line)
    }
}
