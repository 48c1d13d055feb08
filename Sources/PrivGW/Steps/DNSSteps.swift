// Route 53: the private hosted zone (given or created) and the alias A record for the domain, waited on until INSYNC.
import AWSCore
import AWSServices
import Foundation

public struct PrivateZoneStep: Step {
    public let id = "private-zone"
    public let kind = "private hosted zone"
    public let dependsOn = ["network"]

    public init() {}

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        switch env.spec.privateZone {
        case .existing(let zoneId):
            let out: Route53Client.GetHostedZoneOutput
            do {
                out = try await env.route53.getHostedZone(id: zoneId)
            } catch let e as AWSError where e.isNotFound {
                throw e.about("hosted zone \(zoneId)", hint: "check `privateZone:` in the spec, or write `privateZone: create`")
            }
            guard out.zone.privateZone else {
                throw AWSError(kind: .configuration, code: "ZoneNotPrivate", message: "hosted zone \(zoneId) (\(out.zone.name)) is public",
                               resource: zoneId, hint: "give a private hosted zone associated with \(env.spec.vpc) under `privateZone:`")
            }
            for d in env.spec.domains where !Self.inside(d, out.zone.name) {
                throw AWSError(kind: .configuration, code: "DomainOutsideZone",
                               message: "\(d) is not inside hosted zone \(out.zone.name) (\(zoneId))", resource: zoneId,
                               hint: "choose a domain under \(out.zone.name) or another private zone")
            }
            if !out.vpcs.contains(where: { $0.id == env.spec.vpc }) {
                ctx.progress.warning("private zone \(zoneId) is not associated with \(env.spec.vpc): the name will not resolve there")
            }
            return ResourceRecord(step: id, kind: kind, id: zoneId, owned: false, attributes: ["name": out.zone.name])
        case .create(let name):
            if let journaled, let z = try await get(env, journaled.id) { return record(z) }
            let candidates = try await env.route53.listHostedZonesByName(dnsName: name).zones
                .filter { dnsEqual($0.name, name) && $0.privateZone }
            for z in candidates {
                let tags = try await env.route53.listTagsForHostedZone(id: z.id)
                if Ownership.isOwned(tags, stack: env.stack) { return record(z) }
            }
            return nil
        }
    }

    static func inside(_ domain: String, _ zone: String) -> Bool {
        let d = domain.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        let z = zone.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return d == z || d.hasSuffix("." + z)
    }

    func get(_ env: AWSEnvironment, _ zoneId: String) async throws -> Route53Client.HostedZone? {
        do {
            return try await env.route53.getHostedZone(id: zoneId).zone
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ z: Route53Client.HostedZone) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: z.id, attributes: ["name": z.name])
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        guard case .create(let name) = env.spec.privateZone else {
            throw AWSError(kind: .configuration, code: "ZoneNotFound", message: "the private zone was not found", resource: env.spec.vpc)
        }
        let out = try await env.route53.createHostedZone(.init(
            name: name, callerReference: token, vpc: .init(id: env.spec.vpc, region: env.region),
            comment: "privgw stack \(env.stack)"))
        try await ctx.remember("id", out.zone.id)
        // Route 53 takes tags only after creation.
        try await env.route53.changeTagsForHostedZone(id: out.zone.id, add: env.tags(id))
        return record(out.zone)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        guard try await get(env, record.id) != nil else { return }
        let tags = try await env.route53.listTagsForHostedZone(id: record.id)
        guard Ownership.isOwned(tags, stack: env.stack) else {
            throw Ownership.foreign(kind, record.id, stack: env.stack, fix: "privgw deletes only what it tagged")
        }
        do {
            _ = try await env.route53.deleteHostedZone(id: record.id)
        } catch let e as AWSError where e.isNotFound {
            return
        } catch let e as AWSError where e.code == "HostedZoneNotEmpty" {
            throw e.about(record.id, hint: "the zone holds records privgw did not write; delete them first (privgw never deletes others' records)")
        }
    }
}

/// The alias A record `domain → target` in the private zone; the target is the ALB or the VPC endpoint.
public struct AliasRecordStep: Step {
    public let id: String
    public let kind = "dns record"
    public let dependsOn: [String]
    let domain: String
    /// Step whose record holds the alias target: `alb` (dnsName, canonicalHostedZoneId) or `endpoint` (dnsName, hostedZoneId).
    let targetStep: String

    public init(id: String = "record", domain: String, targetStep: String) {
        self.id = id
        self.domain = domain
        self.targetStep = targetStep
        self.dependsOn = ["private-zone", targetStep]
    }

    func target(_ ctx: StepContext<AWSEnvironment>) throws -> Route53Client.AliasTarget? {
        guard let t = try ctx.optionalRecord(of: targetStep) else { return nil }
        let zone = t.attributes["canonicalHostedZoneId"] ?? t.attributes["hostedZoneId"] ?? ""
        return .init(hostedZoneId: zone, dnsName: try t.require("dnsName"), evaluateTargetHealth: false)
    }

    static func sameTarget(_ a: String, _ b: String) -> Bool {
        func strip(_ s: String) -> String { s.lowercased().hasPrefix("dualstack.") ? String(s.dropFirst(10)) : s }
        return dnsEqual(strip(a), strip(b))
    }

    func current(_ ctx: StepContext<AWSEnvironment>, zone: String) async throws -> Route53Client.RecordSet? {
        let page: Route53Client.RecordSetPage
        do {
            page = try await ctx.environment.route53.listResourceRecordSets(zoneId: zone, startName: domain, startType: "A", maxItems: 1)
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
        return page.records.first { dnsEqual($0.name, domain) && $0.type == "A" }
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let zone = try ctx.optionalRecord(of: "private-zone")?.id, let rs = try await current(ctx, zone: zone) else { return nil }
        var ours = journaled != nil
        if !ours, let t = try target(ctx), let alias = rs.aliasTarget {
            // Without a journal (another machine), the record is privgw's if it points at privgw's (tagged) target.
            ours = Self.sameTarget(alias.dnsName, t.dnsName)
        }
        guard ours else {
            let points = rs.aliasTarget?.dnsName ?? rs.values.joined(separator: ", ")
            throw AWSError(kind: .configuration, code: "RecordExists",
                           message: "\(domain) already has an A record in zone \(zone) pointing at \(points)", resource: domain,
                           hint: "privgw will not overwrite a record it did not write: remove it or choose another `domain:`")
        }
        return record(zone: zone, rs)
    }

    func record(zone: String, _ rs: Route53Client.RecordSet) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: "\(zone)/\(domain)", attributes: [
            "zone": zone, "name": domain, "type": "A",
            "target": rs.aliasTarget?.dnsName ?? "", "targetZone": rs.aliasTarget?.hostedZoneId ?? "",
        ])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        guard let t = try target(ctx) else { return nil }
        return Self.sameTarget(existing.attributes["target"] ?? "", t.dnsName) ? nil : "point at \(t.dnsName)"
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        try await write(ctx, action: .upsert)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        // CREATE, not UPSERT: if someone else's record appeared since `find`, fail rather than overwrite it.
        try await write(ctx, action: .create)
    }

    func write(_ ctx: StepContext<AWSEnvironment>, action: Route53Client.ChangeAction) async throws -> ResourceRecord {
        let env = ctx.environment
        let zone = try ctx.record(of: "private-zone").id
        guard let t = try target(ctx) else { throw StepContextError.missingDependency(step: id, dependency: targetStep) }
        let rs = Route53Client.RecordSet.alias(name: domain, type: "A", target: t)
        let change = try await env.route53.changeResourceRecordSets(zoneId: zone, changes: [.init(action, rs)],
                                                                    comment: "privgw \(env.stack)")
        try await waitInSync(ctx, change)
        return record(zone: zone, rs)
    }

    func waitInSync(_ ctx: StepContext<AWSEnvironment>, _ change: Route53Client.ChangeInfo) async throws {
        guard !change.isInSync else { return }
        try await ctx.poll(what: "DNS change \(change.id) to reach INSYNC",
                           schedule: PollSchedule(first: 2, factor: 1.5, max: 2, timeout: 600), checkAtOnce: false) {
            try await ctx.environment.route53.getChange(id: change.id).isInSync
        }
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        guard let zone = record.attributes["zone"], let rs = try await current(ctx, zone: zone) else { return }
        // Only the record privgw wrote: an alias to the target it recorded.
        guard let alias = rs.aliasTarget, Self.sameTarget(alias.dnsName, record.attributes["target"] ?? "") else {
            ctx.progress.warning("\(domain) in zone \(zone) no longer points where privgw set it; left in place")
            return
        }
        do {
            let change = try await ctx.environment.route53.changeResourceRecordSets(zoneId: zone, changes: [.init(.delete, rs)],
                                                                                    comment: "privgw \(ctx.environment.stack)")
            try await waitInSync(ctx, change)
        } catch let e as AWSError where e.code == "InvalidChangeBatch" && e.message.contains("not found") {
            return
        }
    }
}
