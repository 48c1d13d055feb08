// `--output json`: every document parses and has the keys docs/output-schema.md promises.
import AWSCore
import Foundation
import XCTest
@testable import PrivGW

final class CLIJSONRendererTests: XCTestCase {
    func object(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(value as? [String: Any], "not a JSON object: \(text)", file: file, line: line)
    }

    func testPlanDocument() throws {
        let doc = try object(JSONRenderer.plan(CLIFixtures.plan))
        XCTAssertEqual(doc["schemaVersion"] as? Int, 1)
        XCTAssertEqual(doc["command"] as? String, "plan")
        XCTAssertEqual(doc["stack"] as? String, "orders")
        XCTAssertEqual(doc["destroy"] as? Bool, false)
        let steps = try XCTUnwrap(doc["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["step"] as? String }, CLIFixtures.plan.steps.map(\.step), "execution order")
        for s in steps {
            XCTAssertEqual(Set(s.keys), ["step", "kind", "action", "resourceId", "detail", "deferred", "dependsOn"], "stable key set")
        }
        XCTAssertTrue(steps[1]["resourceId"] is NSNull, "unknown ids are null, not missing")
        XCTAssertEqual(steps[2]["action"] as? String, "change")
        let summary = try XCTUnwrap(doc["summary"] as? [String: Int])
        XCTAssertEqual(summary, ["create": 2, "change": 1, "delete": 0, "keep": 3])
        XCTAssertEqual(doc["warnings"] as? [String], ["the previous run did not finish"])

        let destroy = try object(JSONRenderer.plan(Plan(command: .down, stack: "orders", steps: [])))
        XCTAssertEqual(destroy["destroy"] as? Bool, true)
    }

    func testUpDocumentWithOutputs() throws {
        let result = CLIFixtures.result(status: .succeeded)
        let outputs = StackOutputs(spec: CLIFixtures.spec, records: StackOutputs.records(of: result))
        let doc = try object(JSONRenderer.run(result, outputs: outputs))
        XCTAssertEqual(doc["schemaVersion"] as? Int, 1)
        XCTAssertEqual(doc["command"] as? String, "up")
        XCTAssertEqual(doc["stack"] as? String, "orders")
        XCTAssertEqual(doc["status"] as? String, "succeeded")
        XCTAssertNil(doc["error"], "no error key on success")
        let steps = try XCTUnwrap(doc["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 4)
        let alb = try XCTUnwrap(steps.first { $0["step"] as? String == "alb" })
        XCTAssertEqual(alb["kind"] as? String, "load balancer")
        XCTAssertEqual(alb["action"] as? String, "create")
        XCTAssertEqual(alb["status"] as? String, "succeeded")
        XCTAssertEqual(alb["resourceId"] as? String, CLIFixtures.lbArn)
        XCTAssertEqual(alb["durationSeconds"] as? Double, 3.2)
        let out = try XCTUnwrap(doc["outputs"] as? [String: Any])
        XCTAssertEqual(out["domains"] as? [String], ["api.example.com"])
        XCTAssertEqual(out["loadBalancerDNS"] as? String, "internal-privgw-orders-1.eu-west-1.elb.amazonaws.com")
        XCTAssertEqual(out["vpcEndpoint"] as? String, "vpce-0123")
        XCTAssertEqual(out["curl"] as? String, "curl https://api.example.com/hello")
    }

    func testFailedUpDocumentCarriesTheError() throws {
        let doc = try object(JSONRenderer.run(CLIFixtures.result(status: .failed, error: CLIFixtures.awsFailure), outputs: nil))
        XCTAssertEqual(doc["status"] as? String, "failed")
        let error = try XCTUnwrap(doc["error"] as? [String: Any])
        XCTAssertEqual(error["step"] as? String, "alb")
        XCTAssertEqual(error["code"] as? String, "TooManyLoadBalancers")
        XCTAssertEqual(error["requestId"] as? String, "req-42")
        XCTAssertEqual(error["hint"] as? String, "ask for a higher quota")
        XCTAssertTrue((error["message"] as? String ?? "").contains("quota reached"))
        let steps = try XCTUnwrap(doc["steps"] as? [[String: Any]])
        let alb = try XCTUnwrap(steps.first { $0["step"] as? String == "alb" })
        XCTAssertEqual((alb["error"] as? [String: Any])?["code"] as? String, "TooManyLoadBalancers")
        XCTAssertEqual(steps.last?["status"] as? String, "not-started")
    }

    func testDownDocumentHasNoOutputs() throws {
        let doc = try object(JSONRenderer.run(CLIFixtures.result(command: .down, status: .succeeded), outputs: nil))
        XCTAssertEqual(doc["command"] as? String, "down")
        XCTAssertNil(doc["outputs"])
        let steps = try XCTUnwrap(doc["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.first?["resourceId"] as? String, CLIFixtures.lbArn, "a deleted resource is named from the plan")
        XCTAssertEqual((doc["remaining"] as? [Any])?.count, 0)
    }

    func testStatusDocumentIsTheReportPlusSchemaVersion() throws {
        let report = CLIFixtures.report
        let doc = try object(JSONRenderer.status(report))
        XCTAssertEqual(doc["schemaVersion"] as? Int, 1)
        XCTAssertEqual(doc["command"] as? String, "status")
        XCTAssertEqual(doc["verdict"] as? String, "degraded")
        XCTAssertEqual(doc["stack"] as? String, "orders")
        let resources = try XCTUnwrap(doc["resources"] as? [[String: Any]])
        XCTAssertEqual(resources.first?["owned"] as? Bool, true, "booleans stay booleans")
        // Everything StatusReport encodes is there, so the report decodes back from the document.
        let decoded = try JSONDecoder().decode(StatusReport.self, from: Data(JSONRenderer.status(report).utf8))
        XCTAssertEqual(decoded, report)
        XCTAssertFalse(JSONRenderer.status(report, pretty: false).contains("\n"), "--watch: one line per refresh")
    }

    func testErrorDocuments() throws {
        let spec = SpecError(file: "privgw.yaml", diagnostics: [SpecDiagnostic(field: "subnett", line: 7, message: "unknown key", fix: "rename it")])
        let doc = try object(JSONRenderer.error(spec, command: "plan"))
        XCTAssertEqual(doc["schemaVersion"] as? Int, 1)
        XCTAssertEqual(doc["command"] as? String, "plan")
        XCTAssertEqual(doc["exitCode"] as? Int, 2)
        let error = try XCTUnwrap(doc["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "SpecError")
        let diagnostics = try XCTUnwrap(error["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(diagnostics.first?["line"] as? Int, 7)

        let interrupted = try object(JSONRenderer.error(CancellationError(), command: "up"))
        XCTAssertEqual(interrupted["exitCode"] as? Int, 130)
        XCTAssertEqual((interrupted["error"] as? [String: Any])?["code"] as? String, "Interrupted")
    }

    func testProgressEventsAreSingleJSONLines() throws {
        let events: [ProgressEvent] = [
            .runStarted(command: .up, stack: "orders", runId: "r1"),
            .stepStarted(step: "alb", action: .create, phase: .apply),
            .waiting(step: "alb", message: "load balancer provisioning", elapsed: 12.3456),
            .stepFinished(step: "alb", action: .create, phase: .apply, duration: 3.2, record: nil),
            .stepFailed(step: "alb", action: .create, phase: .apply, error: CLIFixtures.awsFailure),
            .rollbackStarted(steps: ["alb"]),
            .warning(step: nil, message: "careful"),
            .runFinished(command: .up, status: .rolledBack),
        ]
        for e in events {
            let line = JSONRenderer.progressLine(e)
            XCTAssertFalse(line.contains("\n"), line)
            XCTAssertNotNil(try object(line)["event"] as? String, line)
        }
        XCTAssertEqual(try object(JSONRenderer.progressLine(events[2]))["elapsedSeconds"] as? Double, 12.346)
    }
}
