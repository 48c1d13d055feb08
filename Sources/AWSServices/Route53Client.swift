// Typed Route 53 calls for privgw: the private hosted zone, the alias / CNAME records in it (and ACM validation
// records), change tracking and zone tags. REST-XML, namespace https://route53.amazonaws.com/doc/2013-04-01/.
//
// Route 53 hands out ids as `/hostedzone/Z…` and `/change/C…`; the client strips those prefixes on the way out and
// accepts either form on the way in, so callers only ever hold the bare id.
import AWSCore
import Foundation

public struct Route53Client: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"
    static let version = "/2013-04-01"

    /// Bare id from `/hostedzone/Z123`, `/change/C123` or `Z123`.
    public static func bareId(_ id: String) -> String {
        for prefix in ["/hostedzone/", "/change/", "hostedzone/", "change/"] where id.hasPrefix(prefix) {
            return String(id.dropFirst(prefix.count))
        }
        return id
    }

    func call(_ operation: String, _ method: String, _ path: String, query: [QueryItem] = [], body: String? = nil,
              idempotent: Bool, mutating: Bool) async throws -> XMLTree {
        try await client.restXML(.route53, operation, method: method, path: Self.version + path, query: query, body: body,
                                 idempotent: idempotent, mutating: mutating)
    }

    static func zonePath(_ id: String) -> String { "/hostedzone/\(URIEncoding.encode(bareId(id)))" }

    /// A request document with the Route 53 namespace on its root element.
    static func document(_ root: String, _ inner: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><\(root) xmlns=\"\(namespace)\">\(inner)</\(root)>"
    }

    static func element(_ name: String, _ value: String) -> String { "<\(name)>\(xmlEscape(value))</\(name)>" }
}

// MARK: - Hosted zones

extension Route53Client {
    public struct CreateHostedZoneInput: Sendable, Equatable {
        public var name: String
        /// Unique per request; makes a retried create return the first zone on AWS (moto ignores it).
        public var callerReference: String
        /// A private zone is associated with this VPC at creation; nil makes a public zone.
        public var vpc: VPC?
        public var comment: String?

        public init(name: String, callerReference: String, vpc: VPC?, comment: String? = nil) {
            self.name = name
            self.callerReference = callerReference
            self.vpc = vpc
            self.comment = comment
        }
    }

    public struct CreateHostedZoneOutput: Sendable, Equatable {
        public var zone: HostedZone
        public var change: ChangeInfo
    }

    /// Idempotent by `callerReference` on AWS (a repeat with the same reference answers `HostedZoneAlreadyExists`
    /// rather than making a second zone); moto ignores the reference and makes another zone.
    public func createHostedZone(_ input: CreateHostedZoneInput) async throws -> CreateHostedZoneOutput {
        var inner = Self.element("Name", input.name)
        if let vpc = input.vpc {
            inner += "<VPC>" + Self.element("VPCRegion", vpc.region) + Self.element("VPCId", vpc.id) + "</VPC>"
        }
        inner += Self.element("CallerReference", input.callerReference)
        var config = ""
        if let comment = input.comment { config += Self.element("Comment", comment) }
        if input.vpc != nil { config += Self.element("PrivateZone", "true") }
        if !config.isEmpty { inner += "<HostedZoneConfig>\(config)</HostedZoneConfig>" }
        let root = try await call("CreateHostedZone", "POST", "/hostedzone",
                                  body: Self.document("CreateHostedZoneRequest", inner), idempotent: true, mutating: true)
        let op = "CreateHostedZone"
        guard let zone = root.child("HostedZone") else { throw Self.malformed(op, "lacks `HostedZone`") }
        guard let change = root.child("ChangeInfo") else { throw Self.malformed(op, "lacks `ChangeInfo`") }
        return CreateHostedZoneOutput(zone: try Self.hostedZone(zone, op), change: try Self.changeInfo(change, op))
    }

    public struct GetHostedZoneOutput: Sendable, Equatable {
        public var zone: HostedZone
        /// The VPCs a private zone is associated with (empty for a public zone).
        public var vpcs: [VPC]
    }

    public func getHostedZone(id: String) async throws -> GetHostedZoneOutput {
        let op = "GetHostedZone"
        let root = try await call(op, "GET", Self.zonePath(id), idempotent: true, mutating: false)
        guard let zone = root.child("HostedZone") else { throw Self.malformed(op, "lacks `HostedZone`") }
        let vpcs = try root.list("VPCs", item: "VPC").map { try Self.vpc($0, op) }
        return GetHostedZoneOutput(zone: try Self.hostedZone(zone, op), vpcs: vpcs)
    }

    public struct HostedZonePage: Sendable, Equatable {
        public var zones: [HostedZone]
        /// Marker for the next page of ListHostedZones (nil on the last page).
        public var nextMarker: String?
        /// ListHostedZonesByName: where the next page starts (nil on the last page).
        public var nextDNSName: String?
        public var nextHostedZoneId: String?
    }

    public func listHostedZones(marker: String? = nil, maxItems: Int? = nil) async throws -> HostedZonePage {
        let op = "ListHostedZones"
        var query: [QueryItem] = []
        if let marker { query.append(QueryItem("marker", marker)) }
        if let maxItems { query.append(QueryItem("maxitems", String(maxItems))) }
        let root = try await call(op, "GET", "/hostedzone", query: query, idempotent: true, mutating: false)
        let truncated = root.string("IsTruncated") == "true"
        return HostedZonePage(zones: try root.list("HostedZones", item: "HostedZone").map { try Self.hostedZone($0, op) },
                              nextMarker: truncated ? root.string("NextMarker") : nil, nextDNSName: nil, nextHostedZoneId: nil)
    }

    /// Zones in DNS-name order starting at `dnsName` (the first zone may have a different name: filter on the result).
    public func listHostedZonesByName(dnsName: String? = nil, hostedZoneId: String? = nil,
                                      maxItems: Int? = nil) async throws -> HostedZonePage {
        let op = "ListHostedZonesByName"
        var query: [QueryItem] = []
        if let dnsName { query.append(QueryItem("dnsname", dnsName)) }
        if let hostedZoneId { query.append(QueryItem("hostedzoneid", Self.bareId(hostedZoneId))) }
        if let maxItems { query.append(QueryItem("maxitems", String(maxItems))) }
        let root = try await call(op, "GET", "/hostedzonesbyname", query: query, idempotent: true, mutating: false)
        let truncated = root.string("IsTruncated") == "true"
        return HostedZonePage(zones: try root.list("HostedZones", item: "HostedZone").map { try Self.hostedZone($0, op) },
                              nextMarker: nil, nextDNSName: truncated ? root.string("NextDNSName") : nil,
                              nextHostedZoneId: truncated ? root.string("NextHostedZoneId").map(Self.bareId) : nil)
    }

    /// Fails with `HostedZoneNotEmpty` while records other than the apex SOA and NS remain.
    @discardableResult
    public func deleteHostedZone(id: String) async throws -> ChangeInfo {
        let op = "DeleteHostedZone"
        let root = try await call(op, "DELETE", Self.zonePath(id), idempotent: true, mutating: true)
        guard let change = root.child("ChangeInfo") else { throw Self.malformed(op, "lacks `ChangeInfo`") }
        return try Self.changeInfo(change, op)
    }
}

// MARK: - Record sets and changes

extension Route53Client {
    public enum ChangeAction: String, Sendable, Equatable {
        case create = "CREATE", upsert = "UPSERT", delete = "DELETE"
    }

    public struct Change: Sendable, Equatable {
        public var action: ChangeAction
        public var recordSet: RecordSet

        public init(_ action: ChangeAction, _ recordSet: RecordSet) {
            self.action = action
            self.recordSet = recordSet
        }
    }

    /// Idempotent when no change is a CREATE: UPSERT converges, and a repeated DELETE fails with `InvalidChangeBatch`
    /// only if the first one already worked. A repeated CREATE would fail on a record the first call made.
    public func changeResourceRecordSets(zoneId: String, changes: [Change], comment: String? = nil) async throws -> ChangeInfo {
        let op = "ChangeResourceRecordSets"
        var batch = ""
        if let comment { batch += Self.element("Comment", comment) }
        batch += "<Changes>"
        for change in changes {
            batch += "<Change>" + Self.element("Action", change.action.rawValue) + Self.recordSetXML(change.recordSet)
                + "</Change>"
        }
        batch += "</Changes>"
        let idempotent = changes.allSatisfy { $0.action != .create }
        let root = try await call(op, "POST", Self.zonePath(zoneId) + "/rrset/",
                                  body: Self.document("ChangeResourceRecordSetsRequest", "<ChangeBatch>\(batch)</ChangeBatch>"),
                                  idempotent: idempotent, mutating: true)
        guard let change = root.child("ChangeInfo") else { throw Self.malformed(op, "lacks `ChangeInfo`") }
        return try Self.changeInfo(change, op)
    }

    public struct RecordSetPage: Sendable, Equatable {
        public var records: [RecordSet]
        /// Where the next page starts; nil when this is the last page.
        public var nextRecordName: String?
        public var nextRecordType: String?
        public var nextRecordIdentifier: String?
    }

    /// Records in Route 53's order starting at (`startName`, `startType`); `startType` needs `startName`.
    public func listResourceRecordSets(zoneId: String, startName: String? = nil, startType: String? = nil,
                                       startIdentifier: String? = nil, maxItems: Int? = nil) async throws -> RecordSetPage {
        let op = "ListResourceRecordSets"
        var query: [QueryItem] = []
        if let startName { query.append(QueryItem("name", startName)) }
        if let startType { query.append(QueryItem("type", startType)) }
        if let startIdentifier { query.append(QueryItem("identifier", startIdentifier)) }
        if let maxItems { query.append(QueryItem("maxitems", String(maxItems))) }
        let root = try await call(op, "GET", Self.zonePath(zoneId) + "/rrset", query: query, idempotent: true, mutating: false)
        let records = try root.list("ResourceRecordSets", item: "ResourceRecordSet").map { try Self.recordSet($0, op) }
        let truncated = root.string("IsTruncated") == "true"
        return RecordSetPage(records: records, nextRecordName: truncated ? root.string("NextRecordName") : nil,
                             nextRecordType: truncated ? root.string("NextRecordType") : nil,
                             nextRecordIdentifier: truncated ? root.string("NextRecordIdentifier") : nil)
    }

    /// Every record of the zone (bounded to `maxPages` pages, and stops if a page does not advance).
    public func listAllResourceRecordSets(zoneId: String, maxPages: Int = 100) async throws -> [RecordSet] {
        var all: [RecordSet] = []
        var next: (String?, String?, String?) = (nil, nil, nil)
        for _ in 0..<maxPages {
            let page = try await listResourceRecordSets(zoneId: zoneId, startName: next.0, startType: next.1,
                                                        startIdentifier: next.2)
            all += page.records
            guard let name = page.nextRecordName else { break }
            let candidate = (Optional(name), page.nextRecordType, page.nextRecordIdentifier)
            if candidate == next { break }
            next = candidate
        }
        return all
    }

    /// `PENDING` until the change has reached every Route 53 server, then `INSYNC`.
    public func getChange(id: String) async throws -> ChangeInfo {
        let op = "GetChange"
        let root = try await call(op, "GET", "/change/\(URIEncoding.encode(Self.bareId(id)))", idempotent: true, mutating: false)
        guard let change = root.child("ChangeInfo") else { throw Self.malformed(op, "lacks `ChangeInfo`") }
        return try Self.changeInfo(change, op)
    }
}

// MARK: - Tags

extension Route53Client {
    /// Adds (or overwrites) and removes tags on a hosted zone. Idempotent: the result is the same however often sent.
    public func changeTagsForHostedZone(id: String, add: [String: String], removeKeys: [String] = []) async throws {
        var inner = ""
        if !add.isEmpty {
            inner += "<AddTags>"
            for (k, v) in add.sorted(by: { $0.key < $1.key }) {
                inner += "<Tag>" + Self.element("Key", k) + Self.element("Value", v) + "</Tag>"
            }
            inner += "</AddTags>"
        }
        if !removeKeys.isEmpty {
            inner += "<RemoveTagKeys>" + removeKeys.map { Self.element("Key", $0) }.joined() + "</RemoveTagKeys>"
        }
        _ = try await call("ChangeTagsForResource", "POST", "/tags/hostedzone/\(URIEncoding.encode(Self.bareId(id)))",
                           body: Self.document("ChangeTagsForResourceRequest", inner), idempotent: true, mutating: true)
    }

    public func listTagsForHostedZone(id: String) async throws -> [String: String] {
        let root = try await call("ListTagsForResource", "GET", "/tags/hostedzone/\(URIEncoding.encode(Self.bareId(id)))",
                                  idempotent: true, mutating: false)
        var tags: [String: String] = [:]
        for tag in root.list("ResourceTagSet.Tags", item: "Tag") {
            guard let key = tag.string("Key") else { throw Self.malformed("ListTagsForResource", "has a tag without `Key`") }
            tags[key] = tag.string("Value") ?? ""
        }
        return tags
    }
}
