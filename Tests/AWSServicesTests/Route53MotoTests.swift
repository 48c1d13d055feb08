// Integration tests of Route53Client through the real stack against the moto harness with signature verification on:
// a private zone in a VPC, alias and CNAME records, change status, paging, tags, and the not-found and not-empty
// errors.
import AWSCore
import AWSServices
import TestSupport
import XCTest

final class Route53MotoTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit

    nonisolated(unsafe) static var shared: MotoServer?

    var moto: MotoServer!
    var client: AWSClient!
    var r53: Route53Client!

    override func setUp() async throws {
        if Self.shared == nil { Self.shared = try MotoServer.start(verifySignatures: true) }
        moto = try XCTUnwrap(Self.shared)
        try moto.reset()
        client = Kit.client(for: moto)
        r53 = Route53Client(client)
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    func makeVpc() async throws -> String {
        let vpc = try await client.ec2("CreateVpc", QueryParams(["CidrBlock": "10.40.0.0/16"]), idempotent: false, mutating: true)
        return try XCTUnwrap(vpc.string("vpc.vpcId"))
    }

    func testPrivateZoneRecordsAndTags() async throws {
        let vpcId = try await makeVpc()
        let created = try await r53.createHostedZone(.init(name: "corp.internal", callerReference: "privgw-\(UUID().uuidString)",
                                                           vpc: .init(id: vpcId, region: "us-east-1"), comment: "privgw test"))
        let zoneId = created.zone.id
        XCTAssertFalse(zoneId.hasPrefix("/"), zoneId)
        XCTAssertEqual(created.zone.name, "corp.internal.")
        XCTAssertTrue(created.zone.privateZone)
        XCTAssertEqual(created.zone.comment, "privgw test")
        XCTAssertFalse(created.change.id.hasPrefix("/"))

        let zone = try await r53.getHostedZone(id: zoneId)
        XCTAssertEqual(zone.zone.id, zoneId)
        XCTAssertTrue(zone.zone.privateZone)
        XCTAssertEqual(zone.vpcs, [.init(id: vpcId, region: "us-east-1")])
        let listed = try await r53.listHostedZones()
        XCTAssertEqual(listed.zones.map(\.id), [zoneId])
        XCTAssertNil(listed.nextMarker)
        let byName = try await r53.listHostedZonesByName(dnsName: "corp.internal")
        XCTAssertEqual(byName.zones.first?.id, zoneId)

        try await r53.changeTagsForHostedZone(id: zoneId, add: ["privgw:stack": "t1", "tmp": "x"])
        try await r53.changeTagsForHostedZone(id: zoneId, add: [:], removeKeys: ["tmp"])
        let tags = try await r53.listTagsForHostedZone(id: zoneId)
        XCTAssertEqual(tags, ["privgw:stack": "t1"])

        // The ALB alias (UPSERT: idempotent) and an ACM-style validation CNAME (CREATE) in one batch.
        let alias = Route53Client.AliasTarget(hostedZoneId: "Z35SXDOTRQ7X7K",
                                              dnsName: "internal-privgw-123.us-east-1.elb.amazonaws.com")
        let change = try await r53.changeResourceRecordSets(zoneId: zoneId, changes: [
            .init(.upsert, .alias(name: "api.corp.internal", target: alias)),
            .init(.create, .plain(name: "_abc.api.corp.internal", type: "CNAME", ttl: 300,
                                  values: ["_def.acm-validations.aws."])),
        ], comment: "privgw test")
        XCTAssertFalse(change.id.isEmpty)
        let status = try await r53.getChange(id: change.id)
        XCTAssertEqual(status.status, "INSYNC")
        XCTAssertTrue(status.isInSync)

        let records = try await r53.listAllResourceRecordSets(zoneId: zoneId)
        let a = try XCTUnwrap(records.first { $0.type == "A" })
        XCTAssertEqual(a.name, "api.corp.internal.")
        XCTAssertEqual(a.aliasTarget, alias)
        XCTAssertNil(a.ttl)
        XCTAssertTrue(a.values.isEmpty)
        let cname = try XCTUnwrap(records.first { $0.type == "CNAME" })
        XCTAssertEqual(cname.values, ["_def.acm-validations.aws."])
        XCTAssertEqual(cname.ttl, 300)
        XCTAssertEqual(Set(records.map(\.type)), ["NS", "SOA", "A", "CNAME"])

        // Paging: one record per page still returns every record once.
        let first = try await r53.listResourceRecordSets(zoneId: zoneId, maxItems: 1)
        XCTAssertEqual(first.records.count, 1)
        XCTAssertNotNil(first.nextRecordName)
        var paged = first.records
        var page = first
        while let name = page.nextRecordName {
            page = try await r53.listResourceRecordSets(zoneId: zoneId, startName: name, startType: page.nextRecordType,
                                                        maxItems: 1)
            paged += page.records
            if paged.count > 10 { break }
        }
        XCTAssertEqual(paged, records)
        let fromA = try await r53.listResourceRecordSets(zoneId: zoneId, startName: "api.corp.internal.", startType: "A")
        XCTAssertEqual(fromA.records.first?.aliasTarget, alias)

        // A zone with records cannot be deleted.
        await Kit.expectError(try await r53.deleteHostedZone(id: zoneId)) { e in
            XCTAssertEqual(e.code, "HostedZoneNotEmpty")
            XCTAssertFalse(e.isNotFound)
        }
        // Re-UPSERT is harmless; then DELETE both records (DELETE must match the record exactly).
        _ = try await r53.changeResourceRecordSets(zoneId: zoneId, changes: [.init(.upsert, .alias(name: "api.corp.internal",
                                                                                                   target: alias))])
        _ = try await r53.changeResourceRecordSets(zoneId: zoneId, changes: [
            .init(.delete, .alias(name: "api.corp.internal", target: alias)),
            .init(.delete, cname),
        ])
        let remaining = try await r53.listAllResourceRecordSets(zoneId: zoneId)
        XCTAssertEqual(Set(remaining.map(\.type)), ["NS", "SOA"])

        let deleted = try await r53.deleteHostedZone(id: "/hostedzone/\(zoneId)")
        XCTAssertFalse(deleted.id.isEmpty)
        await Kit.expectError(try await r53.getHostedZone(id: zoneId)) { e in
            XCTAssertEqual(e.code, "NoSuchHostedZone")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.httpStatus, 404)
        }
    }

    /// Proves the harness really checks signatures: the same call signed with a wrong secret is refused.
    func testWrongSignatureIsRefused() async throws {
        let forged = Route53Client(Kit.client(for: moto, retry: RetryPolicy(maxAttempts: 1), secretAccessKey: "wrong"))
        await Kit.expectError(try await forged.listHostedZones()) { XCTAssertEqual($0.code, "SignatureDoesNotMatch", "\($0)") }
        _ = try await r53.listHostedZones()
    }

    func testPublicZoneAndNotFoundErrors() async throws {
        let created = try await r53.createHostedZone(.init(name: "example.com", callerReference: "privgw-\(UUID().uuidString)",
                                                           vpc: nil))
        XCTAssertFalse(created.zone.privateZone)
        let read = try await r53.getHostedZone(id: created.zone.id)
        XCTAssertTrue(read.vpcs.isEmpty)

        await Kit.expectError(try await r53.getHostedZone(id: "ZNOSUCHZONE1")) { e in
            XCTAssertEqual(e.code, "NoSuchHostedZone")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.operation, "GetHostedZone")
        }
        await Kit.expectError(try await r53.deleteHostedZone(id: "ZNOSUCHZONE1")) {
            XCTAssertEqual($0.code, "NoSuchHostedZone")
        }
        await Kit.expectError(try await r53.listResourceRecordSets(zoneId: "ZNOSUCHZONE1")) {
            XCTAssertTrue($0.isNotFound)
        }
        await Kit.expectError(try await r53.changeResourceRecordSets(zoneId: "ZNOSUCHZONE1", changes: [
            .init(.upsert, .plain(name: "x.example.com", type: "A", ttl: 60, values: ["10.0.0.1"])),
        ])) { XCTAssertTrue($0.isNotFound, "\($0)") }
        // Deleting a record that is not there: AWS answers InvalidChangeBatch; moto 5.2.1 answers InvalidInput
        // ("Expected exactly one of [AliasTarget, ...] but found none"), though the request carries TTL and values.
        await Kit.expectError(try await r53.changeResourceRecordSets(zoneId: created.zone.id, changes: [
            .init(.delete, .plain(name: "nope.example.com", type: "A", ttl: 60, values: ["10.0.0.1"])),
        ])) { e in
            XCTAssertTrue(["InvalidChangeBatch", "InvalidInput"].contains(e.code), "\(e)")
            XCTAssertFalse(e.isNotFound)
        }
    }
}
