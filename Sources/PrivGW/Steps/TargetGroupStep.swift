// The IP target group (HTTPS:443) with the configured health check, and the registration of the endpoint's ENI IPs.
import AWSCore
import AWSServices
import Foundation

public struct TargetGroupStep: Step {
    public let id = "target-group"
    public let kind = "target group"
    public let dependsOn = ["network"]

    public init() {}

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        var tg: ELBv2Client.TargetGroup?
        if let journaled { tg = try await describe(env, arn: journaled.id) }
        if tg == nil { tg = try await describe(env, name: Ownership.elbName(stack: env.stack)) }
        guard let tg else { return nil }
        let tags = try await env.elbv2.describeTags(resourceArns: [tg.arn])[tg.arn] ?? [:]
        guard Ownership.isOwned(tags, stack: env.stack) else {
            throw Ownership.foreign(kind, tg.arn, stack: env.stack, fix: "rename the stack (`name:`) or delete that target group")
        }
        return record(tg)
    }

    func describe(_ env: AWSEnvironment, arn: String? = nil, name: String? = nil) async throws -> ELBv2Client.TargetGroup? {
        do {
            return try await env.elbv2.describeTargetGroups(arns: arn.map { [$0] } ?? [], names: name.map { [$0] } ?? []).first
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ tg: ELBv2Client.TargetGroup) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: tg.arn, attributes: [
            "name": tg.name, "healthCheckPath": tg.healthCheckPath ?? "", "matcher": tg.matcher ?? "",
            "targetType": tg.targetType,
        ])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        let hc = ctx.environment.spec.healthCheck
        var changes: [String] = []
        if existing.attributes["healthCheckPath"] != hc.path { changes.append("health check path \(existing.attributes["healthCheckPath"] ?? "") → \(hc.path)") }
        if existing.attributes["matcher"] != hc.codes { changes.append("healthy codes \(existing.attributes["matcher"] ?? "") → \(hc.codes)") }
        return changes.isEmpty ? nil : changes.joined(separator: ", ") + " (not applied: recreate with `down`/`up`)"
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        // ModifyTargetGroup is outside privgw's thin client; the drift is reported and left as is.
        ctx.progress.warning("target group \(existing.id): health check differs from the spec; recreate the stack to apply it")
        return existing
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let hc = env.spec.healthCheck
        let tg = try await env.elbv2.createTargetGroup(
            name: Ownership.elbName(stack: env.stack), vpcId: env.spec.vpc, protocol: "HTTPS", port: 443, targetType: "ip",
            healthCheckProtocol: "HTTPS", healthCheckPath: hc.path, matcher: hc.codes, healthCheckEnabled: true,
            tags: env.tags(id))
        return record(tg)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        guard let tg = try await describe(env, arn: record.id) else { return }
        let tags = try await env.elbv2.describeTags(resourceArns: [tg.arn])[tg.arn] ?? [:]
        guard Ownership.isOwned(tags, stack: env.stack) else {
            throw Ownership.foreign(kind, tg.arn, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        // A listener that forwards to it keeps it ResourceInUse for a moment after the listener is deleted.
        try await ctx.deleteWhenReleased(what: "target group \(record.id) to be released by its listener",
                                         inUseCodes: ["ResourceInUse"],
                                         schedule: PollSchedule(first: 2, factor: 1.5, max: 15, timeout: 300)) {
            try await env.elbv2.deleteTargetGroup(arn: record.id)
        }
    }
}

/// The endpoint's ENI IPs registered in the target group; converges when the IPs change.
public struct TargetsStep: Step {
    public let id = "targets"
    public let kind = "targets"
    public let dependsOn = ["target-group", "endpoint"]

    public init() {}

    func targetGroup(_ ctx: StepContext<AWSEnvironment>) throws -> String { try ctx.record(of: "target-group").id }

    func registered(_ ctx: StepContext<AWSEnvironment>, _ tg: String) async throws -> [ELBv2Client.TargetHealth] {
        do {
            return try await ctx.environment.elbv2.describeTargetHealth(targetGroupArn: tg)
        } catch let e as AWSError where e.isNotFound {
            return []
        }
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let tg = try ctx.optionalRecord(of: "target-group")?.id else { return nil }
        let health = try await registered(ctx, tg)
        guard !health.isEmpty else { return nil }
        return record(tg, ips: health.map(\.target.id), health: health)
    }

    func record(_ tg: String, ips: [String], health: [ELBv2Client.TargetHealth] = []) -> ResourceRecord {
        var attrs = ["ips": ips.sorted().joined(separator: ",")]
        if !health.isEmpty {
            attrs["health"] = health.sorted { $0.target.id < $1.target.id }.map { "\($0.target.id)=\($0.state)" }.joined(separator: ",")
        }
        return ResourceRecord(step: id, kind: kind, id: tg, attributes: attrs)
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        guard let endpoint = try ctx.optionalRecord(of: "endpoint") else { return nil }
        let want = Set(endpoint.list("ips")), have = Set(existing.list("ips"))
        if want == have { return nil }
        var parts: [String] = []
        let add = want.subtracting(have).sorted(), remove = have.subtracting(want).sorted()
        if !add.isEmpty { parts.append("register \(add.joined(separator: ", "))") }
        if !remove.isEmpty { parts.append("deregister \(remove.joined(separator: ", "))") }
        return "endpoint IPs changed: " + parts.joined(separator: "; ")
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        let tg = try targetGroup(ctx)
        let want = Set(try ctx.record(of: "endpoint").list("ips")), have = Set(existing.list("ips"))
        let add = want.subtracting(have), remove = have.subtracting(want)
        if !add.isEmpty {
            try await ctx.environment.elbv2.registerTargets(targetGroupArn: tg, targets: add.sorted().map { .init(id: $0, port: 443) })
        }
        if !remove.isEmpty {
            try await ctx.environment.elbv2.deregisterTargets(targetGroupArn: tg, targets: remove.sorted().map { .init(id: $0, port: 443) })
        }
        return record(tg, ips: Array(want))
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let tg = try targetGroup(ctx)
        let ips = try ctx.record(of: "endpoint").list("ips")
        guard !ips.isEmpty else {
            throw AWSError(kind: .service, code: "EndpointHasNoIPs", message: "the VPC endpoint has no network interface IPs yet",
                           resource: try ctx.record(of: "endpoint").id, hint: "wait for the endpoint to be available, then run `privgw up` again")
        }
        try await ctx.environment.elbv2.registerTargets(targetGroupArn: tg, targets: ips.map { .init(id: $0, port: 443) })
        return record(tg, ips: ips)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let ips = record.list("ips")
        guard !ips.isEmpty else { return }
        do {
            try await ctx.environment.elbv2.deregisterTargets(targetGroupArn: record.id, targets: ips.map { .init(id: $0, port: 443) })
        } catch let e as AWSError where e.isNotFound || e.code == "InvalidTarget" {
            return
        }
    }
}
