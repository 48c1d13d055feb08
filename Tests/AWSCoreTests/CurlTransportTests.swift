// The libcurl transport against real local sockets: bodies, statuses, methods, refused and hung connections.
import Foundation
import XCTest
@testable import AWSCore

final class CurlTransportTests: XCTestCase {
    /// A tiny python HTTP server on 127.0.0.1 that echoes method, path and body, and hangs on /hang.
    final class EchoServer {
        let process = Process()
        let port: Int
        init() throws {
            let script = """
            import http.server, json, sys, time, socketserver
            class H(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def handle_any(self):
                    if self.path.startswith("/hang"):
                        time.sleep(5)
                    n = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(n).decode()
                    out = json.dumps({"method": self.command, "path": self.path, "body": body,
                                      "conn": self.client_address[1],
                                      "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
                    self.send_response(404 if self.path.startswith("/missing") else 200)
                    self.send_header("Content-Length", str(len(out)))
                    self.send_header("x-amzn-RequestId", "rid-1")
                    self.end_headers()
                    self.wfile.write(out)
                do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any
                def log_message(self, *a): pass
            class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
                daemon_threads = True
            s = S(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
            let out = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script]
            process.standardOutput = out
            try process.run()
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            guard let p = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                process.terminate()
                throw NSError(domain: "EchoServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "no port: \(line)"])
            }
            port = p
        }
        func stop() {
            // SIGKILL: a child may inherit an ignored SIGTERM from the test runner.
            kill(process.processIdentifier, SIGKILL)
            for _ in 0..<200 where process.isRunning { usleep(10_000) }
        }
    }

    func testMethodsBodiesHeadersAndStatus() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let t = CurlTransport()
        var req = HTTPRequest(method: "PUT", scheme: "http", host: "127.0.0.1:\(server.port)", path: "/a%20b",
                              query: [QueryItem("k", "v w")], body: Data("hello".utf8))
        req.setHeader("X-Test", "1")
        let r = try await t.send(req, timeout: 5)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("x-amzn-requestid"), "rid-1")
        let json = try JSONValue.parse(r.body)
        XCTAssertEqual(json["method"]?.string, "PUT")
        XCTAssertEqual(json["path"]?.string, "/a%20b?k=v%20w")
        XCTAssertEqual(json["body"]?.string, "hello")
        XCTAssertEqual(json["headers"]?["x-test"]?.string, "1")
        XCTAssertNil(json["headers"]?["expect"], "no Expect: 100-continue")

        let del = try await t.send(HTTPRequest(method: "DELETE", scheme: "http", host: "127.0.0.1:\(server.port)", path: "/missing"), timeout: 5)
        XCTAssertEqual(del.status, 404)
        XCTAssertEqual(try JSONValue.parse(del.body)["method"]?.string, "DELETE")
    }

    func testConnectionIsReusedAcrossSequentialCalls() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let t = CurlTransport()
        var ports: Set<Int> = []
        for _ in 0..<3 {
            let r = try await t.send(HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1:\(server.port)", path: "/"), timeout: 5)
            ports.insert(try JSONValue.parse(r.body)["conn"]?.int ?? -1)
        }
        XCTAssertEqual(ports.count, 1, "three calls should share one TCP connection (same client port)")
    }

    func testConcurrentCallsDoNotShareAHandle() async throws {
        let server = try EchoServer()
        defer { server.stop() }
        let t = CurlTransport()
        let port = server.port
        try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<16 {
                group.addTask {
                    let r = try await t.send(HTTPRequest(method: "POST", scheme: "http", host: "127.0.0.1:\(port)",
                                                         path: "/\(i)", body: Data("b\(i)".utf8)), timeout: 5)
                    return try JSONValue.parse(r.body)["body"]?.string
                }
            }
            var bodies: Set<String> = []
            for try await b in group { bodies.insert(b ?? "") }
            XCTAssertEqual(bodies, Set((0..<16).map { "b\($0)" }))
        }
    }

    func testRefusedConnectionIsNeverSentAndTimeoutIsAmbiguous() async throws {
        let t = CurlTransport()
        do {
            _ = try await t.send(HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1:1", path: "/"), timeout: 2)
            XCTFail("expected a connection error")
        } catch let e as AWSError {
            XCTAssertEqual(e.code, TransportErrorCode.connectFailed)
            XCTAssertEqual(RetryClassifier.classify(e), .retrySafe)
        }
        let server = try EchoServer()
        defer { server.stop() }
        do {
            _ = try await t.send(HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1:\(server.port)", path: "/hang"), timeout: 0.5)
            XCTFail("expected a timeout")
        } catch let e as AWSError {
            XCTAssertEqual(e.code, TransportErrorCode.timeout)
            XCTAssertEqual(RetryClassifier.classify(e), .retryIfIdempotent)
        }
    }
}
