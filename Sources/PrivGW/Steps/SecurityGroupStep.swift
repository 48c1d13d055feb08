// A security group privgw owns, admitting only HTTPS from one source (the VPC CIDR or another group).
import AWSCore
import AWSServices
import Foundation

public struct SecurityGroupStep: Step {
    /// Where the group's only inbound rule admits HTTPS from.
    public enum Source: Sendable {
        /// The VPC's CIDR block (from the `network` record).
        case vpcCIDR
        /// The security group created by another step (its id from that step's record).
        case groupOfStep(String)
    }

    public let id: String
    public let kind = "security group"
    public let dependsOn: [String]
    let purpose: String
    let source: Source

    /// `alb-sg`: HTTPS from the VPC only. `endpoint-sg`: HTTPS from the ALB's group (ALB design) or the VPC (native).
    public init(id: String, purpose: String, source: Source) {
        self.id = id
        self.purpose = purpose
        self.source = source
        switch source {
        case .vpcCIDR: dependsOn = ["network"]
        case .groupOfStep(let s): dependsOn = ["network", s]
        }
    }

    func groupName(_ stack: String) -> String { "privgw-\(stack)-\(id)" }

    func desiredRule(_ ctx: StepContext<AWSEnvironment>) throws -> EC2Client.IngressRule {
        switch source {
        case .vpcCIDR:
            return .https(from: .cidr(try ctx.record(of: "network").require("cidr")), description: "HTTPS from the VPC (privgw)")
        case .groupOfStep(let s):
            return .https(from: .securityGroup(try ctx.record(of: s).id), description: "HTTPS from the load balancer (privgw)")
        }
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        var found: EC2Client.SecurityGroup?
        if let journaled {
            do {
                found = try await env.ec2.describeSecurityGroups(ids: [journaled.id]).first
            } catch let e as AWSError where e.isNotFound {
                found = nil
            }
        }
        if found == nil {
            var filters = Ownership.ec2Filters(stack: env.stack, step: id)
            filters.append(EC2Filter(name: "vpc-id", values: [env.spec.vpc]))
            found = try await env.ec2.describeSecurityGroups(filters: filters).first
        }
        guard let sg = found else { return nil }
        guard Ownership.isOwned(sg.tags, stack: env.stack) else {
            throw Ownership.foreign(kind, sg.id, stack: env.stack, fix: "remove it from the journal or tag it")
        }
        return record(sg)
    }

    func record(_ sg: EC2Client.SecurityGroup) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: sg.id, attributes: [
            "name": sg.name, "vpc": sg.vpcId ?? "",
            // What `diff` compares: the group's inbound rules, as `find` just read them (not asked for twice).
            "ingress": sg.ingress.map(Self.ruleKey).sorted().joined(separator: ","),
        ])
    }

    /// A rule as `allowsSameAs` compares it: protocol, ports, source.
    static func ruleKey(_ r: EC2Client.IngressRule) -> String {
        let source: String = switch r.source {
        case .cidr(let v): "cidr=\(v)"
        case .securityGroup(let v): "sg=\(v)"
        case .prefixList(let v): "pl=\(v)"
        case .ipv6Cidr(let v): "cidr6=\(v)"
        }
        return "\(r.ipProtocol):\(r.fromPort.map(String.init) ?? "")-\(r.toPort.map(String.init) ?? ""):\(source)"
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        // The source group may not exist yet during planning; then there is nothing to compare.
        guard let rule = try? desiredRule(ctx) else { return nil }
        let present: Bool
        if let ingress = existing.attributes["ingress"] {
            present = ingress.split(separator: ",").contains { $0 == Self.ruleKey(rule) }
        } else {
            // A record journaled before rules were recorded: ask.
            guard let sg = try await ctx.environment.ec2.describeSecurityGroups(ids: [existing.id]).first else { return nil }
            present = sg.ingress.contains { $0.allowsSameAs(rule) }
        }
        return present ? nil : "add inbound HTTPS rule from \(describe(rule.source))"
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        try await authorize(ctx, groupId: existing.id, rule: try desiredRule(ctx))
        return existing
    }

    /// Adds the rule; one that already exists (an earlier attempt's call took effect) is what we want.
    func authorize(_ ctx: StepContext<AWSEnvironment>, groupId: String, rule: EC2Client.IngressRule) async throws {
        do {
            try await ctx.environment.ec2.authorizeSecurityGroupIngress(groupId: groupId, rules: [rule])
        } catch let e as AWSError where e.code == "InvalidPermission.Duplicate" {
            return
        }
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let rule = try desiredRule(ctx)
        let groupId = try await env.ec2.createSecurityGroup(
            name: groupName(env.stack), description: "privgw \(env.stack): \(purpose)", vpcId: env.spec.vpc, tags: env.tags(id))
        try await ctx.remember("id", groupId)
        try await authorize(ctx, groupId: groupId, rule: rule)
        return ResourceRecord(step: id, kind: kind, id: groupId, attributes: ["name": groupName(env.stack), "vpc": env.spec.vpc])
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let ec2 = ctx.environment.ec2
        guard let sg = try await describeOrNil(ec2, record.id) else { return }
        guard Ownership.isOwned(sg.tags, stack: ctx.environment.stack) else {
            throw Ownership.foreign(kind, sg.id, stack: ctx.environment.stack, fix: "privgw deletes only what it tagged")
        }
        // On AWS the group stays in use for a while after the ALB/endpoint ENIs go (DependencyViolation): retry.
        try await ctx.deleteWhenReleased(what: "security group \(record.id) to be released by its network interfaces",
                                         inUseCodes: ["DependencyViolation"],
                                         schedule: PollSchedule(first: 5, factor: 1.5, max: 30, timeout: 900),
                                         hint: "something outside privgw may still use \(record.id): check its network interfaces") {
            try await ec2.deleteSecurityGroup(id: record.id)
        }
    }

    func describeOrNil(_ ec2: EC2Client, _ id: String) async throws -> EC2Client.SecurityGroup? {
        try await orNilIfNotFound { try await ec2.describeSecurityGroups(ids: [id]).first }
    }

    func describe(_ s: EC2Client.IngressRule.Source) -> String {
        switch s {
        case .cidr(let c), .ipv6Cidr(let c): return c
        case .securityGroup(let g): return g
        case .prefixList(let p): return p
        }
    }
}
