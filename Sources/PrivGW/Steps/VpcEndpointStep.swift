// The execute-api interface VPC endpoint (private DNS off) and its ENI private IPs, or the user's own endpoint.
import AWSCore
import AWSServices
import Foundation

public struct VpcEndpointStep: Step {
    public let id = "endpoint"
    public let kind = "vpc endpoint"
    public let dependsOn: [String]

    /// `withSecurityGroup` false when the user gives the endpoint (`vpcEndpoint:`): then no group is made for it.
    public init(withSecurityGroup: Bool = true) {
        dependsOn = withSecurityGroup ? ["network", "endpoint-sg"] : ["network"]
    }

    static let goneStates: Set<String> = ["deleted", "deleting", "failed", "rejected", "expired"]

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        if let given = env.spec.vpcEndpoint {
            guard let ep = try await describe(env, given) else {
                throw AWSError(kind: .configuration, code: "InvalidVpcEndpointId.NotFound",
                               message: "VPC endpoint \(given) does not exist", resource: given,
                               hint: "check `vpcEndpoint:` in the spec, or remove it to let privgw create one")
            }
            try validateGiven(ep, env)
            return try await record(ep, env, owned: false)
        }
        var found: EC2Client.VpcEndpoint?
        if let journaled { found = try await describe(env, journaled.id) }
        if found == nil {
            var filters = Ownership.ec2Filters(stack: env.stack, step: id)
            filters.append(EC2Filter(name: "vpc-id", values: [env.spec.vpc]))
            found = try await env.ec2.describeVpcEndpoints(filters: filters)
                .first { !Self.goneStates.contains($0.state.lowercased()) }
        }
        guard let ep = found else { return nil }
        guard Ownership.isOwned(ep.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, ep.id, stack: env.stack, fix: "give it as `vpcEndpoint:` to use it without owning it")
        }
        // Not yet available (e.g. created by an interrupted run): `diff` reports it and `update` waits, so that
        // `plan` and `status` never block on it.
        return try await record(ep, env, owned: true)
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        let state = existing.attributes["state"]?.lowercased() ?? ""
        return state == "available" ? nil : "wait for the endpoint to become available (now \(state))"
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        try await waitAvailable(ctx, existing.id, owned: existing.owned)
    }

    func validateGiven(_ ep: EC2Client.VpcEndpoint, _ env: AWSEnvironment) throws {
        let service = EC2Client.executeAPIServiceName(region: env.region)
        guard ep.serviceName == service else {
            throw AWSError(kind: .configuration, code: "WrongEndpointService",
                           message: "VPC endpoint \(ep.id) is for \(ep.serviceName), not \(service)", resource: ep.id,
                           hint: "give an execute-api interface endpoint under `vpcEndpoint:`")
        }
        guard ep.vpcId == env.spec.vpc else {
            throw AWSError(kind: .configuration, code: "EndpointOutsideVpc",
                           message: "VPC endpoint \(ep.id) is in \(ep.vpcId), not in \(env.spec.vpc)", resource: ep.id,
                           hint: "give an endpoint of the stack's VPC")
        }
    }

    func describe(_ env: AWSEnvironment, _ endpointId: String) async throws -> EC2Client.VpcEndpoint? {
        do {
            let ep = try await env.ec2.describeVpcEndpoints(ids: [endpointId]).first
            if let ep, Self.goneStates.contains(ep.state.lowercased()) { return nil }
            return ep
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    /// The record carries what dependents need: the ENI IPs (targets), the regional DNS name and zone (native alias).
    func record(_ ep: EC2Client.VpcEndpoint, _ env: AWSEnvironment, owned: Bool) async throws -> ResourceRecord {
        let enis = ep.networkInterfaceIds.isEmpty ? [] : try await env.ec2.describeNetworkInterfaces(ids: ep.networkInterfaceIds)
        let ips = enis.map(\.privateIpAddress).sorted()
        // The first DNS entry is the regional name; the others are per availability zone.
        let regional = ep.dnsEntries.first
        return ResourceRecord(step: id, kind: kind, id: ep.id, owned: owned, attributes: [
            "state": ep.state,
            "ips": ips.joined(separator: ","),
            "enis": ep.networkInterfaceIds.joined(separator: ","),
            "dnsName": regional?.dnsName ?? "",
            "hostedZoneId": regional?.hostedZoneId ?? "",
            "privateDns": ep.privateDnsEnabled ? "true" : "false",
        ])
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let sg = try ctx.record(of: "endpoint-sg").id
        // Private DNS stays off: on, it would make every public API Gateway endpoint unreachable from the VPC.
        let ep = try await env.ec2.createVpcEndpoint(
            vpcId: env.spec.vpc, serviceName: EC2Client.executeAPIServiceName(region: env.region), subnetIds: env.spec.subnets,
            securityGroupIds: [sg], privateDnsEnabled: false, clientToken: token, tags: env.tags(id))
        try await ctx.remember("id", ep.id)
        // Its answer already says whether it is available: a pending one is not asked again at once.
        return try await waitAvailable(ctx, ep.id, owned: true, checkAtOnce: ep.state.lowercased() == "available")
    }

    func waitAvailable(_ ctx: StepContext<AWSEnvironment>, _ endpointId: String, owned: Bool,
                       checkAtOnce: Bool = false) async throws -> ResourceRecord {
        let env = ctx.environment
        var last: EC2Client.VpcEndpoint?
        try await ctx.poll(what: "VPC endpoint \(endpointId) to become available",
                           schedule: PollSchedule(first: 2, factor: 1.5, max: 4, timeout: 600),
                           hint: "check the endpoint in the VPC console; `privgw up` resumes the wait",
                           checkAtOnce: checkAtOnce) {
            guard let ep = try await describe(env, endpointId) else {
                throw AWSError(kind: .service, code: "VpcEndpointFailed",
                               message: "VPC endpoint \(endpointId) disappeared or failed while being created", resource: endpointId)
            }
            last = ep
            return ep.state.lowercased() == "available"
        }
        guard let ep = last else { throw AWSError(kind: .service, code: "VpcEndpointFailed", message: "no endpoint", resource: endpointId) }
        return try await record(ep, env, owned: owned)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        guard let ep = try await describe(env, record.id) else { return }
        guard Ownership.isOwned(ep.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, ep.id, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        try await env.ec2.deleteVpcEndpoints(ids: [record.id])
        // Dependents' deletions (the security group) need the ENIs gone: wait for the endpoint to be deleted.
        try await ctx.poll(what: "VPC endpoint \(record.id) to be deleted",
                           schedule: PollSchedule(first: 5, factor: 1.5, max: 20, timeout: 600)) {
            try await describe(env, record.id) == nil
        }
    }
}
