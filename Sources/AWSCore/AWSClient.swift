// The one place a request is resolved to an endpoint, signed, sent, retried and turned into a result or an AWSError.
import Foundation

/// Everything the stack needs to talk to AWS; built once per run (see `AWSConfigurationLoader`).
public struct AWSConfiguration: Sendable {
    public var region: String
    public var credentials: any CredentialProvider
    public var endpoints: EndpointResolver
    public var retry: RetryPolicy
    /// Total time allowed for one HTTP attempt.
    public var timeout: TimeInterval
    public var userAgent: String
    /// Receives one line per HTTP attempt at `-vv`; never given keys, tokens or signatures.
    public var debugLog: (@Sendable (String) -> Void)?

    public init(region: String, credentials: any CredentialProvider, endpoints: EndpointResolver? = nil,
                retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 60,
                userAgent: String = "privgw/\(AWSCoreVersion.string)", debugLog: (@Sendable (String) -> Void)? = nil) {
        self.region = region
        self.credentials = credentials
        self.endpoints = endpoints ?? EndpointResolver(region: region)
        self.retry = retry
        self.timeout = timeout
        self.userAgent = userAgent
        self.debugLog = debugLog
    }
}

public enum AWSCoreVersion {
    public static let string = "0.1.0"
}

/// One call as the service clients describe it, before endpoint resolution and signing.
public struct OperationRequest: Sendable {
    public var operation: String
    public var method: String
    /// Path relative to the endpoint, wire-encoded (use `URIEncoding.encode` for labels).
    public var path: String
    public var query: [QueryItem]
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// Safe to repeat after an ambiguous failure (reads, deletes, upserts, creates carrying an idempotency token).
    public var idempotent: Bool
    /// Changes state in AWS; counted separately in call statistics.
    public var mutating: Bool

    public init(operation: String, method: String = "POST", path: String = "/", query: [QueryItem] = [],
                headers: [(name: String, value: String)] = [], body: Data = Data(), idempotent: Bool, mutating: Bool) {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.idempotent = idempotent
        self.mutating = mutating
    }
}

/// Counts calls by service and operation, and retries; shown by `-v` and the benchmark.
public final class CallStatistics: @unchecked Sendable {
    public struct Entry: Sendable, Equatable {
        public var service: String
        public var operation: String
        public var mutating: Bool
        public var calls: Int
        public var attempts: Int
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init() {}

    func record(service: String, operation: String, mutating: Bool, attempts: Int) {
        lock.lock(); defer { lock.unlock() }
        let key = "\(service):\(operation)"
        var e = entries[key] ?? Entry(service: service, operation: operation, mutating: mutating, calls: 0, attempts: 0)
        e.calls += 1
        e.attempts += attempts
        entries[key] = e
    }

    public var snapshot: [Entry] {
        lock.lock(); defer { lock.unlock() }
        return entries.values.sorted { ($0.service, $0.operation) < ($1.service, $1.operation) }
    }

    public var mutatingCalls: Int { snapshot.filter(\.mutating).reduce(0) { $0 + $1.calls } }
    public var totalCalls: Int { snapshot.reduce(0) { $0 + $1.calls } }
    public var retries: Int { snapshot.reduce(0) { $0 + $1.attempts - $1.calls } }
}

public final class AWSClient: Sendable {
    public let configuration: AWSConfiguration
    public let transport: any HTTPTransport
    public let statistics = CallStatistics()
    let quota = RetryQuota()
    /// Sleeps between retries; replaceable so tests need not wait.
    let sleeper: @Sendable (TimeInterval) async throws -> Void

    public init(configuration: AWSConfiguration, transport: any HTTPTransport = CurlTransport(),
                sleeper: @escaping @Sendable (TimeInterval) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) }) {
        self.configuration = configuration
        self.transport = transport
        self.sleeper = sleeper
    }

    public var region: String { configuration.region }

    /// Sends one operation with signing and the standard retry mode; returns the successful HTTP response or throws
    /// the AWSError parsed from the last failed attempt.
    public func send(_ service: ServiceDescriptor, _ op: OperationRequest) async throws -> HTTPResponse {
        let endpoint = try configuration.endpoints.endpoint(for: service)
        var attempt = 0
        var refreshed = false
        var spent: Int? = nil
        while true {
            attempt += 1
            let credentials = try await configuration.credentials.credentials()
            var request = HTTPRequest(method: op.method, scheme: endpoint.scheme, host: endpoint.host,
                                      path: endpoint.basePath + op.path, query: op.query, headers: op.headers, body: op.body)
            request.setHeader("User-Agent", configuration.userAgent)
            request.sendAtMostOnce = !op.idempotent
            SigV4Signer(credentials: credentials, region: endpoint.signingRegion, service: service.signingName)
                .sign(&request)
            let started = Date()
            let error: AWSError
            do {
                let response = try await transport.send(request, timeout: configuration.timeout)
                log("\(op.method) \(service.signingName):\(op.operation) -> \(response.status) in \(ms(started)) ms"
                    + (requestId(response).map { " (request id \($0))" } ?? "") + (attempt > 1 ? " [attempt \(attempt)]" : ""))
                if (200..<300).contains(response.status) {
                    quota.release(spent)
                    statistics.record(service: service.signingName, operation: op.operation, mutating: op.mutating, attempts: attempt)
                    return response
                }
                error = AWSErrorParser.parse(response, protocol: service.wireProtocol, service: service.signingName,
                                             operation: op.operation, method: op.method)
            } catch let e as AWSError {
                log("\(op.method) \(service.signingName):\(op.operation) -> \(e.code) in \(ms(started)) ms")
                var e = e
                e.service = service.signingName
                e.operation = op.operation
                error = e
            }
            let decision = RetryClassifier.classify(error)
            let retry: Bool
            switch decision {
            case .doNotRetry: retry = false
            case .retrySafe: retry = true
            case .retryIfIdempotent: retry = op.idempotent
            case .refreshCredentials:
                retry = !refreshed
                refreshed = true
                // Make the next attempt fetch new credentials instead of the cached, expired ones.
                if retry, let caching = configuration.credentials as? CachingCredentialProvider { await caching.invalidate() }
            }
            if !retry || attempt >= configuration.retry.maxAttempts {
                statistics.record(service: service.signingName, operation: op.operation, mutating: op.mutating, attempts: attempt)
                throw error
            }
            if decision != .refreshCredentials {
                guard let cost = quota.acquire(for: error) else {
                    statistics.record(service: service.signingName, operation: op.operation, mutating: op.mutating, attempts: attempt)
                    throw error
                }
                spent = (spent ?? 0) + cost
                try await sleeper(configuration.retry.backoff(afterAttempt: attempt))
            }
        }
    }

    private func requestId(_ r: HTTPResponse) -> String? {
        r.header("x-amzn-RequestId") ?? r.header("x-amz-request-id") ?? r.header("x-amzn-requestid")
    }

    private func ms(_ since: Date) -> Int { Int(Date().timeIntervalSince(since) * 1000) }

    private func log(_ line: @autoclosure () -> String) {
        configuration.debugLog?(line())
    }
}
