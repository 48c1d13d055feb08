// Credentials, session tokens and signatures never show in what privgw prints (at -vv, where every HTTP call is
// logged) nor in what it leaves in its state directory (journal, lock), for a full up / status / down.
import AWSCore
import Foundation
import TestSupport
import XCTest

final class SecretsTests: XCTestCase {
    /// A recognizable session token: 40 characters no other output could contain by chance.
    static let sessionToken = "PRIVGWSESSIONTOKEN" + "Zq7Xv3Kp9Lm2Wn8Rt4Yb6Hd1"

    /// With session credentials (`AWS_SESSION_TOKEN`). moto 5.2.1 with signature verification rejects any session
    /// token it did not issue, and its own STS tokens do not verify either (GetSessionToken hands out its fixed example
    /// key; AssumeRole keys make the verifier fail with a 500); so this run uses a moto that does not check
    /// signatures, and the recording proves the token was really sent. The secret key and the signatures are the
    /// ones privgw computed, checked exactly as with verification on.
    func testNoSecretInOutputOrStateWithSessionCredentialsAtDoubleVerbose() throws {
        let f = try Self.fixture(verifySignatures: false)
        defer { f.stop() }
        try checkFullRun(f, environment: ["AWS_SESSION_TOKEN": Self.sessionToken], secrets: [
            "secret access key": f.moto.secretAccessKey, "session token": Self.sessionToken,
        ], expectToken: true)
    }

    /// With long-term keys and signature verification on: the secret key and every signature stay out.
    func testNoSecretInOutputOrStateWithVerifiedKeysAtDoubleVerbose() throws {
        let f = try Self.fixture(verifySignatures: true)
        defer { f.stop() }
        try checkFullRun(f, environment: [:], secrets: ["secret access key": f.moto.secretAccessKey], expectToken: false)
    }

    func checkFullRun(_ f: StackFixture, environment: [String: String], secrets: [String: String], expectToken: Bool) throws {
        var outputs: [(String, String)] = []
        for args in [["up", "--yes", "-vv"], ["status", "-vv"], ["status", "--output", "json", "-vv"], ["plan", "-vv"],
                     ["down", "--yes", "-vv"]] {
            let r = try f.run(args, environment: environment)
            XCTAssertTrue(r.status == 0 || (args[0] == "status" && r.status == 3), "\(args): \(r.description)")
            XCTAssertTrue(r.stderr.contains("debug: "), "\(args): -vv logs every HTTP call")
            outputs.append(("\(args.joined(separator: " ")) stdout", r.stdout))
            outputs.append(("\(args.joined(separator: " ")) stderr", r.stderr))
        }
        // What privgw left on disk: the journal, the lock, anything else under the fixture's directory.
        let fm = FileManager.default
        let stateDir = f.dir.appendingPathComponent("state")
        let files = (fm.enumerator(atPath: f.dir.path)?.allObjects as? [String] ?? []).map { f.dir.appendingPathComponent($0) }
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false }
        XCTAssertTrue(files.contains { $0.path.hasPrefix(stateDir.path) && $0.lastPathComponent.contains("journal") },
                      "the journal was written: \(files.map(\.path))")
        for file in files {
            outputs.append((file.path, (try? String(contentsOf: file, encoding: .utf8)) ?? ""))
        }

        // The signatures privgw sent, as moto recorded them; and the token, if any, really went out.
        let requests = try Self.recordedHeaders(f.moto)
        XCTAssertFalse(requests.isEmpty, "moto recorded the calls")
        var needles = secrets
        var signatures = 0, privgwCalls = 0
        for headers in requests {
            guard let auth = headers["authorization"], let r = auth.range(of: "Signature=") else { continue }
            signatures += 1
            needles["signature \(signatures)"] = String(auth[r.upperBound...].prefix { $0.isHexDigit })
            if expectToken, headers["user-agent"]?.hasPrefix("privgw/") ?? false {  // not the fixtures' boto3 calls
                privgwCalls += 1
                XCTAssertEqual(headers["x-amz-security-token"], Self.sessionToken, "the session token is sent and signed")
            }
        }
        XCTAssertGreaterThan(signatures, 20)
        if expectToken { XCTAssertGreaterThan(privgwCalls, 20, "privgw's calls were recorded") }
        needles["a signature"] = "Signature="
        needles["a credential scope with the key"] = "Credential=\(f.moto.accessKeyId)/"
        for (where_, text) in outputs {
            for (what, needle) in needles where !needle.isEmpty && text.contains(needle) {
                XCTFail("\(what) appears in \(where_)")
            }
            // Not even a long piece of the secret (e.g. a truncated or partly masked copy).
            for secret in secrets.values {
                let piece = String(secret.prefix(12))
                if text.contains(piece) { XCTFail("the start of a secret appears in \(where_)") }
            }
        }
    }

    // MARK: - helpers

    static func fixture(verifySignatures: Bool) throws -> StackFixture {
        let moto = try MotoServer.start(verifySignatures: verifySignatures, recording: true,
                                        environment: ["MOTO_ACM_VALIDATION_WAIT": "0"])
        let fixtures = try moto.createFixtures()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let spec = dir.appendingPathComponent("privgw.yaml")
        try """
        name: secrets
        region: \(fixtures.region)
        design: alb
        domain: api.example.com
        vpc: \(fixtures.vpcId)
        subnets: [\(fixtures.subnetIds.joined(separator: ", "))]
        certificate:
          validationZone: \(fixtures.publicZoneId)
        privateZone: \(fixtures.privateZoneId)
        api:
          id: demo
          stage: prod
        """.write(to: spec, atomically: true, encoding: .utf8)
        return StackFixture(moto: moto, fixtures: fixtures, dir: dir, spec: spec, stack: "secrets")
    }

    /// The request headers (names lower-cased) of every call moto recorded.
    static func recordedHeaders(_ moto: MotoServer) throws -> [[String: String]] {
        guard let url = moto.recordingURL else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line -> [String: String]? in
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let headers = json["headers"] as? [String: Any] else { return nil }
            var out: [String: String] = [:]
            for (k, v) in headers { out[k.lowercased()] = "\(v)" }
            return out
        }
    }
}
