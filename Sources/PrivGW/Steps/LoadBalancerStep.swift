// The internal Application Load Balancer in the user's subnets, dropping invalid header fields.
import AWSCore
import AWSServices
import Foundation

public struct LoadBalancerStep: Step {
    public let id = "alb"
    public let kind = "load balancer"
    public let dependsOn: [String]
    /// Groups the user gave (`securityGroups:`) instead of privgw's `alb-sg`.
    let givenGroups: [String]

    public init(givenSecurityGroups: [String] = []) {
        givenGroups = givenSecurityGroups
        dependsOn = givenSecurityGroups.isEmpty ? ["network", "alb-sg"] : ["network"]
    }

    static let attributes = ["routing.http.drop_invalid_header_fields.enabled": "true"]

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        var lb: ELBv2Client.LoadBalancer?
        if let journaled { lb = try await describe(env, arn: journaled.id) }
        if lb == nil { lb = try await describe(env, name: Ownership.elbName(stack: env.stack)) }
        guard let lb else { return nil }
        let tags = try await env.elbv2.describeTags(resourceArns: [lb.arn])[lb.arn] ?? [:]
        guard Ownership.isOwned(tags, stack: env.stack) else {
            throw Ownership.foreign(kind, lb.arn, stack: env.stack, fix: "rename the stack (`name:`) or delete that load balancer")
        }
        // Still provisioning: `diff` says so and `update` waits, so that `plan` and `status` never block.
        return record(lb)
    }

    func describe(_ env: AWSEnvironment, arn: String? = nil, name: String? = nil) async throws -> ELBv2Client.LoadBalancer? {
        do {
            return try await env.elbv2.describeLoadBalancers(arns: arn.map { [$0] } ?? [], names: name.map { [$0] } ?? []).first
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ lb: ELBv2Client.LoadBalancer) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: lb.arn, attributes: [
            "name": lb.name, "dnsName": lb.dnsName, "canonicalHostedZoneId": lb.canonicalHostedZoneId,
            "scheme": lb.scheme, "state": lb.state,
        ])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        if existing.attributes["scheme"] != "internal" {
            return "scheme is \(existing.attributes["scheme"] ?? "?"), expected internal (delete and recreate it with `down` then `up`)"
        }
        // Set right after CreateLoadBalancer: a run that died or failed in between left the ALB without them.
        if !(try await missingAttributes(ctx, arn: existing.id)).isEmpty { return "drop invalid header fields" }
        if let state = existing.attributes["state"], state != "active" { return "wait for the load balancer to become active (now \(state))" }
        return nil
    }

    /// The security attributes (`attributes`) the load balancer does not have as wanted.
    func missingAttributes(_ ctx: StepContext<AWSEnvironment>, arn: String) async throws -> [String: String] {
        let have = try await ctx.environment.elbv2.describeLoadBalancerAttributes(arn: arn)
        return Self.attributes.filter { have[$0.key] != $0.value }
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        if existing.attributes["scheme"] == "internal" {
            let missing = try await missingAttributes(ctx, arn: existing.id)
            if !missing.isEmpty { _ = try await ctx.environment.elbv2.modifyLoadBalancerAttributes(arn: existing.id, attributes: missing) }
            return try await waitActive(ctx, arn: existing.id)
        }
        throw AWSError(kind: .configuration, code: "LoadBalancerNotInternal",
                       message: "load balancer \(existing.id) is not internal", resource: existing.id,
                       hint: "privgw never exposes an API publicly: run `privgw down` and `privgw up` to recreate it")
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let groups = givenGroups.isEmpty ? [try ctx.record(of: "alb-sg").id] : givenGroups
        let lb = try await env.elbv2.createLoadBalancer(
            name: Ownership.elbName(stack: env.stack), subnetIds: env.spec.subnets, securityGroupIds: groups,
            scheme: "internal", type: "application", ipAddressType: "ipv4", tags: env.tags(id))
        try await ctx.remember("id", lb.arn)
        _ = try await env.elbv2.modifyLoadBalancerAttributes(arn: lb.arn, attributes: Self.attributes)
        return try await waitActive(ctx, arn: lb.arn)
    }

    func waitActive(_ ctx: StepContext<AWSEnvironment>, arn: String) async throws -> ResourceRecord {
        let env = ctx.environment
        var last: ELBv2Client.LoadBalancer?
        // ALBs take 2-4 minutes on AWS (botocore's LoadBalancerAvailable waiter: 15 s x 40). Capped at 4 s, a ready
        // ALB is noticed at most 4 s late: it is on the critical path of the ALB design (docs/performance.md).
        try await ctx.poll(what: "load balancer \(arn) to become active",
                           schedule: PollSchedule(first: 2, factor: 1.5, max: 4, timeout: 900),
                           hint: "check the load balancer's state in the EC2 console; `privgw up` resumes the wait",
                           checkAtOnce: false) {
            guard let lb = try await describe(env, arn: arn) else {
                throw AWSError(kind: .service, code: "LoadBalancerNotFound", message: "load balancer vanished while provisioning", resource: arn)
            }
            if lb.state == "failed" {
                throw AWSError(kind: .service, code: "LoadBalancerFailed", message: lb.stateReason ?? "provisioning failed", resource: arn)
            }
            last = lb
            return lb.state == "active"
        }
        guard let lb = last else { throw AWSError(kind: .service, code: "LoadBalancerNotFound", message: "", resource: arn) }
        return record(lb)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        guard let lb = try await describe(env, arn: record.id) else { return }
        let tags = try await env.elbv2.describeTags(resourceArns: [lb.arn])[lb.arn] ?? [:]
        guard Ownership.isOwned(tags, stack: env.stack) else {
            throw Ownership.foreign(kind, lb.arn, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        try await env.elbv2.deleteLoadBalancer(arn: record.id)
        // Its security group can only go once the ALB (and, with a lag, its ENIs) is gone.
        try await ctx.poll(what: "load balancer \(record.id) to be deleted",
                           schedule: PollSchedule(first: 5, factor: 1.5, max: 15, timeout: 600)) {
            try await describe(env, arn: record.id) == nil
        }
    }
}
