// Unit tests of Route53Client over canned answers (captured from moto 5.2.1): request documents, id prefixes,
// record parsing (alias vs. values), paging, and malformed answers.
import AWSCore
@testable import AWSServices
import XCTest

final class Route53ParsingTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit
    let ns = #"xmlns="https://route53.amazonaws.com/doc/2013-04-01/""#

    func testCreatePrivateHostedZoneDocumentAndAnswer() async throws {
        let answer = #"<?xml version="1.0" encoding="utf-8"?><CreateHostedZoneResponse \#(ns)><HostedZone><Id>/hostedzone/WOFXEVN1749CXI5YMVRH1E</Id><Name>corp.internal.</Name><CallerReference>ref1</CallerReference><Config><Comment>c</Comment><PrivateZone>true</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone><ChangeInfo><Id>/change/C1PA6795UKMFR9</Id><Status>INSYNC</Status><SubmittedAt>2026-11-25T13:47:53.898509Z</SubmittedAt></ChangeInfo><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-7f646908eabc41ead</VPCId></VPC></CreateHostedZoneResponse>"#
        let (client, transport) = Kit.stubbed([(201, answer)])
        let out = try await Route53Client(client).createHostedZone(.init(
            name: "corp.internal", callerReference: "ref1", vpc: .init(id: "vpc-7f646908eabc41ead", region: "us-east-1"),
            comment: "c & <d>"))
        let request = try XCTUnwrap(transport.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/2013-04-01/hostedzone")
        XCTAssertEqual(Kit.bodyText(request), #"<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest \#(ns)><Name>corp.internal</Name><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-7f646908eabc41ead</VPCId></VPC><CallerReference>ref1</CallerReference><HostedZoneConfig><Comment>c &amp; &lt;d&gt;</Comment><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>"#)
        XCTAssertEqual(out.zone.id, "WOFXEVN1749CXI5YMVRH1E")
        XCTAssertEqual(out.zone.name, "corp.internal.")
        XCTAssertTrue(out.zone.privateZone)
        XCTAssertEqual(out.zone.comment, "c")
        XCTAssertEqual(out.zone.recordSetCount, 2)
        XCTAssertEqual(out.change.id, "C1PA6795UKMFR9")
        XCTAssertTrue(out.change.isInSync)
        XCTAssertNotNil(out.change.submittedAt)
    }

    func testChangeBatchDocumentAndIdempotence() async throws {
        let answer = #"<ChangeResourceRecordSetsResponse \#(ns)><ChangeInfo><Id>/change/C2</Id><Status>PENDING</Status><SubmittedAt>2026-11-25T13:47:53.961Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>"#
        let (client, transport) = Kit.stubbed([(200, answer)])
        let change = try await Route53Client(client).changeResourceRecordSets(zoneId: "/hostedzone/Z1", changes: [
            .init(.upsert, .alias(name: "api.corp.internal", target: .init(hostedZoneId: "Z35SXDOTRQ7X7K",
                                                                          dnsName: "internal-x.elb.amazonaws.com"))),
            .init(.create, .plain(name: "_x.corp.internal", type: "CNAME", ttl: 300, values: ["_y.acm-validations.aws."])),
        ])
        let request = try XCTUnwrap(transport.last)
        XCTAssertEqual(request.path, "/2013-04-01/hostedzone/Z1/rrset/")
        XCTAssertEqual(Kit.bodyText(request), #"<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest \#(ns)><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>api.corp.internal</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>internal-x.elb.amazonaws.com</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change><Change><Action>CREATE</Action><ResourceRecordSet><Name>_x.corp.internal</Name><Type>CNAME</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>_y.acm-validations.aws.</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"#)
        XCTAssertEqual(change.id, "C2")
        XCTAssertEqual(change.status, "PENDING")
        XCTAssertFalse(change.isInSync)
        XCTAssertEqual(try XCTUnwrap(change.submittedAt).timeIntervalSince1970, 1795614473.961, accuracy: 0.001)
    }

    func testRecordPagesAliasAndValues() async throws {
        let page1 = #"<ListResourceRecordSetsResponse \#(ns)><ResourceRecordSets><ResourceRecordSet><Name>corp.internal.</Name><Type>NS</Type><TTL>172800</TTL><ResourceRecords><ResourceRecord><Value>ns-2048.awsdns-64.com</Value></ResourceRecord><ResourceRecord><Value>ns-2049.awsdns-65.net</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>corp.internal.</NextRecordName><NextRecordType>SOA</NextRecordType><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>"#
        let page2 = #"<ListResourceRecordSetsResponse \#(ns)><ResourceRecordSets><ResourceRecordSet><Name>api.corp.internal.</Name><Type>A</Type><TTL>0</TTL><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>internal-x.elb.amazonaws.com</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>"#
        let (client, transport) = Kit.stubbed([(200, page1), (200, page2)])
        let records = try await Route53Client(client).listAllResourceRecordSets(zoneId: "Z1")
        XCTAssertEqual(records, [
            .plain(name: "corp.internal.", type: "NS", ttl: 172800, values: ["ns-2048.awsdns-64.com", "ns-2049.awsdns-65.net"]),
            .alias(name: "api.corp.internal.", target: .init(hostedZoneId: "Z35SXDOTRQ7X7K",
                                                             dnsName: "internal-x.elb.amazonaws.com")),
        ])
        XCTAssertEqual(transport.sent[0].query, [])
        XCTAssertEqual(transport.sent[1].query, [QueryItem("name", "corp.internal."), QueryItem("type", "SOA")])
        XCTAssertEqual(transport.sent[1].path, "/2013-04-01/hostedzone/Z1/rrset")
    }

    func testGetHostedZoneWithVPCsAndTags() async throws {
        let zone = #"<GetHostedZoneResponse \#(ns)><HostedZone><Id>/hostedzone/Z9</Id><Name>corp.internal.</Name><CallerReference>r</CallerReference><Config><PrivateZone>true</PrivateZone></Config></HostedZone><VPCs><VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-1</VPCId></VPC><VPC><VPCRegion>eu-west-1</VPCRegion><VPCId>vpc-2</VPCId></VPC></VPCs></GetHostedZoneResponse>"#
        let tags = #"<ListTagsForResourceResponse \#(ns)><ResourceTagSet><ResourceType>hostedzone</ResourceType><ResourceId>Z9</ResourceId><Tags><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>empty</Key></Tag></Tags></ResourceTagSet></ListTagsForResourceResponse>"#
        let (client, transport) = Kit.stubbed([(200, zone), (200, ""), (200, tags)])
        let r53 = Route53Client(client)
        let out = try await r53.getHostedZone(id: "/hostedzone/Z9")
        try await r53.changeTagsForHostedZone(id: "Z9", add: ["k": "v"], removeKeys: ["old"])
        let read = try await r53.listTagsForHostedZone(id: "Z9")
        XCTAssertEqual(out.zone.id, "Z9")
        XCTAssertEqual(out.vpcs, [.init(id: "vpc-1", region: "us-east-1"), .init(id: "vpc-2", region: "eu-west-1")])
        XCTAssertEqual(transport.sent.map(\.path), ["/2013-04-01/hostedzone/Z9", "/2013-04-01/tags/hostedzone/Z9",
                                                    "/2013-04-01/tags/hostedzone/Z9"])
        XCTAssertEqual(Kit.bodyText(transport.sent[1]), #"<?xml version="1.0" encoding="UTF-8"?><ChangeTagsForResourceRequest \#(ns)><AddTags><Tag><Key>k</Key><Value>v</Value></Tag></AddTags><RemoveTagKeys><Key>old</Key></RemoveTagKeys></ChangeTagsForResourceRequest>"#)
        XCTAssertEqual(read, ["k": "v", "empty": ""])
    }

    func testMalformedAnswersNameOperationAndField() async throws {
        let (client, _) = Kit.stubbed([
            (200, #"<GetHostedZoneResponse \#(ns)><HostedZone><Name>x.</Name></HostedZone></GetHostedZoneResponse>"#),
            (200, #"<GetChangeResponse \#(ns)></GetChangeResponse>"#),
            (200, "<html>oops"),
        ])
        let r53 = Route53Client(client)
        await Kit.expectError(try await r53.getHostedZone(id: "Z1")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertEqual(e.operation, "GetHostedZone")
            XCTAssertTrue(e.message.contains("HostedZone.Id"), e.message)
        }
        await Kit.expectError(try await r53.getChange(id: "C1")) { e in
            XCTAssertEqual(e.kind, .malformedResponse)
            XCTAssertTrue(e.message.contains("ChangeInfo"), e.message)
        }
        await Kit.expectError(try await r53.getChange(id: "C1")) { XCTAssertEqual($0.kind, .malformedResponse) }
    }

    func testErrorDocumentAndIds() async throws {
        let err = #"<?xml version="1.0" encoding="utf-8"?><ErrorResponse \#(ns)><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ZNOPE</Message></Error><RequestId>r1</RequestId></ErrorResponse>"#
        let (client, _) = Kit.stubbed([(404, err)])
        await Kit.expectError(try await Route53Client(client).getHostedZone(id: "ZNOPE")) { e in
            XCTAssertEqual(e.code, "NoSuchHostedZone")
            XCTAssertTrue(e.isNotFound)
        }
        XCTAssertEqual(Route53Client.bareId("/hostedzone/Z1"), "Z1")
        XCTAssertEqual(Route53Client.bareId("/change/C1"), "C1")
        XCTAssertEqual(Route53Client.bareId("Z1"), "Z1")
        XCTAssertNotNil(Route53Client.parseTimestamp("2026-11-25T13:47:53Z"))
        XCTAssertNotNil(Route53Client.parseTimestamp("2026-11-25T13:47:53.898509Z"))
    }
}
