// What a stack looks like in moto with every id replaced by its role, so that two runs (with and without faults)
// can be compared line by line, and duplicates, leftovers and damage to the user's resources counted.
import Foundation
import TestSupport

/// A multiset of lines, one per resource (or record) in the fixture VPC and zones, ids replaced by roles:
/// `security-group alb-sg ingress=[tcp 443-443 cidr 10.20.0.0/16]`, `load-balancer alb internal ...`.
/// Read from an independent boto3 snapshot (`MotoServer.snapshot()`).
struct StackShape: Equatable, CustomStringConvertible {
    var lines: [String]

    init(_ s: StackSnapshot, fixtures: MotoFixtures) {
        var role: [String: String] = [fixtures.restApiId: "user-api"]
        func tagRole(_ tags: [String: String], _ fallback: String) -> String {
            if let step = tags["privgw:step"] { return "\(tags["privgw:stack"] ?? "?")/\(step)" }
            if let stack = tags["privgw:stack"] { return "\(stack)/?" }
            return fallback
        }
        let endpoints = s.vpcEndpoints.filter { !["deleted", "deleting"].contains($0.state.lowercased()) }
        for g in s.securityGroups { role[g.id] = tagRole(g.tags, "untagged:\(g.name)") }
        for e in endpoints { role[e.id] = tagRole(e.tags, "untagged-endpoint") }
        for l in s.loadBalancers { role[l.arn] = tagRole(l.tags, "untagged:\(l.name)") }
        for t in s.targetGroups { role[t.arn] = tagRole(t.tags, "untagged:\(t.name)") }
        for c in s.certificates { role[c.arn] = tagRole(c.tags, "untagged-cert:\(c.domain)") }
        for a in s.restApis where a.id != fixtures.restApiId { role[a.id] = tagRole(a.tags, "untagged-api:\(a.name)") }
        func r(_ id: String?) -> String { id.map { role[$0] ?? "unknown" } ?? "nil" }
        func rs(_ ids: [String]) -> String { "[" + ids.map(r).sorted().joined(separator: ",") + "]" }

        var out: [String] = []
        for g in s.securityGroups where g.vpcId == fixtures.vpcId && g.name != "default" {
            let rules = g.ingress.map { i in
                "\(i.protocol_ ?? "?") \(i.from.map(String.init) ?? "*")-\(i.to.map(String.init) ?? "*") cidrs=\(i.cidrs.sorted()) groups=\(rs(i.groups))"
            }.sorted()
            out.append("security-group \(r(g.id)) ingress=\(rules)")
        }
        let endpointIPs = Set(endpoints.flatMap(\.ips))
        for e in endpoints where e.vpcId == fixtures.vpcId {
            out.append("vpc-endpoint \(r(e.id)) \(e.serviceName) \(e.state) privateDns=\(e.privateDns.map(String.init) ?? "?") "
                + "subnets=\(e.subnets.count) groups=\(rs(e.groups)) ips=\(e.ips.count)")
        }
        for l in s.loadBalancers {
            let listeners = l.listeners.map { li in
                "\(li.port)/\(li.protocol) \(li.sslPolicy ?? "-") certs=\(rs(li.certificates)) forward=\(rs(li.targetGroups.compactMap { $0 }))"
            }.sorted()
            out.append("load-balancer \(r(l.arn)) \(l.scheme) \(l.type ?? "?") "
                + "dropInvalidHeaders=\(l.attributes["routing.http.drop_invalid_header_fields.enabled"] ?? "?") "
                + "groups=\(rs(l.securityGroups)) listeners=\(listeners)")
        }
        for t in s.targetGroups {
            let targets = t.targets.isEmpty ? "none" : Set(t.targets) == endpointIPs ? "the-endpoint-ips" : "\(t.targets.count)-other"
            out.append("target-group \(r(t.arn)) \(t.protocol ?? "?"):\(t.port.map(String.init) ?? "?") \(t.targetType ?? "?") "
                + "health=\(t.healthCheckProtocol ?? "?") \(t.healthCheckPath ?? "?") \(t.matcher ?? "?") targets=\(targets)")
        }
        for c in s.certificates {
            out.append("certificate \(r(c.arn)) \(c.domain) \(c.status)")
        }
        for a in s.restApis {
            var policy = a.policy ?? "none"
            for e in endpoints { policy = policy.replacingOccurrences(of: e.id, with: "<\(r(e.id))>") }
            out.append("rest-api \(r(a.id)) \(a.name) \(a.endpointTypes.sorted()) policy=\(policy)")
        }
        for d in s.domainNames {
            let maps = d.mappings.map { "\($0.basePath ?? "(none)")->\(r($0.restApiId))/\($0.stage ?? "-")" }.sorted()
            out.append("domain-name \(d.name) \(d.endpointTypes.sorted()) cert=\(r(d.regionalCertificateArn ?? d.certificateArn)) mappings=\(maps)")
        }
        let lbNames = Dictionary(s.loadBalancers.map { ($0.dnsName.lowercased(), r($0.arn)) }, uniquingKeysWith: { a, _ in a })
        for z in s.zones {
            let zoneRole = z.id == fixtures.publicZoneId ? "public" : z.id == fixtures.privateZoneId ? "private"
                : z.id == fixtures.internalZoneId ? "internal" : "other:\(z.name):\(tagRole(z.tags, "untagged"))"
            for rec in z.records where rec.type != "SOA" && rec.type != "NS" {
                var target = "values=\(rec.values.count)"
                if let alias = rec.alias?.lowercased() {
                    let lb = lbNames.first { alias.contains($0.key) }?.value
                    target = "alias=\(lb ?? "other")"
                }
                // ACM's validation names are random (`_3f2a...`): keep only that there is one.
                var name = rec.name
                if name.hasPrefix("_"), let dot = name.firstIndex(of: ".") { name = "_acm-validation" + name[dot...] }
                out.append("record \(zoneRole) \(name) \(rec.type) \(target)")
            }
        }
        lines = out.sorted()
    }

    var description: String { lines.joined(separator: "\n") }

    /// Lines of `self` beyond those of `other` (multiset difference).
    func minus(_ other: StackShape) -> [String] {
        var counts: [String: Int] = [:]
        for l in other.lines { counts[l, default: 0] += 1 }
        var out: [String] = []
        for l in lines {
            if let n = counts[l], n > 0 { counts[l] = n - 1 } else { out.append(l) }
        }
        return out
    }

    /// Resources of a kind and role that `self` has more of than `baseline` (the same resource made twice).
    func duplicates(over baseline: StackShape) -> [String] {
        // The kind and identity of a line: its words up to the first `key=value` one.
        func key(_ line: String) -> String { line.split(separator: " ").prefix { !$0.contains("=") }.joined(separator: " ") }
        var want: [String: Int] = [:]
        for l in baseline.lines { want[key(l), default: 0] += 1 }
        var have: [String: [String]] = [:]
        for l in lines { have[key(l), default: []].append(l) }
        return have.flatMap { k, ls in ls.count > max(1, want[k] ?? 0) ? Array(ls.dropFirst(max(1, want[k] ?? 0))) : [] }.sorted()
    }
}
