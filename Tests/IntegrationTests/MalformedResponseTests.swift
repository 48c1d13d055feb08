// Malformed and truncated AWS answers (broken XML or JSON, a body cut in half, a proxy's HTML error page, an empty
// 200) produce a clear error naming the call, never a trap: the fault proxy garbles exactly one operation per run.
import Foundation
import TestSupport
import XCTest

final class MalformedResponseTests: XCTestCase {
    struct Case {
        var operation: String
        var kind: String
        var command: [String]
    }

    static let cases: [Case] = [
        // Read during planning, one per protocol: query (EC2 and ELBv2), JSON (ACM), REST-JSON, REST-XML.
        Case(operation: "ec2:DescribeVpcs", kind: "xml", command: ["plan"]),
        Case(operation: "elasticloadbalancing:DescribeLoadBalancers", kind: "empty", command: ["plan"]),
        Case(operation: "acm:ListCertificates", kind: "json", command: ["plan"]),
        Case(operation: "apigateway:GetRestApis", kind: "html", command: ["plan"]),
        Case(operation: "route53:GetHostedZone", kind: "truncated", command: ["status"]),
        // The answer to a create cut in half: the resource exists, privgw cannot know its id; the run stops and
        // the rollback finds it by name and tags and removes it.
        Case(operation: "elasticloadbalancing:CreateLoadBalancer", kind: "truncated", command: ["up", "--yes"]),
        Case(operation: "ec2:CreateVpcEndpoint", kind: "xml", command: ["up", "--yes"]),
    ]

    func testGarbledAnswersGiveAClearErrorAndExitOne() throws {
        let f = try StackFixture.make(stack: "garbled", recording: false)
        defer { f.stop() }
        for c in Self.cases {
            let proxy = try FaultProxy.start(in: f.moto, options: .init(garbage: ["\(c.operation):\(c.kind)"]))
            defer { proxy.stop() }
            let r = try f.run(c.command, environment: proxy.environment)
            let label = "\(c.operation) answered with \(c.kind) to `\(c.command.joined(separator: " "))`"
            XCTAssertEqual(r.status, 1, "\(label): \(r.description)")
            XCTAssertGreaterThan(try proxy.summary().garbage, 0, "\(label): the proxy garbled nothing")
            for crash in ["Fatal error", "Swift runtime failure", "Illegal instruction", "Segmentation fault", "Stack dump",
                          "Current stack trace"] {
                XCTAssertFalse(r.stderr.contains(crash) || r.stdout.contains(crash), "\(label): \(crash)\n\(r.stderr)")
            }
            let errorLine = r.stderr.split(separator: "\n").first { $0.hasPrefix("error: ") }
            XCTAssertNotNil(errorLine, "\(label): an `error:` line\n\(r.stderr)")
            let operation = String(c.operation.split(separator: ":")[1])
            XCTAssertTrue(r.stderr.contains(operation), "\(label): the call is named\n\(r.stderr)")
            XCTAssertNotNil(r.stderr.range(of: #"[Mm]alformed|cannot read|not valid|without an AWS error document|BadGateway|truncated|unexpected end"#,
                                           options: .regularExpression), "\(label): says the answer was unreadable\n\(r.stderr)")
            XCTAssertLessThan(r.stderr.count, 4000, "\(label): short and readable\n\(r.stderr)")
            if c.command.first == "up" {
                XCTAssertEqual(try f.moto.snapshot().tagged(stack: f.stack), [], "\(label): rolled back, nothing left")
            }
        }
    }
}
