// Integration tests of ACMClient through the real stack against the moto harness with signature verification on.
// moto issues a certificate MOTO_ACM_VALIDATION_WAIT seconds after the request (1 here), whether or not the
// validation record exists, so the test sees PENDING_VALIDATION first and ISSUED after the wait.
import AWSCore
import AWSServices
import TestSupport
import XCTest

final class ACMMotoTests: XCTestCase {
    typealias Kit = GatewayDNSCertTestKit

    nonisolated(unsafe) static var shared: MotoServer?
    static let validationWait: TimeInterval = 1

    var moto: MotoServer!
    var acm: ACMClient!

    override func setUp() async throws {
        if Self.shared == nil {
            Self.shared = try MotoServer.start(verifySignatures: true,
                                               environment: ["MOTO_ACM_VALIDATION_WAIT": String(Int(Self.validationWait))])
        }
        moto = try XCTUnwrap(Self.shared)
        try moto.reset()
        acm = ACMClient(Kit.client(for: moto))
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    func testCertificateLifecycle() async throws {
        let input = ACMClient.RequestCertificateInput(domainName: "api.example.com",
                                                      subjectAlternativeNames: ["api.example.com", "www.api.example.com"],
                                                      idempotencyToken: "privgwtest1", tags: ["privgw:stack": "t1"])
        let arn = try await acm.requestCertificate(input)
        XCTAssertTrue(arn.hasPrefix("arn:aws:acm:us-east-1:"), arn)
        // Same token and tags → same certificate (moto honours the token only when the tags match too).
        let again = try await acm.requestCertificate(input)
        XCTAssertEqual(again, arn)

        let pending = try await acm.describeCertificate(arn: arn)
        XCTAssertEqual(pending.arn, arn)
        XCTAssertEqual(pending.domainName, "api.example.com")
        XCTAssertEqual(Set(pending.subjectAlternativeNames), ["api.example.com", "www.api.example.com"])
        XCTAssertEqual(pending.status, "PENDING_VALIDATION")
        XCTAssertEqual(pending.type, "AMAZON_ISSUED")
        XCTAssertNotNil(pending.notAfter)
        XCTAssertEqual(pending.inUseBy, [])
        XCTAssertEqual(Set(pending.domainValidationOptions.map(\.domainName)), ["api.example.com", "www.api.example.com"])
        let records = try XCTUnwrap(pending.validationRecords, "moto fills the validation records at once")
        for record in records {
            XCTAssertEqual(record.type, "CNAME")
            XCTAssertTrue(record.name.hasPrefix("_") && record.name.hasSuffix("api.example.com."), record.name)
            XCTAssertTrue(record.value.hasSuffix(".acm-validations.aws."), record.value)
        }
        XCTAssertTrue(pending.domainValidationOptions.allSatisfy { $0.validationMethod == "DNS" })

        let pendingList = try await acm.listCertificates(statuses: ["PENDING_VALIDATION"])
        XCTAssertEqual(pendingList.certificates.map(\.arn), [arn])
        XCTAssertEqual(pendingList.certificates.first?.domainName, "api.example.com")

        try await Task.sleep(nanoseconds: UInt64((Self.validationWait + 0.5) * 1e9))
        let issued = try await acm.describeCertificate(arn: arn)
        XCTAssertEqual(issued.status, "ISSUED")
        XCTAssertTrue(issued.isIssued)
        let issuedList = try await acm.listAllCertificates(statuses: ["ISSUED"])
        XCTAssertEqual(issuedList.map(\.arn), [arn])
        XCTAssertEqual(issuedList.first?.status, "ISSUED")
        let noPending = try await acm.listCertificates(statuses: ["PENDING_VALIDATION"])
        XCTAssertTrue(noPending.certificates.isEmpty)

        let tags = try await acm.listTagsForCertificate(arn: arn)
        XCTAssertEqual(tags, ["privgw:stack": "t1"])
        try await acm.addTagsToCertificate(arn: arn, tags: ["privgw:role": "custom-domain"])
        try await acm.addTagsToCertificate(arn: arn, tags: ["privgw:role": "custom-domain"])
        let moreTags = try await acm.listTagsForCertificate(arn: arn)
        XCTAssertEqual(moreTags, ["privgw:stack": "t1", "privgw:role": "custom-domain"])

        try await acm.deleteCertificate(arn: arn)
        await Kit.expectError(try await acm.describeCertificate(arn: arn)) { e in
            XCTAssertEqual(e.code, "ResourceNotFoundException")
            XCTAssertTrue(e.isNotFound)
            XCTAssertEqual(e.service, "acm")
            XCTAssertEqual(e.operation, "DescribeCertificate")
        }
        let afterDelete = try await acm.listAllCertificates()
        XCTAssertTrue(afterDelete.isEmpty)
    }

    /// Proves the harness really checks signatures: the same call signed with a wrong secret is refused.
    func testWrongSignatureIsRefused() async throws {
        let forged = ACMClient(Kit.client(for: moto, retry: RetryPolicy(maxAttempts: 1), secretAccessKey: "wrong"))
        await Kit.expectError(try await forged.listCertificates()) { XCTAssertTrue(Kit.isSignatureRefusal($0), "\($0)") }
        _ = try await acm.listCertificates()
    }

    func testNotFoundErrors() async throws {
        let missing = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
        await Kit.expectError(try await acm.describeCertificate(arn: missing)) {
            XCTAssertEqual($0.code, "ResourceNotFoundException")
        }
        await Kit.expectError(try await acm.deleteCertificate(arn: missing)) { XCTAssertTrue($0.isNotFound) }
        await Kit.expectError(try await acm.listTagsForCertificate(arn: missing)) { XCTAssertTrue($0.isNotFound) }
        await Kit.expectError(try await acm.addTagsToCertificate(arn: missing, tags: ["a": "b"])) {
            XCTAssertTrue($0.isNotFound)
        }
    }
}
