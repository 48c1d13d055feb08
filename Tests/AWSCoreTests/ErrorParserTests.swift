// Each protocol's error document becomes one AWSError with code, message and request id; junk never traps.
import Foundation
import XCTest
@testable import AWSCore

final class ErrorParserTests: XCTestCase {
    func parse(_ status: Int, _ body: String, _ wire: WireProtocol, headers: [(name: String, value: String)] = []) -> AWSError {
        AWSErrorParser.parse(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)), protocol: wire,
                             service: "svc", operation: "Op")
    }

    func testEC2ErrorDocument() {
        let e = parse(400, """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>InvalidVpcEndpointId.NotFound</Code><Message>The Vpc Endpoint Id 'vpce-1' does not exist</Message></Error></Errors><RequestID>59dbff89-35bd</RequestID></Response>
        """, .ec2)
        XCTAssertEqual(e.code, "InvalidVpcEndpointId.NotFound")
        XCTAssertEqual(e.message, "The Vpc Endpoint Id 'vpce-1' does not exist")
        XCTAssertEqual(e.requestId, "59dbff89-35bd")
        XCTAssertEqual(e.httpStatus, 400)
        XCTAssertTrue(e.isNotFound)
    }

    func testQueryErrorDocument() {
        let e = parse(400, """
        <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error><RequestId>abc-123</RequestId></ErrorResponse>
        """, .query)
        XCTAssertEqual(e.code, "TargetGroupNotFound")
        XCTAssertEqual(e.requestId, "abc-123")
        XCTAssertTrue(e.isNotFound)
    }

    func testRestXMLErrorDocumentWithHeaderRequestId() {
        let e = parse(404, """
        <?xml version="1.0"?>
        <ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z1</Message></Error><RequestId>r53-req</RequestId></ErrorResponse>
        """, .restXML, headers: [("x-amzn-RequestId", "hdr-req")])
        XCTAssertEqual(e.code, "NoSuchHostedZone")
        XCTAssertEqual(e.requestId, "hdr-req")
        XCTAssertTrue(e.isNotFound)
    }

    func testRestJSONErrorTypeHeaderWithSuffix() {
        let e = parse(404, "{\"message\":\"Invalid API identifier specified\"}", .restJSON,
                      headers: [("x-amzn-ErrorType", "NotFoundException:http://internal.amazon.com/coral/com.amazonaws.backplane/")])
        XCTAssertEqual(e.code, "NotFoundException")
        XCTAssertEqual(e.message, "Invalid API identifier specified")
    }

    func testJSON11TypeWithNamespace() {
        let e = parse(400, "{\"__type\":\"com.amazonaws.certificatemanager#ResourceNotFoundException\",\"message\":\"gone\"}", .json)
        XCTAssertEqual(e.code, "ResourceNotFoundException")
        XCTAssertEqual(e.message, "gone")
    }

    func testHTMLPageFromAProxyIsAClearErrorNotATrap() {
        let e = parse(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", .restJSON)
        XCTAssertEqual(e.code, "BadGateway")
        XCTAssertEqual(e.kind, .malformedResponse)
        XCTAssertTrue(e.message.contains("502 Bad Gateway"))
        XCTAssertEqual(RetryClassifier.classify(e), .retryIfIdempotent)
    }

    func testTruncatedAndEmptyBodies() {
        XCTAssertEqual(parse(400, "<Response><Errors><Error><Code>Inval", .ec2).code, "BadRequest")
        XCTAssertEqual(parse(503, "", .query).code, "ServiceUnavailable")
        XCTAssertEqual(parse(500, "{\"__type\":", .json).code, "InternalError")
    }

    func testAccessDeniedCarriesAHint() {
        let e = parse(403, "{\"__type\":\"AccessDeniedException\",\"message\":\"User is not authorized to perform: acm:RequestCertificate\"}", .json)
        XCTAssertNotNil(e.hint)
        XCTAssertTrue(e.description.contains("acm:RequestCertificate"))
        XCTAssertTrue(e.description.contains("iam-policy"))
    }

    func testMalformedSuccessBodiesThrowClearErrors() {
        XCTAssertThrowsError(try XMLTree.parse(Data("<a><b></a>".utf8))) { err in
            XCTAssertEqual((err as? AWSError)?.code, "MalformedXML")
        }
        XCTAssertThrowsError(try JSONValue.parse(Data("{\"a\":".utf8))) { err in
            XCTAssertEqual((err as? AWSError)?.code, "MalformedJSON")
        }
        XCTAssertEqual(try JSONValue.parse(Data()), .object([:]))
    }
}

final class ErrorParserFallbackTests: XCTestCase {
    func testXMLErrorFromAJSONServiceIsRead() {
        let e = AWSErrorParser.parse(HTTPResponse(status: 403, body: Data("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error><RequestId>r1</RequestId></ErrorResponse>".utf8)),
                                     protocol: .json, service: "acm", operation: "ListCertificates")
        XCTAssertEqual(e.code, "SignatureDoesNotMatch")
        XCTAssertEqual(e.message, "bad sig")
        XCTAssertEqual(e.requestId, "r1")
    }

    func testHTML404IsNotANotFoundOfTheResource() {
        let e = AWSErrorParser.parse(HTTPResponse(status: 404, body: Data("<!doctype html><title>404 Not Found</title>".utf8)),
                                     protocol: .restJSON, service: "apigateway", operation: "GetTags")
        XCTAssertEqual(e.kind, .malformedResponse)
        XCTAssertFalse(e.isNotFound, "an unrouted URL must not read as 'already deleted'")
    }
}
