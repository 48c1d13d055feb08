// The ALB's HTTPS:443 listener: the certificate, a TLS 1.3 security policy, forwarding to the target group.
import AWSCore
import AWSServices
import Foundation

public struct ListenerStep: Step {
    public let id = "listener"
    public let kind = "listener"
    public let dependsOn = ["alb", "target-group", "certificate"]

    public init() {}

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        if let journaled, let l = try await describe(env, arn: journaled.id) { return record(l) }
        // A listener belongs to its load balancer: on privgw's (tagged) ALB, the HTTPS:443 one is privgw's.
        guard let lb = try ctx.optionalRecord(of: "alb")?.id else { return nil }
        let listeners: [ELBv2Client.Listener]
        do {
            listeners = try await env.elbv2.describeListeners(loadBalancerArn: lb)
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
        return listeners.first { $0.port == 443 }.map(record)
    }

    func describe(_ env: AWSEnvironment, arn: String) async throws -> ELBv2Client.Listener? {
        do {
            return try await env.elbv2.describeListeners(arns: [arn]).first
        } catch let e as AWSError where e.isNotFound {
            return nil
        }
    }

    func record(_ l: ELBv2Client.Listener) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: l.arn, attributes: [
            "port": String(l.port), "protocol": l.protocol, "sslPolicy": l.sslPolicy ?? "",
            "certificate": l.certificates.first?.arn ?? "", "targetGroup": l.defaultTargetGroupArn ?? "",
        ])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        var changes: [String] = []
        if let cert = try ctx.optionalRecord(of: "certificate")?.id, existing.attributes["certificate"] != cert {
            changes.append("certificate → \(cert)")
        }
        if let tg = try ctx.optionalRecord(of: "target-group")?.id, existing.attributes["targetGroup"] != tg {
            changes.append("forward to → \(tg)")
        }
        return changes.isEmpty ? nil : changes.joined(separator: ", ") + " (recreate with `down`/`up`)"
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        ctx.progress.warning("listener \(existing.id) differs from the spec; run `privgw down` then `privgw up` to rebuild it")
        return existing
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let l = try await env.elbv2.createListener(
            loadBalancerArn: try ctx.record(of: "alb").id, certificateArn: try ctx.record(of: "certificate").id,
            targetGroupArn: try ctx.record(of: "target-group").id, protocol: "HTTPS", port: 443,
            sslPolicy: ELBv2Client.recommendedSSLPolicy, tags: env.tags(id))
        return record(l)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        do {
            try await ctx.environment.elbv2.deleteListener(arn: record.id)
        } catch let e as AWSError where e.isNotFound {
            return
        }
    }
}
