// AccessDenied and UnauthorizedOperation name the IAM action to grant, in the hint the CLI shows as `fix:`.
import AWSCore
import XCTest

final class AccessDeniedHintTests: XCTestCase {
    func parse(_ status: Int, _ body: String, _ wire: WireProtocol, service: String, operation: String, method: String,
               headers: [(name: String, value: String)] = []) -> AWSError {
        AWSErrorParser.parse(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)), protocol: wire,
                             service: service, operation: operation, method: method)
    }

    func testEC2WithoutTheActionInTheMessageDerivesIt() {
        // EC2's older message does not say which action was refused.
        let e = parse(403, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. Encoded authorization failure message: xyz</Message></Error></Errors><RequestID>r-1</RequestID></Response>",
                      .ec2, service: "ec2", operation: "CreateVpcEndpoint", method: "POST")
        XCTAssertTrue(e.hint?.contains("IAM action ec2:CreateVpcEndpoint") ?? false, e.hint ?? "nil")
        XCTAssertEqual(e.requestId, "r-1")
    }

    func testTheActionAWSNamesWins() {
        let e = parse(403, #"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::1:user/u is not authorized to perform: acm:RequestCertificate on resource: *"}"#,
                      .json, service: "acm", operation: "RequestCertificate", method: "POST")
        XCTAssertTrue(e.hint?.contains("IAM action acm:RequestCertificate:") ?? false, e.hint ?? "nil")
    }

    func testAPIGatewayActionsAreHTTPVerbs() {
        let e = parse(403, #"{"message":"forbidden"}"#, .restJSON, service: "apigateway", operation: "CreateRestApi", method: "POST",
                      headers: [("x-amzn-ErrorType", "AccessDeniedException")])
        XCTAssertTrue(e.hint?.contains("IAM action apigateway:POST") ?? false, e.hint ?? "nil")
        XCTAssertEqual(AWSErrorParser.iamAction(service: "elasticloadbalancing", operation: "CreateListener", method: "POST"),
                       "elasticloadbalancing:CreateListener")
    }

    func testOtherErrorsKeepTheirHints() {
        let e = parse(400, "<ErrorResponse><Error><Code>ValidationError</Code><Message>bad</Message></Error></ErrorResponse>",
                      .query, service: "elasticloadbalancing", operation: "CreateListener", method: "POST")
        XCTAssertNil(e.hint)
    }
}
