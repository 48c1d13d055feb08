// Shared helpers for the API Gateway, Route 53 and ACM client tests: a canned-response transport for request/parse
// unit tests, and an AWSClient pointed at a moto harness for the integration tests.
import AWSCore
import Foundation
import TestSupport
import XCTest

/// Answers each request with the next canned response and remembers the requests, so unit tests can check what
/// the client sent (method, path escaping, query, body) and how it reads an answer, without a server.
final class GatewayDNSCertStubTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [HTTPResponse]
    private(set) var requests: [HTTPRequest] = []

    init(_ responses: [HTTPResponse]) { self.responses = responses }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        lock.withLock {
            requests.append(request)
            return responses.isEmpty ? HTTPResponse(status: 500, body: Data("no canned response left".utf8))
                : responses.removeFirst()
        }
    }

    var last: HTTPRequest? { lock.withLock { requests.last } }
    var sent: [HTTPRequest] { lock.withLock { requests } }
}

enum GatewayDNSCertTestKit {
    static let region = "us-east-1"

    /// A client over canned answers (`json` bodies as text); no retries so a 5xx in a test is seen at once.
    static func stubbed(_ bodies: [(Int, String)]) -> (AWSClient, GatewayDNSCertStubTransport) {
        let transport = GatewayDNSCertStubTransport(bodies.map { HTTPResponse(status: $0.0, body: Data($0.1.utf8)) })
        let config = AWSConfiguration(region: region,
                                      credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIDEXAMPLE",
                                                                                        secretAccessKey: "secret")),
                                      endpoints: EndpointResolver(region: region), retry: RetryPolicy(maxAttempts: 1))
        return (AWSClient(configuration: config, transport: transport, sleeper: { _ in }), transport)
    }

    /// The real stack (signer, curl transport, retry) against a moto harness.
    /// `secretAccessKey` overrides the harness's secret (to prove that a wrong signature is refused).
    static func client(for moto: MotoServer, retry: RetryPolicy = RetryPolicy(),
                       secretAccessKey: String? = nil) -> AWSClient {
        AWSClient(configuration: AWSConfiguration(
            region: moto.region,
            credentials: StaticCredentialProvider(Credentials(accessKeyId: moto.accessKeyId,
                                                              secretAccessKey: secretAccessKey ?? moto.secretAccessKey)),
            endpoints: EndpointResolver(region: moto.region, commandLineURL: moto.endpoint), retry: retry))
    }

    /// Switches moto's signature checking off (`inf` unchecked calls) or back on (`0`) through
    /// `POST /moto-api/reset-auth`, only around the calls moto cannot verify (percent-escaped paths: moto
    /// canonicalises the decoded path). Sent with `Content-Type: text/plain` because moto reads the raw body, which
    /// Flask leaves empty for a form-typed body (URLSession's default for a POST body without a type).
    static func setSignatureVerification(_ moto: MotoServer, _ enabled: Bool) throws {
        let request = HTTPRequest(method: "POST", scheme: "http", host: "127.0.0.1:\(moto.port)", path: "/moto-api/reset-auth",
                                  headers: [("Content-Type", "text/plain")], body: Data((enabled ? "0" : "inf").utf8))
        let response = try MotoServer.send(request)
        guard response.status == 200 else {
            throw AWSError(kind: .service, code: "ResetAuthFailed",
                           message: "moto reset-auth answered \(response.status): \(response.bodyText.prefix(200))")
        }
    }

    /// Runs `body` with signature checking off, and turns it back on whatever happens.
    static func withoutSignatureVerification<T>(_ moto: MotoServer, _ body: () async throws -> T) async throws -> T {
        try setSignatureVerification(moto, false)
        do {
            let value = try await body()
            try setSignatureVerification(moto, true)
            return value
        } catch {
            try setSignatureVerification(moto, true)
            throw error
        }
    }

    /// moto refuses a bad signature with an XML error document even for the JSON protocols, which AWSCore's JSON
    /// error parsing does not read (code `Forbidden`, the document in the message); Route 53 gets the real code.
    static func isSignatureRefusal(_ e: AWSError) -> Bool {
        e.httpStatus == 403 && (e.code == "SignatureDoesNotMatch" || e.message.contains("SignatureDoesNotMatch"))
    }

    static func bodyJSON(_ request: HTTPRequest?) throws -> JSONValue {
        try JSONValue.parse(request?.body ?? Data())
    }

    static func bodyText(_ request: HTTPRequest?) -> String {
        String(decoding: request?.body ?? Data(), as: UTF8.self)
    }
}

extension GatewayDNSCertTestKit {
    /// Asserts that `body` throws an AWSError and hands it to `check`.
    static func expectError<T>(_ body: @autoclosure () async throws -> T, file: StaticString = #filePath,
                               line: UInt = #line, _ check: (AWSError) -> Void = { _ in }) async {
        do {
            _ = try await body()
            XCTFail("expected an AWSError, the call succeeded", file: file, line: line)
        } catch let error as AWSError {
            check(error)
        } catch {
            XCTFail("expected an AWSError, got \(type(of: error)): \(error)", file: file, line: line)
        }
    }
}
