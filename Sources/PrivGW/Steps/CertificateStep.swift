// The ACM certificate: the user's (validated for coverage) or a new one DNS-validated through a public zone.
import AWSCore
import AWSServices
import Foundation

public struct CertificateStep: Step {
    public let id: String
    public let kind = "certificate"
    public let dependsOn: [String] = []
    /// The names the certificate must cover (the first is its domain name).
    let domains: [String]

    public init(id: String = "certificate", domains: [String]) {
        self.id = id
        self.domains = domains
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        switch env.spec.certificate {
        case .existing(let arn):
            let cert: ACMClient.Certificate
            do {
                cert = try await env.acm.describeCertificate(arn: arn)
            } catch let e as AWSError where e.isNotFound {
                throw e.about(arn, hint: "check `certificate.arn` in the spec (and that it is in \(env.region))")
            }
            for d in domains where !Self.covers(cert, d) {
                throw AWSError(kind: .configuration, code: "CertificateDoesNotCoverDomain",
                               message: "certificate \(arn) is for \(([cert.domainName] + cert.subjectAlternativeNames).joined(separator: ", ")), not \(d)",
                               resource: arn, hint: "give a certificate whose name or SANs cover \(d), or use `certificate.validationZone`")
            }
            if !cert.isIssued {
                ctx.progress.warning("certificate \(arn) is \(cert.status), not ISSUED: HTTPS will fail until it is")
            }
            return record(cert, owned: false)
        case .validated:
            var cert: ACMClient.Certificate?
            if let journaled { cert = try await describe(env, journaled.id) }
            if cert == nil { cert = try await findByTags(env) }
            guard let cert else { return nil }
            // Not yet issued (e.g. requested by an interrupted run): `diff` reports it and `update` validates.
            let keys = Self.validationKeys
            let remembered = Dictionary(uniqueKeysWithValues: keys.compactMap { k in ctx.fact(k).map { (k, $0) } })
            var validation = journaled?.attributes ?? remembered
            // Crash safety: `validate` remembers these facts one by one after its UPSERT, so a run killed in between
            // leaves none or only some of them (and the certificate may already be ISSUED, so `diff` would not
            // validate again): `down` would then leave the CNAME behind, and `up` never write it. The records are
            // ACM's, not privgw's choice: take them from the certificate itself.
            if case .validated(let zone) = env.spec.certificate, !keys.allSatisfy({ validation[$0] != nil }),
               let records = cert.validationRecords, !records.isEmpty {
                validation = Self.validationFacts(zone: zone, records: records)
            }
            return record(cert, owned: true, validation: validation)
        }
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        guard existing.owned, let status = existing.attributes["status"] else { return nil }
        if status != "ISSUED" { return "finish DNS validation (now \(status))" }
        // A run killed between the request and the UPSERT leaves an issued certificate (ACM reuses an account's
        // CNAME for a name; moto issues at once) without its CNAME, which managed renewal needs: `update` writes it.
        let env = ctx.environment
        guard let zone = existing.attributes["validationZone"] else { return nil }
        for (name, type, value) in Self.written(existing.attributes) {
            if try await validationRecord(env, zone: zone, name: name, type: type, value: value) == nil {
                return "write the DNS validation record \(name) (ACM renews the certificate through it)"
            }
        }
        return nil
    }

    /// The record set `name`/`type` in `zone` if it holds exactly `value` (privgw's CNAME), else nil.
    func validationRecord(_ env: AWSEnvironment, zone: String, name: String, type: String,
                          value: String) async throws -> Route53Client.RecordSet? {
        let existing = try await env.route53.listResourceRecordSets(zoneId: zone, startName: name, startType: type, maxItems: 1)
        guard let rs = existing.records.first, dnsEqual(rs.name, name), rs.type == type, rs.values == [value] else { return nil }
        return rs
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        try await validate(ctx, arn: existing.id)
    }

    static func covers(_ cert: ACMClient.Certificate, _ domain: String) -> Bool {
        ([cert.domainName] + cert.subjectAlternativeNames).contains { name in
            if dnsEqual(name, domain) { return true }
            if name.hasPrefix("*.") {
                let suffix = String(name.dropFirst(1)) // ".example.com"
                let d = domain.lowercased()
                return d.hasSuffix(suffix.lowercased()) && !d.dropLast(suffix.count).contains(".")
            }
            return false
        }
    }

    func describe(_ env: AWSEnvironment, _ arn: String) async throws -> ACMClient.Certificate? {
        try await orNilIfNotFound { try await env.acm.describeCertificate(arn: arn) }
    }

    func findByTags(_ env: AWSEnvironment) async throws -> ACMClient.Certificate? {
        let candidates = try await env.acm.listAllCertificates()
            .filter { ($0.domainName.map { dnsEqual($0, domains[0]) }) ?? false }
        for c in candidates {
            let tags = try await env.acm.listTagsForCertificate(arn: c.arn)
            if Ownership.isOwned(tags, stack: env.stack, step: id), let cert = try await describe(env, c.arn) { return cert }
        }
        return nil
    }

    func record(_ cert: ACMClient.Certificate, owned: Bool, validation: [String: String] = [:]) -> ResourceRecord {
        var attrs: [String: String] = ["status": cert.status, "domain": cert.domainName]
        if let notAfter = cert.notAfter { attrs["notAfter"] = ISO8601DateFormatter().string(from: notAfter) }
        for key in Self.validationKeys {
            if let v = validation[key] { attrs[key] = v }
        }
        return ResourceRecord(step: id, kind: kind, id: cert.arn, owned: owned, attributes: attrs)
    }

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        let env = ctx.environment
        let arn = try await env.acm.requestCertificate(.init(
            domainName: domains[0], subjectAlternativeNames: Array(domains.dropFirst()), validationMethod: "DNS",
            idempotencyToken: token, tags: env.tags(id)))
        try await ctx.remember("id", arn)
        return try await validate(ctx, arn: arn)
    }

    /// UPSERTs the validation record in the public zone, then waits for ISSUED.
    func validate(_ ctx: StepContext<AWSEnvironment>, arn: String) async throws -> ResourceRecord {
        let env = ctx.environment
        guard case .validated(let zone) = env.spec.certificate else {
            throw AWSError(kind: .configuration, code: "NoValidationZone", message: "no validation zone", resource: arn)
        }
        // ACM fills in the validation record a few seconds after the request.
        var records: [ACMClient.ValidationRecord] = []
        // The last answer: its status is known, so the wait for ISSUED does not ask again at once.
        var latest: ACMClient.Certificate?
        try await ctx.poll(what: "certificate \(arn) validation record",
                           schedule: PollSchedule(first: 2, factor: 1.5, max: 10, timeout: 180)) {
            let cert = try await env.acm.describeCertificate(arn: arn)
            latest = cert
            // Written even when already issued: ACM's managed renewal needs the CNAME to stay in place.
            if let r = cert.validationRecords, !r.isEmpty { records = r; return true }
            return cert.isIssued
        }
        var facts: [String: String] = [:]
        if !records.isEmpty {
            let unique = Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }).values
            let change = try await env.route53.changeResourceRecordSets(
                zoneId: zone,
                changes: unique.map { .init(.upsert, .plain(name: $0.name, type: $0.type, ttl: 300, values: [$0.value])) },
                comment: "privgw \(env.stack): ACM validation")
            // One CNAME per name the certificate covers: all of them are remembered, so that `down` removes each.
            facts = Self.validationFacts(zone: zone, records: Array(unique))
            for (k, v) in facts { try await ctx.remember(k, v) }
            _ = change
        }
        var status = latest?.status ?? ""
        if latest?.isIssued != true {
            try await ctx.poll(what: "certificate \(arn) to be issued (DNS validation)",
                               schedule: PollSchedule(first: 2, factor: 1.5, max: 3, timeout: 1800),
                               hint: "ACM validates once the CNAME in zone \(zone) resolves publicly; check the zone is delegated",
                               checkAtOnce: latest == nil) {
                let cert = try await env.acm.describeCertificate(arn: arn)
                latest = cert
                status = cert.status
                if ["FAILED", "VALIDATION_TIMED_OUT", "REVOKED"].contains(cert.status) {
                    throw AWSError(kind: .service, code: "CertificateValidationFailed",
                                   message: "certificate \(arn) is \(cert.status): \(cert.failureReason ?? "no reason given")",
                                   resource: arn, hint: "check the validation record in zone \(zone), then run `privgw up` again")
                }
                return cert.isIssued
            }
        }
        guard let cert = latest, cert.isIssued else {
            throw AWSError(kind: .service, code: "ResourceNotFoundException", message: "certificate vanished (\(status))", resource: arn)
        }
        return record(cert, owned: true, validation: facts)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        let exists = try await describe(env, record.id) != nil
        if exists {
            let tags = try await env.acm.listTagsForCertificate(arn: record.id)
            guard Ownership.isOwned(tags, stack: env.stack) else {
                throw Ownership.foreign(kind, record.id, stack: env.stack, fix: "privgw deletes only what it tagged")
            }
        }
        // The validation CNAMEs privgw wrote in the public zone go first (only where they still hold privgw's value):
        // they can be rediscovered only through the certificate (see `find`), so once it is deleted, a run killed
        // before removing them would leave them behind for good.
        if let zone = record.attributes["validationZone"] {
            for (name, type, value) in Self.written(record.attributes) {
                if let rs = try await validationRecord(env, zone: zone, name: name, type: type, value: value) {
                    _ = try await env.route53.changeResourceRecordSets(zoneId: zone, changes: [.init(.delete, rs)],
                                                                       comment: "privgw \(env.stack): remove ACM validation")
                }
            }
        }
        if exists {
            // Listeners and API Gateway domains release the certificate with a lag (ResourceInUseException): retry.
            try await ctx.deleteWhenReleased(what: "certificate \(record.id) to be released by its listener and domain",
                                             inUseCodes: ["ResourceInUseException"],
                                             schedule: PollSchedule(first: 5, factor: 1.5, max: 30, timeout: 900)) {
                try await env.acm.deleteCertificate(arn: record.id)
            }
        }
    }

    /// The validation records a record's attributes say privgw wrote.
    static func written(_ a: [String: String]) -> [(String, String, String)] {
        var written = decode(a["validationRecords"] ?? "")
        if written.isEmpty, let name = a["validationName"], let type = a["validationType"], let value = a["validationValue"] {
            written = [(name, type, value)]  // journals written before every record was remembered
        }
        return written
    }

    /// The facts `validate` remembers (and `find` derives from the certificate when a crash lost some of them).
    static func validationFacts(zone: String, records: [ACMClient.ValidationRecord]) -> [String: String] {
        let unique = Dictionary(records.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }).values
            .sorted { $0.name < $1.name }
        guard let first = unique.first else { return [:] }
        return ["validationZone": zone, "validationName": first.name, "validationType": first.type,
                "validationValue": first.value,
                "validationRecords": encode(unique.map { ($0.name, $0.type, $0.value) })]
    }

    static let validationKeys = ["validationZone", "validationName", "validationType", "validationValue", "validationRecords"]

    /// `name|type|value;...`: DNS names, record types and ACM's CNAME values contain neither separator.
    static func encode(_ records: [(String, String, String)]) -> String {
        records.map { "\($0.0)|\($0.1)|\($0.2)" }.joined(separator: ";")
    }

    static func decode(_ text: String) -> [(String, String, String)] {
        text.split(separator: ";").compactMap { part in
            let f = part.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            return f.count == 3 ? (f[0], f[1], f[2]) : nil
        }
    }
}
