// A thin typed ELBv2 client: the internal ALB, its target group of endpoint IPs, its HTTPS listener and tags.
//
// Parameter names follow botocore's `elbv2` model under the AWS query protocol: structure members joined with
// dots and lists as `Name.member.N` (`Subnets.member.1`, `Tags.member.1.Key`, `DefaultActions.member.1.Type`).
// The serializer sends `Version=2015-12-01`, which moto also needs to tell ELBv2 from the classic ELB.
// `idempotent` says whether the stack may resend a call after an ambiguous failure; `mutating` counts it as a change.
import AWSCore
import Foundation

public struct ELBv2Client: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    /// The TLS 1.3/1.2 policy AWS recommends for new HTTPS listeners.
    public static let recommendedSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

    // MARK: - Load balancers

    /// Creates an ALB tagged in the same call. Idempotent in AWS: the same name with the same settings returns the
    /// existing load balancer (moto creates a second one; callers find-before-create anyway).
    public func createLoadBalancer(name: String, subnetIds: [String], securityGroupIds: [String],
                                   scheme: String = "internal", type: String = "application",
                                   ipAddressType: String = "ipv4", tags: [String: String] = [:]) async throws -> LoadBalancer {
        var p = QueryParams()
        p.set("Name", name)
        p.memberList("Subnets", subnetIds)
        p.memberList("SecurityGroups", securityGroupIds)
        p.set("Scheme", scheme)
        p.set("Type", type)
        p.set("IpAddressType", ipAddressType)
        p.memberTags("Tags", tags)
        let r = try await call("CreateLoadBalancer", p, idempotent: true, mutating: true, about: name)
        return try exactlyOne(r.items("LoadBalancers", item: "member").map(LoadBalancer.init), in: r, field: "LoadBalancers")
    }

    /// By ARNs or by names (AWS rejects both at once); with neither, every load balancer in the region.
    /// A missing one fails the whole call with `LoadBalancerNotFound`.
    public func describeLoadBalancers(arns: [String] = [], names: [String] = []) async throws -> [LoadBalancer] {
        var p = QueryParams()
        p.memberList("LoadBalancerArns", arns)
        p.memberList("Names", names)
        return try await describeAll("DescribeLoadBalancers", p, list: "LoadBalancers", LoadBalancer.init,
                                     about: (arns + names).first)
    }

    /// Sets attributes such as `routing.http.drop_invalid_header_fields.enabled` = `true`. Idempotent.
    /// - Returns: all attributes after the change, as AWS reports them.
    @discardableResult
    public func modifyLoadBalancerAttributes(arn: String, attributes: [String: String]) async throws -> [String: String] {
        var p = QueryParams()
        p.set("LoadBalancerArn", arn)
        for (i, (k, v)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            p.set("Attributes.member.\(i + 1).Key", k)
            p.set("Attributes.member.\(i + 1).Value", v)
        }
        let r = try await call("ModifyLoadBalancerAttributes", p, idempotent: true, mutating: true, about: arn)
        return try Self.attributes(r)
    }

    public func describeLoadBalancerAttributes(arn: String) async throws -> [String: String] {
        var p = QueryParams()
        p.set("LoadBalancerArn", arn)
        return try Self.attributes(try await call("DescribeLoadBalancerAttributes", p, idempotent: true, mutating: false,
                                                  about: arn))
    }

    /// Idempotent: AWS (and moto) answer success for an ARN that no longer exists.
    public func deleteLoadBalancer(arn: String) async throws {
        var p = QueryParams()
        p.set("LoadBalancerArn", arn)
        _ = try await call("DeleteLoadBalancer", p, idempotent: true, mutating: true, about: arn, expectResult: false)
    }

    // MARK: - Tags (load balancers, target groups, listeners)

    /// Tags by resource ARN; ARNs are sent 20 per call (AWS's limit).
    public func describeTags(resourceArns: [String]) async throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for start in stride(from: 0, to: resourceArns.count, by: 20) {
            var p = QueryParams()
            p.memberList("ResourceArns", Array(resourceArns[start..<min(start + 20, resourceArns.count)]))
            let r = try await call("DescribeTags", p, idempotent: true, mutating: false, about: resourceArns[start])
            for d in r.items("TagDescriptions", item: "member") {
                result[try d.string("ResourceArn")] = try d.tags("Tags", item: "member", key: "Key", value: "Value")
            }
        }
        return result
    }

    /// Adds or overwrites tags (used to adopt existing resources). Idempotent.
    public func addTags(resourceArns: [String], tags: [String: String]) async throws {
        guard !resourceArns.isEmpty, !tags.isEmpty else { return }
        var p = QueryParams()
        p.memberList("ResourceArns", resourceArns)
        p.memberTags("Tags", tags)
        _ = try await call("AddTags", p, idempotent: true, mutating: true, about: resourceArns.first,
                           expectResult: false)
    }

    // MARK: - Target groups

    /// Creates a target group for the endpoint's ENI IPs. Idempotent in AWS: the same name with the same settings
    /// returns the existing group (a different config under the same name fails with `DuplicateTargetGroupName`).
    /// Healthy codes default to `200,403`: a probe through to a private API usually gets 403.
    public func createTargetGroup(name: String, vpcId: String, protocol: String = "HTTPS", port: Int = 443,
                                  targetType: String = "ip", healthCheckProtocol: String = "HTTPS",
                                  healthCheckPath: String = "/", matcher: String = "200,403",
                                  healthCheckEnabled: Bool = true, tags: [String: String] = [:]) async throws -> TargetGroup {
        var p = QueryParams()
        p.set("Name", name)
        p.set("Protocol", `protocol`)
        p.set("Port", port)
        p.set("VpcId", vpcId)
        p.set("TargetType", targetType)
        p.set("HealthCheckEnabled", healthCheckEnabled)
        p.set("HealthCheckProtocol", healthCheckProtocol)
        p.set("HealthCheckPath", healthCheckPath)
        p.set("Matcher.HttpCode", matcher)
        p.memberTags("Tags", tags)
        let r = try await call("CreateTargetGroup", p, idempotent: true, mutating: true, about: name)
        return try exactlyOne(r.items("TargetGroups", item: "member").map(TargetGroup.init), in: r, field: "TargetGroups")
    }

    /// By ARNs, by names, or all groups of one load balancer; with none, every target group in the region.
    /// A missing ARN or name fails the whole call with `TargetGroupNotFound`.
    public func describeTargetGroups(arns: [String] = [], names: [String] = [],
                                     loadBalancerArn: String? = nil) async throws -> [TargetGroup] {
        var p = QueryParams()
        p.memberList("TargetGroupArns", arns)
        p.memberList("Names", names)
        p.set("LoadBalancerArn", loadBalancerArn)
        return try await describeAll("DescribeTargetGroups", p, list: "TargetGroups", TargetGroup.init,
                                     about: (arns + names).first ?? loadBalancerArn)
    }

    /// Idempotent. On AWS this fails with `ResourceInUse` while a listener still forwards here.
    public func deleteTargetGroup(arn: String) async throws {
        var p = QueryParams()
        p.set("TargetGroupArn", arn)
        _ = try await call("DeleteTargetGroup", p, idempotent: true, mutating: true, about: arn, expectResult: false)
    }

    /// Idempotent: registering a registered target changes nothing.
    public func registerTargets(targetGroupArn: String, targets: [Target]) async throws {
        guard !targets.isEmpty else { return }
        _ = try await call("RegisterTargets", Self.targets(targetGroupArn, targets), idempotent: true, mutating: true,
                           about: targetGroupArn, expectResult: false)
    }

    /// Idempotent: deregistering an unknown target is not an error in AWS.
    public func deregisterTargets(targetGroupArn: String, targets: [Target]) async throws {
        guard !targets.isEmpty else { return }
        _ = try await call("DeregisterTargets", Self.targets(targetGroupArn, targets), idempotent: true, mutating: true,
                           about: targetGroupArn, expectResult: false)
    }

    /// Health of all registered targets, or of `targets` only.
    public func describeTargetHealth(targetGroupArn: String, targets: [Target] = []) async throws -> [TargetHealth] {
        let r = try await call("DescribeTargetHealth", Self.targets(targetGroupArn, targets), idempotent: true,
                               mutating: false, about: targetGroupArn)
        return try r.items("TargetHealthDescriptions", item: "member").map(TargetHealth.init)
    }

    // MARK: - Listeners

    /// An HTTPS listener whose default action forwards to `targetGroupArn`. Not idempotent: a resend after a lost
    /// answer may fail with `DuplicateListener` (same port), so callers look for the listener before creating it.
    public func createListener(loadBalancerArn: String, certificateArn: String, targetGroupArn: String,
                               protocol: String = "HTTPS", port: Int = 443,
                               sslPolicy: String = ELBv2Client.recommendedSSLPolicy,
                               tags: [String: String] = [:]) async throws -> Listener {
        var p = QueryParams()
        p.set("LoadBalancerArn", loadBalancerArn)
        p.set("Protocol", `protocol`)
        p.set("Port", port)
        p.set("SslPolicy", sslPolicy)
        p.set("Certificates.member.1.CertificateArn", certificateArn)
        p.set("DefaultActions.member.1.Type", "forward")
        p.set("DefaultActions.member.1.TargetGroupArn", targetGroupArn)
        p.memberTags("Tags", tags)
        let r = try await call("CreateListener", p, idempotent: false, mutating: true, about: loadBalancerArn)
        return try exactlyOne(r.items("Listeners", item: "member").map(Listener.init), in: r, field: "Listeners")
    }

    /// All listeners of one load balancer, or by ARNs. A missing ARN fails with `ListenerNotFound`.
    public func describeListeners(loadBalancerArn: String? = nil, arns: [String] = []) async throws -> [Listener] {
        var p = QueryParams()
        p.set("LoadBalancerArn", loadBalancerArn)
        p.memberList("ListenerArns", arns)
        return try await describeAll("DescribeListeners", p, list: "Listeners", Listener.init,
                                     about: arns.first ?? loadBalancerArn)
    }

    /// Idempotent: a resend after a lost answer gets `ListenerNotFound`, which callers treat as done.
    public func deleteListener(arn: String) async throws {
        var p = QueryParams()
        p.set("ListenerArn", arn)
        _ = try await call("DeleteListener", p, idempotent: true, mutating: true, about: arn, expectResult: false)
    }

    /// Adds certificates served by SNI besides the default one. Idempotent (the listener's set of certificates).
    @discardableResult
    public func addListenerCertificates(listenerArn: String, certificateArns: [String]) async throws -> [Certificate] {
        guard !certificateArns.isEmpty else { return [] }
        let r = try await call("AddListenerCertificates", Self.certificates(listenerArn, certificateArns),
                               idempotent: true, mutating: true, about: listenerArn)
        return try r.items("Certificates", item: "member").map(Certificate.init)
    }

    /// Removes SNI certificates (not the default one). Idempotent.
    public func removeListenerCertificates(listenerArn: String, certificateArns: [String]) async throws {
        guard !certificateArns.isEmpty else { return }
        _ = try await call("RemoveListenerCertificates", Self.certificates(listenerArn, certificateArns),
                           idempotent: true, mutating: true, about: listenerArn, expectResult: false)
    }

    /// Every certificate of the listener, the default one with `isDefault == true`.
    public func describeListenerCertificates(listenerArn: String) async throws -> [Certificate] {
        var p = QueryParams()
        p.set("ListenerArn", listenerArn)
        return try await describeAll("DescribeListenerCertificates", p, list: "Certificates", Certificate.init,
                                     about: listenerArn)
    }

    // MARK: - Plumbing

    private static func targets(_ targetGroupArn: String, _ targets: [Target]) -> QueryParams {
        var p = QueryParams()
        p.set("TargetGroupArn", targetGroupArn)
        for (i, t) in targets.enumerated() {
            p.set("Targets.member.\(i + 1).Id", t.id)
            p.set("Targets.member.\(i + 1).Port", t.port)
            p.set("Targets.member.\(i + 1).AvailabilityZone", t.availabilityZone)
        }
        return p
    }

    private static func certificates(_ listenerArn: String, _ arns: [String]) -> QueryParams {
        var p = QueryParams()
        p.set("ListenerArn", listenerArn)
        for (i, arn) in arns.enumerated() { p.set("Certificates.member.\(i + 1).CertificateArn", arn) }
        return p
    }

    private static func attributes(_ r: QueryResponseReader) throws -> [String: String] {
        try r.tags("Attributes", item: "member", key: "Key", value: "Value")
    }

    /// A create call answers with a one-element list; anything else is not an answer privgw can act on.
    private func exactlyOne<T>(_ items: [T], in r: QueryResponseReader, field: String) throws -> T {
        guard items.count == 1, let item = items.first else {
            throw r.malformed("has \(items.count) entries in `\(field)`, expected exactly one")
        }
        return item
    }

    /// One call; errors name the resource the call was about. Calls with an output must answer `<ActionResult>`
    /// (a different document means something else answered); calls without one are not checked, as AWS may omit
    /// the empty result element.
    private func call(_ action: String, _ params: QueryParams, idempotent: Bool, mutating: Bool,
                      about resource: String? = nil, expectResult: Bool = true) async throws -> QueryResponseReader {
        let result: XMLTree
        do {
            result = try await client.query(.elbv2, action, params, idempotent: idempotent, mutating: mutating)
        } catch let error as AWSError {
            throw error.about(resource)
        }
        let r = QueryResponseReader(result, service: ServiceDescriptor.elbv2.signingName, operation: action)
        return expectResult ? try r.requireElement(named: "\(action)Result") : r
    }

    /// A describe call followed through every `NextMarker` page (reads: idempotent, not mutating).
    private func describeAll<T>(_ action: String, _ params: QueryParams, list: String,
                                _ parse: (QueryResponseReader) throws -> T, about resource: String?) async throws -> [T] {
        var results: [T] = []
        var marker: String?
        var seen: Set<String> = []
        repeat {
            var p = params
            p.set("Marker", marker)
            let r = try await call(action, p, idempotent: true, mutating: false, about: resource)
            results += try r.items(list, item: "member").map(parse)
            marker = r.optionalString("NextMarker")
            // A marker seen before would loop forever: better a clear error than a hang.
            if let m = marker, !seen.insert(m).inserted { throw r.malformed("repeats NextMarker \(m)") }
        } while marker != nil
        return results
    }
}
