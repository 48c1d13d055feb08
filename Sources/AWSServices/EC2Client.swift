// A thin typed EC2 client: the VPC, subnet, security group, VPC endpoint, ENI and tag calls privgw makes.
//
// Parameter names follow botocore's `ec2` model as the EC2 query protocol serializes them: the member's
// `locationName`/`queryName` with a capital first letter and every list flattened (`SubnetId.1`,
// `TagSpecification.1.Tag.1.Key`, `IpPermissions.1.IpRanges.1.CidrIp`, `Filter.1.Value.1`).
// `idempotent` says whether the stack may resend a call after an ambiguous failure; `mutating` counts it as a change.
import AWSCore
import Foundation

public struct EC2Client: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    /// The execute-api interface endpoint service in `region` (the `aws` and `aws-us-gov` partitions' naming).
    public static func executeAPIServiceName(region: String) -> String { "com.amazonaws.\(region).execute-api" }

    // MARK: - VPCs and subnets (read only: privgw never creates networks)

    public func describeVpcs(ids: [String] = [], filters: [EC2Filter] = []) async throws -> [Vpc] {
        var p = QueryParams()
        p.ec2List("VpcId", ids)
        p.ec2Filters(filters.map { ($0.name, $0.values) })
        return try await describeAll("DescribeVpcs", p, list: "vpcSet", Vpc.init)
    }

    public func describeSubnets(ids: [String] = [], filters: [EC2Filter] = []) async throws -> [Subnet] {
        var p = QueryParams()
        p.ec2List("SubnetId", ids)
        p.ec2Filters(filters.map { ($0.name, $0.values) })
        return try await describeAll("DescribeSubnets", p, list: "subnetSet", Subnet.init)
    }

    // MARK: - Security groups

    /// Creates a group tagged in the same call (so an interrupted run can find it by tag). Not idempotent: EC2 takes
    /// no client token here, and a resend after a lost answer fails with `InvalidGroup.Duplicate` (same name in the
    /// VPC); callers find-before-create by tag instead.
    /// - Returns: the new group id.
    public func createSecurityGroup(name: String, description: String, vpcId: String,
                                    tags: [String: String] = [:]) async throws -> String {
        var p = QueryParams()
        p.set("GroupName", name)
        p.set("GroupDescription", description)
        p.set("VpcId", vpcId)
        p.ec2TagSpecification(resourceType: "security-group", tags: tags)
        let r = try await call("CreateSecurityGroup", p, idempotent: false, mutating: true, about: name)
        return try r.string("groupId")
    }

    /// Adds ingress rules. Not idempotent in EC2's sense: an existing identical rule fails the whole call with
    /// `InvalidPermission.Duplicate`, so callers compare against `describeSecurityGroups` first (or treat that code as
    /// "already there").
    /// - Returns: the ids of the rules created (`sgr-...`), when AWS reports them.
    @discardableResult
    public func authorizeSecurityGroupIngress(groupId: String, rules: [IngressRule]) async throws -> [String] {
        var p = QueryParams()
        p.set("GroupId", groupId)
        // One IpPermissions entry per rule: each carries its own description, and EC2 merges equal port ranges.
        for (i, rule) in rules.enumerated() {
            let prefix = "IpPermissions.\(i + 1)"
            p.set("\(prefix).IpProtocol", rule.ipProtocol)
            p.set("\(prefix).FromPort", rule.fromPort)
            p.set("\(prefix).ToPort", rule.toPort)
            let (list, field): (String, String)
            let value: String
            switch rule.source {
            case .cidr(let cidr): (list, field, value) = ("IpRanges", "CidrIp", cidr)
            case .ipv6Cidr(let cidr): (list, field, value) = ("Ipv6Ranges", "CidrIpv6", cidr)
            case .securityGroup(let id): (list, field, value) = ("Groups", "GroupId", id)
            case .prefixList(let id): (list, field, value) = ("PrefixListIds", "PrefixListId", id)
            }
            p.set("\(prefix).\(list).1.\(field)", value)
            p.set("\(prefix).\(list).1.Description", rule.description)
        }
        let r = try await call("AuthorizeSecurityGroupIngress", p, idempotent: false, mutating: true, about: groupId)
        return r.items("securityGroupRuleSet", item: "item").compactMap { $0.optionalString("securityGroupRuleId") }
    }

    /// By ids and/or filters (e.g. `.tag("privgw:stack", name)`); with neither, every group in the region.
    /// An unknown id fails the call with `InvalidGroup.NotFound`; a filter that matches nothing returns `[]`.
    public func describeSecurityGroups(ids: [String] = [], filters: [EC2Filter] = []) async throws -> [SecurityGroup] {
        var p = QueryParams()
        p.ec2List("GroupId", ids)
        p.ec2Filters(filters.map { ($0.name, $0.values) })
        return try await describeAll("DescribeSecurityGroups", p, list: "securityGroupInfo", SecurityGroup.init)
    }

    /// Idempotent: a resend after a lost answer gets `InvalidGroup.NotFound`, which callers treat as done.
    /// On AWS this fails with `DependencyViolation` while an ENI (ALB, endpoint) still uses the group.
    public func deleteSecurityGroup(id: String) async throws {
        var p = QueryParams()
        p.set("GroupId", id)
        _ = try await call("DeleteSecurityGroup", p, idempotent: true, mutating: true, about: id)
    }

    // MARK: - VPC endpoints

    /// Creates an interface endpoint (private DNS off by default: turning it on makes every public API Gateway
    /// endpoint unreachable from the VPC, and the ALB design does not need it). Idempotent through `clientToken`:
    /// AWS returns the same endpoint for the same token (moto ignores the token; see the tests).
    public func createVpcEndpoint(vpcId: String, serviceName: String, subnetIds: [String], securityGroupIds: [String],
                                  privateDnsEnabled: Bool = false, clientToken: String,
                                  tags: [String: String] = [:]) async throws -> VpcEndpoint {
        var p = QueryParams()
        p.set("VpcEndpointType", "Interface")
        p.set("VpcId", vpcId)
        p.set("ServiceName", serviceName)
        p.ec2List("SubnetId", subnetIds)
        p.ec2List("SecurityGroupId", securityGroupIds)
        p.set("PrivateDnsEnabled", privateDnsEnabled)
        p.set("ClientToken", clientToken)
        p.ec2TagSpecification(resourceType: "vpc-endpoint", tags: tags)
        let r = try await call("CreateVpcEndpoint", p, idempotent: true, mutating: true, about: serviceName)
        guard let endpoint = r.child("vpcEndpoint") else { throw r.malformed("lacks required field `vpcEndpoint`") }
        return try VpcEndpoint(endpoint)
    }

    /// By ids and/or filters. An unknown id fails with `InvalidVpcEndpointId.NotFound`; a deleted endpoint may still
    /// be listed for a while with state `deleted`.
    public func describeVpcEndpoints(ids: [String] = [], filters: [EC2Filter] = []) async throws -> [VpcEndpoint] {
        var p = QueryParams()
        p.ec2List("VpcEndpointId", ids)
        p.ec2Filters(filters.map { ($0.name, $0.values) })
        return try await describeAll("DescribeVpcEndpoints", p, list: "vpcEndpointSet", VpcEndpoint.init)
    }

    /// EC2 answers HTTP 200 with a per-id `unsuccessful` list rather than an error: the first failure that is not
    /// "not found" (already gone is what the caller wanted) is thrown as an `AWSError` about that id.
    public func deleteVpcEndpoints(ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        var p = QueryParams()
        p.ec2List("VpcEndpointId", ids)
        let r = try await call("DeleteVpcEndpoints", p, idempotent: true, mutating: true,
                               about: ids.joined(separator: ","))
        let failures = try r.items("unsuccessful", item: "item").map(UnsuccessfulItem.init).map {
            AWSError(kind: .service, code: $0.code, message: $0.message, service: "ec2",
                     operation: "DeleteVpcEndpoints", httpStatus: 200, resource: $0.resourceId)
        }.filter { !$0.isNotFound }
        if var first = failures.first {
            if failures.count > 1 { first.message += " (and \(failures.count - 1) more failed ids)" }
            throw first
        }
    }

    // MARK: - Network interfaces

    /// The endpoint's ENIs, for their private IPs (the ALB's targets). No ids → `[]` without a call (EC2 would
    /// answer with every ENI in the region). An unknown id fails with `InvalidNetworkInterfaceID.NotFound`.
    public func describeNetworkInterfaces(ids: [String]) async throws -> [NetworkInterface] {
        guard !ids.isEmpty else { return [] }
        var p = QueryParams()
        p.ec2List("NetworkInterfaceId", ids)
        return try await describeAll("DescribeNetworkInterfaces", p, list: "networkInterfaceSet", NetworkInterface.init)
    }

    // MARK: - Tags

    /// Adds or overwrites tags (used to adopt existing resources). Idempotent: the same tags set twice are one state.
    public func createTags(resourceIds: [String], tags: [String: String]) async throws {
        guard !resourceIds.isEmpty, !tags.isEmpty else { return }
        var p = QueryParams()
        p.ec2List("ResourceId", resourceIds)
        for (i, (k, v)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            p.set("Tag.\(i + 1).Key", k)
            p.set("Tag.\(i + 1).Value", v)
        }
        _ = try await call("CreateTags", p, idempotent: true, mutating: true, about: resourceIds.joined(separator: ","))
    }

    /// Removes tags by key whatever their value (no `Tag.N.Value` sent: with one, EC2 removes only matching values).
    public func deleteTags(resourceIds: [String], keys: [String]) async throws {
        guard !resourceIds.isEmpty, !keys.isEmpty else { return }
        var p = QueryParams()
        p.ec2List("ResourceId", resourceIds)
        for (i, k) in keys.enumerated() { p.set("Tag.\(i + 1).Key", k) }
        _ = try await call("DeleteTags", p, idempotent: true, mutating: true, about: resourceIds.joined(separator: ","))
    }

    // MARK: - Plumbing

    /// One call, checked to be the answer to `action`; errors name the resource the call was about.
    private func call(_ action: String, _ params: QueryParams, idempotent: Bool, mutating: Bool,
                      about resource: String? = nil) async throws -> QueryResponseReader {
        let root: XMLTree
        do {
            root = try await client.ec2(action, params, idempotent: idempotent, mutating: mutating)
        } catch let error as AWSError {
            throw error.about(resource)
        }
        return try QueryResponseReader(root, service: "ec2", operation: action).requireElement(named: "\(action)Response")
    }

    /// A describe call followed through every `nextToken` page (reads: idempotent, not mutating).
    private func describeAll<T>(_ action: String, _ params: QueryParams, list: String,
                                _ parse: (QueryResponseReader) throws -> T) async throws -> [T] {
        var results: [T] = []
        var token: String?
        var seen: Set<String> = []
        repeat {
            var p = params
            p.set("NextToken", token)
            let r = try await call(action, p, idempotent: true, mutating: false)
            results += try r.items(list, item: "item").map(parse)
            token = r.optionalString("nextToken")
            // A token seen before would loop forever: better a clear error than a hang.
            if let t = token, !seen.insert(t).inserted { throw r.malformed("repeats nextToken \(t)") }
        } while token != nil
        return results
    }
}
