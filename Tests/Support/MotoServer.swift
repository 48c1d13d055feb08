// A moto server (Tests/Support/python/moto_harness.py) started for one test case, stopped by its pid.
import AWSCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A local AWS on `127.0.0.1:port`: moto 5.2.1 plus the harness's stand-in for API Gateway private custom
/// domains (docs/moto.md). With `verifySignatures` every request must be SigV4-signed with `credentials`.
///
/// The harness exits on its own if this test process dies, so a crashed test leaves no server behind.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public let pid: Int32
    public let accessKeyId: String
    public let secretAccessKey: String
    public let region: String
    /// The harness's stderr (moto's access log, one line per request); removed by `stop()`.
    public let logURL: URL
    /// Where moto records requests when started with `recording: true`.
    public let recordingURL: URL?

    private let process: Process
    private let exited: DispatchSemaphore
    private let workDirectory: URL
    private let lock = NSLock()
    private var stopped = false

    public var endpoint: String { "http://127.0.0.1:\(port)" }
    public var credentials: Credentials {
        Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, source: "moto-harness")
    }

    /// Variables privgw must not inherit when it runs against this server: they would choose another profile,
    /// credentials, region or endpoint than the server's.
    public static let clearedEnvironmentKeys: Set<String> = [
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_DEFAULT_REGION",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CA_BUNDLE",
    ]

    /// What privgw needs to talk to this server and nothing else: keys, region, endpoint; no config files and
    /// no instance metadata. Apply over an environment from which `clearedEnvironmentKeys` and every
    /// `AWS_ENDPOINT_URL_*` were removed (`runPrivgw` does).
    public var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": accessKeyId,
            "AWS_SECRET_ACCESS_KEY": secretAccessKey,
            "AWS_REGION": region,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    private init(ready: ReadyLine, process: Process, exited: DispatchSemaphore, workDirectory: URL,
                 logURL: URL, recordingURL: URL?) {
        self.port = ready.port
        self.pid = ready.pid
        self.accessKeyId = ready.accessKeyId
        self.secretAccessKey = ready.secretAccessKey
        self.region = ready.region
        self.process = process
        self.exited = exited
        self.workDirectory = workDirectory
        self.logURL = logURL
        self.recordingURL = recordingURL
    }

    deinit { stop() }

    private struct ReadyLine: Decodable {
        var port: Int
        var pid: Int32
        var accessKeyId: String
        var secretAccessKey: String
        var region: String
    }

    // MARK: - Starting and stopping

    /// Starts the harness on a free port and waits for its ready line.
    /// - Parameters:
    ///   - verifySignatures: check every request's SigV4 signature against the harness's IAM key.
    ///   - recording: have moto record every request (see `recordedCalls()`).
    ///   - environment: added to the harness's environment, e.g. `["MOTO_ACM_VALIDATION_WAIT": "0"]`.
    public static func start(verifySignatures: Bool = true, recording: Bool = false,
                             environment: [String: String] = [:], timeout: TimeInterval = 90) throws -> MotoServer {
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("privgw-moto-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let logURL = work.appendingPathComponent("harness.log")
        _ = fm.createFile(atPath: logURL.path, contents: nil)

        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        var recordingURL: URL?
        if recording {
            let url = work.appendingPathComponent("recording.jsonl")
            env["MOTO_ENABLE_RECORDING"] = "true"
            env["MOTO_RECORDER_FILEPATH"] = url.path
            recordingURL = url
        }
        env.merge(environment) { _, new in new }
        if let path = env["MOTO_RECORDER_FILEPATH"], env["MOTO_ENABLE_RECORDING"] != nil {
            recordingURL = URL(fileURLWithPath: path)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [TestPaths.python, TestPaths.pythonHelpers.appendingPathComponent("moto_harness.py").path,
                             "--exit-with-parent"] + (verifySignatures ? [] : ["--no-verify"])
        process.environment = env
        process.currentDirectoryURL = work
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        // The harness prints one JSON line, then closes its stdout; read until the newline or EOF.
        let line = DataBox()
        let gotLine = DispatchSemaphore(value: 0)
        let reader = stdout.fileHandleForReading
        DispatchQueue.global().async {
            while true {
                let chunk = reader.availableData
                line.append(chunk)
                if chunk.isEmpty || chunk.contains(UInt8(ascii: "\n")) { break }
            }
            gotLine.signal()
        }
        func fail(_ reason: String) -> Error {
            CommandRunner.terminate(process, exited: exited)
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            try? fm.removeItem(at: work)
            return TestSupportError.harnessDidNotStart(reason: reason, log: String(log.suffix(4000)))
        }
        guard gotLine.wait(timeout: .now() + timeout) == .success else {
            throw fail("no ready line within \(Int(timeout)) s")
        }
        let firstLine = line.value.split(separator: UInt8(ascii: "\n")).first.map { Data($0) } ?? Data()
        guard let ready = try? JSONDecoder().decode(ReadyLine.self, from: firstLine) else {
            throw fail("unexpected output: \(String(decoding: line.value, as: UTF8.self))")
        }
        return MotoServer(ready: ready, process: process, exited: exited, workDirectory: work,
                          logURL: logURL, recordingURL: recordingURL)
    }

    /// Sends SIGTERM to the harness's pid (SIGKILL after five seconds), waits until it is gone and removes its
    /// temporary directory (log, recording). Safe to call twice; `deinit` calls it too.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        CommandRunner.terminate(process, exited: exited)
        try? FileManager.default.removeItem(at: workDirectory)
    }

    public var isRunning: Bool { process.isRunning }

    // MARK: - Control calls

    /// Wipes all of moto's state (`POST /moto-api/reset`). The harness then restores its IAM user and key, so
    /// `credentials` and `environment` stay valid. The recording file is not touched.
    public func reset() throws {
        try control("/moto-api/reset")
    }

    /// Switches signature checking on or off for the requests that follow (`POST /moto-api/reset-auth`).
    /// Off is only for the moto bug with percent-escaped paths (docs/moto.md); say so where you use it.
    public func setSignatureVerification(_ enabled: Bool) throws {
        try control("/moto-api/reset-auth", body: enabled ? "0" : "inf")
    }

    @discardableResult
    func control(_ path: String, body: String = "") throws -> Data {
        guard let url = URL(string: endpoint + path) else {
            throw TestSupportError.controlCallFailed(path: path, detail: "bad URL")
        }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let (status, data) = try Self.send(request)
        guard status == 200 else {
            throw TestSupportError.controlCallFailed(path: path, detail: "HTTP \(status): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    /// Sends an (already signed) request with URLSession, independent of privgw's own transport, and waits
    /// for the answer. URLSession sets `Host` itself, to the same value the signer signed.
    public static func send(_ request: HTTPRequest, timeout: TimeInterval = 30) throws -> HTTPResponse {
        guard let url = URL(string: request.urlString) else {
            throw TestSupportError.controlCallFailed(path: request.path, detail: "bad URL \(request.urlString)")
        }
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout)
        urlRequest.httpMethod = request.method
        for header in request.headers where header.name.lowercased() != "host" {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        let (status, body) = try send(urlRequest)
        return HTTPResponse(status: status, body: body)
    }

    private static func send(_ request: URLRequest) throws -> (status: Int, body: Data) {
        let done = DispatchSemaphore(value: 0)
        let result = ResponseBox()
        URLSession.shared.dataTask(with: request) { data, response, error in
            result.set(status: (response as? HTTPURLResponse)?.statusCode, data: data, error: error)
            done.signal()
        }.resume()
        done.wait()
        return try result.get()
    }

    // MARK: - Running privgw against this server

    /// Runs privgw with this server's `environment` over the test process's environment (minus
    /// `clearedEnvironmentKeys` and `AWS_ENDPOINT_URL_*`), plus `environment`.
    public func runPrivgw(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                          currentDirectory: URL? = nil, timeout: TimeInterval = 300) throws -> CommandResult {
        var env = ProcessInfo.processInfo.environment.filter {
            !Self.clearedEnvironmentKeys.contains($0.key) && !$0.key.hasPrefix("AWS_ENDPOINT_URL_")
        }
        env.merge(self.environment) { _, new in new }
        env.merge(environment) { _, new in new }
        return try CommandRunner.run(try Privgw.binary().path, arguments, environment: env, stdin: stdin,
                                     currentDirectory: currentDirectory, timeout: timeout)
    }

    /// Runs one of the python helpers in Tests/Support/python with this server's endpoint and keys.
    func runHelper(_ script: String, _ arguments: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        let path = TestPaths.pythonHelpers.appendingPathComponent(script).path
        let result = try CommandRunner.run(TestPaths.python, [path] + arguments, environment: env, timeout: 120)
        guard result.status == 0 else {
            throw TestSupportError.helperFailed(command: script, status: result.status, stderr: result.stderr)
        }
        return result.stdout
    }
}

/// The outcome of one URLSession task, handed from its completion handler to the waiting caller.
private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int?
    private var data: Data?
    private var error: Error?

    func set(status: Int?, data: Data?, error: Error?) {
        lock.withLock { (self.status, self.data, self.error) = (status, data, error) }
    }

    func get() throws -> (status: Int, body: Data) {
        try lock.withLock {
            if let error { throw error }
            return (status ?? 0, data ?? Data())
        }
    }
}
