// Proves the standard retry mode: what is retried, how often, and that ambiguous failures of non-idempotent calls are not.
import Foundation
import XCTest
@testable import AWSCore

/// A transport that answers from a script and counts what it was asked.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<HTTPResponse, AWSError>]
    private(set) var requests: [HTTPRequest] = []

    init(_ script: [Result<HTTPResponse, AWSError>]) { self.script = script }

    var count: Int { lock.lock(); defer { lock.unlock() }; return requests.count }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        let next: Result<HTTPResponse, AWSError> = {
            lock.lock(); defer { lock.unlock() }
            requests.append(request)
            return script.isEmpty ? .success(HTTPResponse(status: 200, body: Data("{}".utf8))) : script.removeFirst()
        }()
        return try next.get()
    }
}

func jsonError(_ status: Int, _ code: String, _ message: String = "m") -> Result<HTTPResponse, AWSError> {
    .success(HTTPResponse(status: status, headers: [("x-amzn-RequestId", "req-\(code)")],
                          body: Data("{\"__type\":\"\(code)\",\"message\":\"\(message)\"}".utf8)))
}

func ok(_ body: String = "{}") -> Result<HTTPResponse, AWSError> { .success(HTTPResponse(status: 200, body: Data(body.utf8))) }

final class RetryTests: XCTestCase {
    final class Sleeps: @unchecked Sendable {
        let lock = NSLock()
        var values: [TimeInterval] = []
        func add(_ v: TimeInterval) { lock.lock(); values.append(v); lock.unlock() }
    }

    func makeClient(_ transport: ScriptedTransport, maxAttempts: Int = 3, sleeps: Sleeps = Sleeps()) -> AWSClient {
        let config = AWSConfiguration(region: "eu-west-1",
                                      credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")),
                                      retry: RetryPolicy(mode: .standard, maxAttempts: maxAttempts))
        return AWSClient(configuration: config, transport: transport, sleeper: { sleeps.add($0) })
    }

    func testThrottlingIsRetriedEvenForNonIdempotentCalls() async throws {
        let t = ScriptedTransport([jsonError(400, "ThrottlingException"), ok("{\"CertificateArn\":\"arn\"}")])
        let sleeps = Sleeps()
        let c = makeClient(t, sleeps: sleeps)
        let out = try await c.json(.acm, "RequestCertificate", [:], idempotent: false, mutating: true)
        XCTAssertEqual(out["CertificateArn"]?.string, "arn")
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(sleeps.values.count, 1)
        XCTAssertLessThanOrEqual(sleeps.values[0], 1.0, "first back-off is full jitter over 1 s")
        XCTAssertEqual(c.statistics.retries, 1)
    }

    func testServerErrorIsNotRetriedForNonIdempotentCall() async {
        let t = ScriptedTransport([jsonError(500, "InternalFailure")])
        let c = makeClient(t)
        do {
            _ = try await c.json(.acm, "RequestCertificate", [:], idempotent: false, mutating: true)
            XCTFail("expected an error")
        } catch let e as AWSError {
            XCTAssertEqual(e.code, "InternalFailure")
            XCTAssertEqual(e.requestId, "req-InternalFailure")
            XCTAssertEqual(e.operation, "RequestCertificate")
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(t.count, 1)
    }

    func testServerErrorIsRetriedUpToMaxAttemptsForIdempotentCall() async {
        let t = ScriptedTransport([jsonError(503, "ServiceUnavailable"), jsonError(503, "ServiceUnavailable"),
                                   jsonError(503, "ServiceUnavailable"), ok()])
        let c = makeClient(t, maxAttempts: 3)
        do {
            _ = try await c.json(.acm, "DescribeCertificate", [:], idempotent: true, mutating: false)
            XCTFail("expected an error after 3 attempts")
        } catch let e as AWSError {
            XCTAssertEqual(e.code, "ServiceUnavailable")
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(t.count, 3)
    }

    func testResetConnectionRetriedOnlyWhenIdempotent() async throws {
        let reset = AWSError(kind: .transport, code: TransportErrorCode.connectionReset, message: "reset")
        let t1 = ScriptedTransport([.failure(reset), ok()])
        _ = try await makeClient(t1).json(.acm, "DescribeCertificate", [:], idempotent: true, mutating: false)
        XCTAssertEqual(t1.count, 2)

        let t2 = ScriptedTransport([.failure(reset), ok()])
        do {
            _ = try await makeClient(t2).json(.acm, "RequestCertificate", [:], idempotent: false, mutating: true)
            XCTFail("a reset connection is ambiguous: a call without a token must not be repeated")
        } catch let e as AWSError {
            XCTAssertEqual(e.code, TransportErrorCode.connectionReset)
        }
        XCTAssertEqual(t2.count, 1)

        // A connection that never opened cannot have reached AWS: safe to retry anything.
        let refused = AWSError(kind: .transport, code: TransportErrorCode.connectFailed, message: "refused")
        let t3 = ScriptedTransport([.failure(refused), ok()])
        _ = try await makeClient(t3).json(.acm, "RequestCertificate", [:], idempotent: false, mutating: true)
        XCTAssertEqual(t3.count, 2)
    }

    func testValidationErrorIsNotRetried() async {
        let t = ScriptedTransport([jsonError(400, "ValidationException", "bad domain")])
        do {
            _ = try await makeClient(t).json(.acm, "DescribeCertificate", [:], idempotent: true, mutating: false)
            XCTFail()
        } catch let e as AWSError {
            XCTAssertEqual(e.code, "ValidationException")
            XCTAssertEqual(e.message, "bad domain")
            XCTAssertEqual(e.httpStatus, 400)
        } catch { XCTFail("\(error)") }
        XCTAssertEqual(t.count, 1)
    }

    func testAPIGatewayQuotaLimitIsFinalButHTTP429IsThrottling() {
        let quota = AWSError(kind: .service, code: "LimitExceededException", message: "", httpStatus: 400)
        XCTAssertEqual(RetryClassifier.classify(quota), .doNotRetry)
        let throttle = AWSError(kind: .service, code: "TooManyRequestsException", message: "", httpStatus: 429)
        XCTAssertEqual(RetryClassifier.classify(throttle), .retrySafe)
    }

    func testBackoffIsCappedExponentialWithFullJitter() {
        let p = RetryPolicy(mode: .standard, maxAttempts: 10, maxBackoff: 20)
        XCTAssertEqual(p.backoff(afterAttempt: 1, random: 0.999), 0.999, accuracy: 1e-9)
        XCTAssertEqual(p.backoff(afterAttempt: 3, random: 0.5), 2.0, accuracy: 1e-9)
        XCTAssertEqual(p.backoff(afterAttempt: 10, random: 0.9), 20.0, accuracy: 1e-9)
        XCTAssertEqual(p.backoff(afterAttempt: 4, random: 0), 0)
        XCTAssertEqual(RetryPolicy(mode: .legacy).maxAttempts, 5)
        XCTAssertEqual(RetryPolicy(mode: .standard).maxAttempts, 3)
    }

    func testRetryQuotaRunsDryAndRefills() {
        let q = RetryQuota(tokens: 12)
        let throttle = AWSError(kind: .service, code: "Throttling", message: "")
        let c1 = q.acquire(for: throttle)
        XCTAssertEqual(c1, 5)
        XCTAssertEqual(q.acquire(for: throttle), 5)
        XCTAssertNil(q.acquire(for: throttle), "2 tokens left: no third retry")
        XCTAssertNil(q.acquire(for: AWSError(kind: .transport, code: TransportErrorCode.timeout, message: "")))
        q.release(c1)
        XCTAssertEqual(q.tokens, 7)
    }

    func testEveryRequestIsSignedWithContentHashAndNoSecretInHeaders() async throws {
        let t = ScriptedTransport([ok()])
        _ = try await makeClient(t).restJSON(.apiGateway, "GetRestApis", method: "GET", path: "/restapis",
                                             idempotent: true, mutating: false)
        let r = try XCTUnwrap(t.requests.first)
        XCTAssertTrue(r.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") ?? false)
        XCTAssertNotNil(r.header("x-amz-content-sha256"))
        XCTAssertEqual(r.host, "apigateway.eu-west-1.amazonaws.com")
        XCTAssertFalse(r.headers.contains { $0.value.contains("secret") })
        XCTAssertFalse(r.header("User-Agent")?.contains("region/") ?? true, "moto reads region/xx tokens from the User-Agent")
    }
}

final class ExpiredCredentialRetryTests: XCTestCase {
    /// Hands out a new key on every fetch, so the test can see which one signed each attempt.
    actor CountingProvider: CredentialProvider {
        var fetches = 0
        func credentials() async throws -> Credentials {
            fetches += 1
            return Credentials(accessKeyId: "ASIAFETCH\(fetches)", secretAccessKey: "s", sessionToken: "t",
                               expiration: Date().addingTimeInterval(3600))
        }
    }

    func testExpiredTokenRefetchesCredentialsAndRetriesOnce() async throws {
        let base = CountingProvider()
        let caching = CachingCredentialProvider(base)
        let t = ScriptedTransport([jsonError(400, "ExpiredTokenException"), ok()])
        let c = AWSClient(configuration: AWSConfiguration(region: "us-east-1", credentials: caching),
                          transport: t, sleeper: { _ in })
        _ = try await c.json(.acm, "ListCertificates", [:], idempotent: true, mutating: false)
        XCTAssertEqual(t.count, 2)
        let fetches = await base.fetches
        XCTAssertEqual(fetches, 2, "the retry must use freshly fetched credentials")
        XCTAssertTrue(t.requests[1].header("Authorization")?.contains("ASIAFETCH2") ?? false)
    }
}
