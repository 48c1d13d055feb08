// The defaults a security review asks for, each read back from moto with boto3 (not privgw's own clients) after
// `up`: an internal ALB dropping invalid header fields; security groups admitting HTTPS from the VPC CIDR (ALB) and
// from the ALB's group (endpoint) only; a TLS 1.3 listener policy; API and domain policies that admit only the
// stack's endpoint; the journal and lock 0600 in a 0700 state directory.
import Foundation
import TestSupport
import XCTest

final class SafeDefaultsTests: XCTestCase {
    func testALBDesignDefaultsReadBackFromMoto() throws {
        let f = try StackFixture.make(stack: "safe", recording: false)
        defer { f.stop() }
        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 0, up.description)
        let snap = try f.moto.snapshot()
        let mine = { (tags: [String: String]) in tags["privgw:stack"] == f.stack }

        // The load balancer: internal only, dropping invalid header fields.
        let lbs = snap.loadBalancers.filter { mine($0.tags) }
        XCTAssertEqual(lbs.count, 1)
        let lb = try XCTUnwrap(lbs.first)
        XCTAssertEqual(lb.scheme, "internal")
        XCTAssertEqual(lb.attributes["routing.http.drop_invalid_header_fields.enabled"], "true")

        // One listener, HTTPS:443 with a TLS 1.3 policy; nothing in clear text.
        XCTAssertEqual(lb.listeners.map(\.port), [443])
        XCTAssertEqual(lb.listeners.map(\.protocol), ["HTTPS"])
        let policy = try XCTUnwrap(lb.listeners.first?.sslPolicy)
        XCTAssertTrue(policy.hasPrefix("ELBSecurityPolicy-TLS13-"), policy)

        // Security groups: exactly one inbound rule each.
        let albSG = try XCTUnwrap(snap.securityGroups.first { mine($0.tags) && $0.tags["privgw:step"] == "alb-sg" })
        XCTAssertEqual(albSG.ingress.count, 1, "\(albSG.ingress)")
        let albRule = try XCTUnwrap(albSG.ingress.first)
        XCTAssertEqual(albRule.protocol_, "tcp")
        XCTAssertEqual(albRule.from, 443)
        XCTAssertEqual(albRule.to, 443)
        XCTAssertEqual(albRule.cidrs, ["10.20.0.0/16"], "HTTPS from the VPC CIDR only")
        XCTAssertEqual(albRule.groups, [])
        XCTAssertEqual(lb.securityGroups, [albSG.id])

        let epSG = try XCTUnwrap(snap.securityGroups.first { mine($0.tags) && $0.tags["privgw:step"] == "endpoint-sg" })
        XCTAssertEqual(epSG.ingress.count, 1, "\(epSG.ingress)")
        let epRule = try XCTUnwrap(epSG.ingress.first)
        XCTAssertEqual(epRule.protocol_, "tcp")
        XCTAssertEqual(epRule.from, 443)
        XCTAssertEqual(epRule.to, 443)
        XCTAssertEqual(epRule.cidrs, [], "the endpoint admits no address range")
        XCTAssertEqual(epRule.groups, [albSG.id], "HTTPS from the load balancer's group only")
        XCTAssertFalse(snap.securityGroups.filter { mine($0.tags) }.flatMap(\.ingress).flatMap(\.cidrs).contains("0.0.0.0/0"))

        // The endpoint: the stack's group, private DNS off (on, it would cut the VPC off public APIs).
        let endpoint = try XCTUnwrap(snap.vpcEndpoints.first { mine($0.tags) })
        XCTAssertEqual(endpoint.groups, [epSG.id])
        XCTAssertEqual(endpoint.privateDns, false)

        // The demo API admits only this endpoint.
        let api = try XCTUnwrap(snap.restApis.first { mine($0.tags) })
        XCTAssertEqual(api.endpointTypes, ["PRIVATE"])
        try Self.assertAdmitsOnly(endpoint.id, policy: api.policy, what: "the API policy")

        try Self.assertPrivateState(f)
    }

    func testNativeDesignDomainAndAPIPoliciesAdmitOnlyTheStacksEndpoint() throws {
        let f = try StackFixture.make(stack: "safenative", design: "native", recording: false)
        defer { f.stop() }
        let up = try f.run(["up", "--yes"])
        XCTAssertEqual(up.status, 0, up.description)
        let snap = try f.moto.snapshot()
        let mine = { (tags: [String: String]) in tags["privgw:stack"] == f.stack }
        let endpoint = try XCTUnwrap(snap.vpcEndpoints.first { mine($0.tags) })

        let domain = try XCTUnwrap(snap.domainNames.first { $0.name == "api.example.com" })
        XCTAssertEqual(domain.endpointTypes, ["PRIVATE"])
        try Self.assertAdmitsOnly(endpoint.id, policy: domain.policy, what: "the private domain's policy")
        let api = try XCTUnwrap(snap.restApis.first { mine($0.tags) })
        try Self.assertAdmitsOnly(endpoint.id, policy: api.policy, what: "the API policy")
        // Only the stack's endpoint is associated with the domain.
        let associations = (snap.accessAssociations ?? []).filter { $0.domainNameArn == domain.domainNameArn }
        XCTAssertEqual(associations.map(\.source), [endpoint.id])

        // The native design's endpoint group: HTTPS from the VPC CIDR only.
        let epSG = try XCTUnwrap(snap.securityGroups.first { mine($0.tags) && $0.tags["privgw:step"] == "endpoint-sg" })
        XCTAssertEqual(epSG.ingress.map(\.cidrs), [["10.20.0.0/16"]])
        XCTAssertEqual(epSG.ingress.map(\.from), [443])
        XCTAssertEqual(epSG.ingress.flatMap(\.groups), [])

        try Self.assertPrivateState(f)
    }

    // MARK: - helpers

    /// Every Allow in `policy` is conditioned on `aws:SourceVpce` being `endpoint`, and at least one statement
    /// allows `execute-api:Invoke` so; a Deny, if any, only refuses other sources.
    static func assertAdmitsOnly(_ endpoint: String, policy: String?, what: String) throws {
        let text = try XCTUnwrap(policy, "\(what) is missing")
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(what): \(text)")
        let statements = (doc["Statement"] as? [[String: Any]]) ?? ((doc["Statement"] as? [String: Any]).map { [$0] } ?? [])
        XCTAssertFalse(statements.isEmpty, "\(what): \(text)")
        var allows = 0
        for s in statements {
            let condition = s["Condition"] as? [String: [String: Any]] ?? [:]
            func values(_ op: String) -> [String] {
                guard let v = condition[op]?["aws:SourceVpce"] ?? condition[op]?["aws:sourceVpce"] else { return [] }
                return (v as? [String]) ?? [(v as? String) ?? ""]
            }
            switch s["Effect"] as? String {
            case "Allow":
                allows += 1
                XCTAssertEqual(values("StringEquals"), [endpoint], "\(what): an Allow not limited to the stack's endpoint: \(s)")
            case "Deny":
                XCTAssertEqual(values("StringNotEquals"), [endpoint], "\(what): a Deny that is not 'every other source': \(s)")
            default:
                XCTFail("\(what): statement without a known effect: \(s)")
            }
        }
        XCTAssertGreaterThan(allows, 0, "\(what) allows nothing: \(text)")
    }

    /// The state directory is 0700; the journal, the lock and any other file in it 0600.
    static func assertPrivateState(_ f: StackFixture) throws {
        let fm = FileManager.default
        let state = f.dir.appendingPathComponent("state")
        let dirMode = try XCTUnwrap(try fm.attributesOfItem(atPath: state.path)[.posixPermissions] as? Int)
        XCTAssertEqual(dirMode & 0o777, 0o700, "state directory mode \(String(dirMode, radix: 8))")
        let files = try fm.contentsOfDirectory(atPath: state.path)
        XCTAssertTrue(files.contains { $0.hasSuffix(".journal.jsonl") }, "\(files)")
        XCTAssertTrue(files.contains { $0.contains("lock") }, "\(files)")
        for name in files {
            let path = state.appendingPathComponent(name).path
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let mode = try XCTUnwrap(try fm.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            XCTAssertEqual(mode & 0o777, 0o600, "\(name) mode \(String(mode, radix: 8))")
        }
    }
}
