// Route 53 values privgw reads and writes (zones, VPCs, changes, record sets), and their XML reading and writing.
//
// Elements are written in the order of botocore's `route53` shape members; reading is by name and checks the fields
// the model marks required, throwing `AWSError(.malformedResponse)` that names the operation and the field.
import AWSCore
import Foundation

extension Route53Client {
    public struct VPC: Sendable, Equatable {
        public var id: String
        public var region: String

        public init(id: String, region: String) {
            self.id = id
            self.region = region
        }
    }

    public struct HostedZone: Sendable, Equatable {
        /// Bare id (`Z…`, without `/hostedzone/`).
        public var id: String
        /// With the trailing dot Route 53 adds, e.g. `corp.internal.`.
        public var name: String
        public var callerReference: String
        public var privateZone: Bool
        public var comment: String?
        public var recordSetCount: Int?
    }

    public struct ChangeInfo: Sendable, Equatable {
        /// Bare id (`C…`, without `/change/`).
        public var id: String
        /// `PENDING` or `INSYNC`.
        public var status: String
        public var submittedAt: Date?

        public var isInSync: Bool { status == "INSYNC" }
    }

    public struct AliasTarget: Sendable, Equatable {
        public var hostedZoneId: String
        public var dnsName: String
        public var evaluateTargetHealth: Bool

        public init(hostedZoneId: String, dnsName: String, evaluateTargetHealth: Bool = false) {
            self.hostedZoneId = hostedZoneId
            self.dnsName = dnsName
            self.evaluateTargetHealth = evaluateTargetHealth
        }
    }

    /// A simple-routing record set: either TTL + values, or an alias target.
    public struct RecordSet: Sendable, Equatable {
        public var name: String
        /// `A`, `AAAA`, `CNAME`, `TXT`, ...
        public var type: String
        /// Only for non-alias records (Route 53 rejects a TTL on an alias).
        public var ttl: Int?
        public var values: [String]
        public var aliasTarget: AliasTarget?
        /// Only for weighted/latency/... records, which privgw does not make; kept so such a record can be deleted.
        public var setIdentifier: String?

        public init(name: String, type: String, ttl: Int?, values: [String], aliasTarget: AliasTarget? = nil,
                    setIdentifier: String? = nil) {
            self.name = name
            self.type = type
            self.ttl = ttl
            self.values = values
            self.aliasTarget = aliasTarget
            self.setIdentifier = setIdentifier
        }

        public static func alias(name: String, type: String = "A", target: AliasTarget) -> RecordSet {
            RecordSet(name: name, type: type, ttl: nil, values: [], aliasTarget: target)
        }

        public static func plain(name: String, type: String, ttl: Int, values: [String]) -> RecordSet {
            RecordSet(name: name, type: type, ttl: ttl, values: values)
        }
    }
}

extension Route53Client {
    static func malformed(_ operation: String, _ detail: String) -> AWSError {
        AWSError(kind: .malformedResponse, code: "MalformedResponse", message: "\(operation) response \(detail)",
                 service: ServiceDescriptor.route53.signingName, operation: operation)
    }

    static func required(_ node: XMLTree, _ path: String, _ operation: String) throws -> String {
        guard let value = node.string(path), !value.isEmpty else {
            throw malformed(operation, "lacks required field `\(node.name).\(path)`")
        }
        return value
    }

    static func hostedZone(_ node: XMLTree, _ op: String) throws -> HostedZone {
        HostedZone(id: bareId(try required(node, "Id", op)), name: try required(node, "Name", op),
                   callerReference: node.string("CallerReference") ?? "",
                   privateZone: node.string("Config.PrivateZone") == "true", comment: node.string("Config.Comment"),
                   recordSetCount: node.string("ResourceRecordSetCount").flatMap { Int($0) })
    }

    static func vpc(_ node: XMLTree, _ op: String) throws -> VPC {
        VPC(id: try required(node, "VPCId", op), region: node.string("VPCRegion") ?? "")
    }

    static func changeInfo(_ node: XMLTree, _ op: String) throws -> ChangeInfo {
        ChangeInfo(id: bareId(try required(node, "Id", op)), status: try required(node, "Status", op),
                   submittedAt: node.string("SubmittedAt").flatMap(parseTimestamp))
    }

    static func recordSet(_ node: XMLTree, _ op: String) throws -> RecordSet {
        var alias: AliasTarget? = nil
        if let a = node.child("AliasTarget") {
            alias = AliasTarget(hostedZoneId: try required(a, "HostedZoneId", op), dnsName: try required(a, "DNSName", op),
                                evaluateTargetHealth: a.string("EvaluateTargetHealth") == "true")
        }
        // moto reports TTL 0 on alias records; AWS sends none. An alias has no TTL of its own either way.
        let ttl = alias == nil ? node.string("TTL").flatMap { Int($0) } : nil
        return RecordSet(name: try required(node, "Name", op), type: try required(node, "Type", op), ttl: ttl,
                         values: node.list("ResourceRecords", item: "ResourceRecord").compactMap { $0.string("Value") },
                         aliasTarget: alias, setIdentifier: node.string("SetIdentifier"))
    }

    static func recordSetXML(_ r: RecordSet) -> String {
        var x = "<ResourceRecordSet>" + element("Name", r.name) + element("Type", r.type)
        if let s = r.setIdentifier { x += element("SetIdentifier", s) }
        if let alias = r.aliasTarget {
            x += "<AliasTarget>" + element("HostedZoneId", alias.hostedZoneId) + element("DNSName", alias.dnsName)
                + element("EvaluateTargetHealth", alias.evaluateTargetHealth ? "true" : "false") + "</AliasTarget>"
        } else {
            if let ttl = r.ttl { x += element("TTL", String(ttl)) }
            x += "<ResourceRecords>" + r.values.map { "<ResourceRecord>" + element("Value", $0) + "</ResourceRecord>" }.joined()
                + "</ResourceRecords>"
        }
        return x + "</ResourceRecordSet>"
    }

    /// ISO 8601 with or without fractional seconds (AWS sends `...Z` with milliseconds, moto with microseconds).
    static func parseTimestamp(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        // More than millisecond precision is not accepted by the formatter: drop the fraction.
        if let dot = s.firstIndex(of: "."), let z = s.lastIndex(where: { $0 == "Z" || $0 == "+" }), dot < z {
            return f.date(from: String(s[..<dot]) + String(s[z...]))
        }
        return nil
    }
}
