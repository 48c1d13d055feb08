// ALB design with several names: each extra name's certificate is added to the HTTPS listener, chosen by SNI.
import AWSCore
import AWSServices
import Foundation

public struct ListenerCertificatesStep: Step {
    public let id = "listener-certificates"
    public let kind = "listener certificates"
    public let dependsOn: [String]
    /// The certificate steps of the names after the first (whose certificate is the listener's default).
    let certificateSteps: [String]

    public init(certificateSteps: [String]) {
        self.certificateSteps = certificateSteps
        self.dependsOn = ["listener"] + certificateSteps
    }

    func wanted(_ ctx: StepContext<AWSEnvironment>) throws -> Set<String> {
        let defaultCert = try ctx.optionalRecord(of: "listener")?.attributes["certificate"]
        // A given certificate may cover several names: it is the default already, so it is not added again.
        return Set(try certificateSteps.compactMap { try ctx.optionalRecord(of: $0)?.id }.filter { $0 != defaultCert })
    }

    /// The listener's non-default certificates.
    func current(_ ctx: StepContext<AWSEnvironment>, listener: String) async throws -> Set<String>? {
        let certs = try await orNilIfNotFound { try await ctx.environment.elbv2.describeListenerCertificates(listenerArn: listener) }
        return certs.map { Set($0.filter { $0.isDefault != true }.map(\.arn)) }
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        guard let listener = try ctx.optionalRecord(of: "listener")?.id,
              let have = try await current(ctx, listener: listener), !have.isEmpty else { return nil }
        return record(listener, have)
    }

    func record(_ listener: String, _ certs: Set<String>) -> ResourceRecord {
        ResourceRecord(step: id, kind: kind, id: listener, attributes: ["certificates": certs.sorted().joined(separator: ",")])
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        let want = try wanted(ctx), have = Set(existing.list("certificates"))
        guard want != have else { return nil }
        var parts: [String] = []
        let add = want.subtracting(have), remove = have.subtracting(want)
        if !add.isEmpty { parts.append("add \(add.sorted().joined(separator: ", "))") }
        if !remove.isEmpty { parts.append("remove \(remove.sorted().joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        let elb = ctx.environment.elbv2
        let want = try wanted(ctx), have = Set(existing.list("certificates"))
        let add = want.subtracting(have), remove = have.subtracting(want)
        if !add.isEmpty { try await elb.addListenerCertificates(listenerArn: existing.id, certificateArns: add.sorted()) }
        if !remove.isEmpty { try await elb.removeListenerCertificates(listenerArn: existing.id, certificateArns: remove.sorted()) }
        return record(existing.id, want)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let listener = try ctx.record(of: "listener").id
        let want = try wanted(ctx)
        if !want.isEmpty {
            try await ctx.environment.elbv2.addListenerCertificates(listenerArn: listener, certificateArns: want.sorted())
        }
        return record(listener, want)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let certs = record.list("certificates")
        guard !certs.isEmpty else { return }
        // Removed before the certificates themselves, which ACM refuses to delete while a listener uses them.
        do {
            try await ctx.environment.elbv2.removeListenerCertificates(listenerArn: record.id, certificateArns: certs)
        } catch let e as AWSError where e.isNotFound {
            return
        }
    }
}
