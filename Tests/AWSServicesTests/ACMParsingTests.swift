// Unit tests of ACMClient over canned answers: JSON 1.1 targets and bodies, certificate detail parsing (including a
// validation option whose record AWS has not filled in yet), paging, and malformed answers.
import AWSCore
@testable import AWSServices
import XCTest

final class ACMParsingTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit

    func testRequestCertificateTargetBodyAndIdempotence() async throws {
        let (client, transport) = Kit.stubbed([(200, #"{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/d4"}"#)])
        let arn = try await ACMClient(client).requestCertificate(.init(
            domainName: "api.example.com", subjectAlternativeNames: ["api.example.com"], idempotencyToken: "tok1",
            tags: ["b": "2", "a": "1"]))
        XCTAssertEqual(arn, "arn:aws:acm:us-east-1:123456789012:certificate/d4")
        let request = try XCTUnwrap(transport.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/")
        XCTAssertEqual(request.header("X-Amz-Target"), "CertificateManager.RequestCertificate")
        XCTAssertEqual(try Kit.bodyJSON(request), [
            "DomainName": "api.example.com", "SubjectAlternativeNames": ["api.example.com"], "ValidationMethod": "DNS",
            "IdempotencyToken": "tok1", "Tags": [["Key": "a", "Value": "1"], ["Key": "b", "Value": "2"]],
        ])
    }

    func testDescribeCertificateWithAndWithoutValidationRecord() async throws {
        // Captured from moto 5.2.1, with the second option's record removed as AWS answers in the first seconds.
        let answer = #"""
        {"Certificate": {"CertificateArn": "arn:c", "DomainName": "api.corp.example.com", "InUseBy": ["arn:lb"],
         "NotAfter": 1827150474.0, "Status": "PENDING_VALIDATION", "SubjectAlternativeNames": ["x.corp.example.com", "api.corp.example.com"],
         "Type": "AMAZON_ISSUED", "DomainValidationOptions": [
           {"DomainName": "x.corp.example.com", "ValidationStatus": "PENDING_VALIDATION", "ValidationMethod": "DNS",
            "ResourceRecord": {"Name": "_d9.x.corp.example.com.", "Type": "CNAME", "Value": "_c9.acm-validations.aws."}},
           {"DomainName": "api.corp.example.com", "ValidationStatus": "PENDING_VALIDATION", "ValidationMethod": "DNS"}]}}
        """#
        let (client, transport) = Kit.stubbed([(200, answer)])
        let cert = try await ACMClient(client).describeCertificate(arn: "arn:c")
        XCTAssertEqual(transport.last?.header("X-Amz-Target"), "CertificateManager.DescribeCertificate")
        XCTAssertEqual(try Kit.bodyJSON(transport.last), ["CertificateArn": "arn:c"])
        XCTAssertEqual(cert.arn, "arn:c")
        XCTAssertEqual(cert.status, "PENDING_VALIDATION")
        XCTAssertFalse(cert.isIssued)
        XCTAssertEqual(cert.type, "AMAZON_ISSUED")
        XCTAssertEqual(cert.notAfter, Date(timeIntervalSince1970: 1827150474))
        XCTAssertEqual(cert.inUseBy, ["arn:lb"])
        XCTAssertEqual(cert.subjectAlternativeNames, ["x.corp.example.com", "api.corp.example.com"])
        XCTAssertEqual(cert.domainValidationOptions.count, 2)
        XCTAssertEqual(cert.domainValidationOptions[0].resourceRecord,
                       .init(name: "_d9.x.corp.example.com.", type: "CNAME", value: "_c9.acm-validations.aws."))
        XCTAssertNil(cert.domainValidationOptions[1].resourceRecord)
        XCTAssertNil(cert.validationRecords, "not all records are there yet")
    }

    func testMalformedAnswers() async throws {
        let (client, _) = Kit.stubbed([
            (200, #"{}"#),
            (200, #"{"Certificate": {"CertificateArn": "arn:c", "DomainName": "d", "Status": "ISSUED", "DomainValidationOptions": [{"DomainName": "d", "ResourceRecord": {"Name": "n", "Type": "CNAME"}}]}}"#),
            (200, #"{"CertificateArn": 5}"#),
        ])
        let acm = ACMClient(client)
        await Kit.expectError(try await acm.describeCertificate(arn: "arn:c")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertEqual(e.operation, "DescribeCertificate")
            XCTAssertTrue(e.message.contains("`Certificate`"), e.message)
        }
        await Kit.expectError(try await acm.describeCertificate(arn: "arn:c")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertTrue(e.message.contains("`Value`") && e.message.contains("DomainValidationOptions[0].ResourceRecord"),
                          e.message)
        }
        await Kit.expectError(try await acm.requestCertificate(.init(domainName: "d", idempotencyToken: nil))) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertEqual(e.operation, "RequestCertificate")
        }
    }

    func testListCertificatesPagesAndTags() async throws {
        let (client, transport) = Kit.stubbed([
            (200, #"{"CertificateSummaryList": [{"CertificateArn": "arn:1", "DomainName": "a", "Status": "ISSUED", "InUse": true}], "NextToken": "t2"}"#),
            (200, #"{"CertificateSummaryList": [{"CertificateArn": "arn:2", "DomainName": "b", "Status": "PENDING_VALIDATION"}]}"#),
            (200, #"{"Tags": [{"Key": "k", "Value": "v"}, {"Key": "novalue"}]}"#),
            (200, ""),
        ])
        let acm = ACMClient(client)
        let all = try await acm.listAllCertificates(statuses: ["ISSUED", "PENDING_VALIDATION"])
        XCTAssertEqual(all.map(\.arn), ["arn:1", "arn:2"])
        XCTAssertEqual(all[0].inUse, true)
        XCTAssertEqual(try Kit.bodyJSON(transport.sent[0]), ["CertificateStatuses": ["ISSUED", "PENDING_VALIDATION"]])
        XCTAssertEqual(try Kit.bodyJSON(transport.sent[1]),
                       ["CertificateStatuses": ["ISSUED", "PENDING_VALIDATION"], "NextToken": "t2"])
        let tags = try await acm.listTagsForCertificate(arn: "arn:1")
        XCTAssertEqual(tags, ["k": "v", "novalue": ""])
        try await acm.addTagsToCertificate(arn: "arn:1", tags: ["x": "y"])
        XCTAssertEqual(transport.last?.header("X-Amz-Target"), "CertificateManager.AddTagsToCertificate")
        XCTAssertEqual(try Kit.bodyJSON(transport.last), ["CertificateArn": "arn:1", "Tags": [["Key": "x", "Value": "y"]]])
    }

    func testResourceNotFoundIsNotFound() async throws {
        let (client, _) = Kit.stubbed([(400, #"{"__type": "ResourceNotFoundException", "message": "Certificate with arn arn:c not found"}"#)])
        await Kit.expectError(try await ACMClient(client).describeCertificate(arn: "arn:c")) { e in
            XCTAssertEqual(e.code, "ResourceNotFoundException")
            XCTAssertTrue(e.isNotFound)
        }
    }
}
