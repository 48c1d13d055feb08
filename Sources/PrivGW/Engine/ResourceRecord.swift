// ResourceRecord: what a step knows about its one AWS resource; the journal, plan and status all speak it.
import Foundation

/// What a step records about its resource.
///
/// Steps return one from `find`, `create` and `update`; the runner journals it, hands it to dependent
/// steps (`ctx.record(of:)`) and to `delete`. Keep `attributes` to the facts dependents or `delete` need
/// (DNS name, hosted zone id, comma-separated IPs, ...): they are persisted in plain text.
public struct ResourceRecord: Codable, Sendable, Equatable, Hashable {
    /// The step id, e.g. `alb`. The runner overwrites it with the producing step's id.
    public var step: String
    /// Human resource type, e.g. `load balancer`.
    public var kind: String
    /// The AWS id or ARN.
    public var id: String
    /// False for user-given (bring-your-own) resources: privgw never deletes or rolls them back.
    public var owned: Bool
    /// Extra facts, e.g. `dnsName`, `canonicalHostedZoneId`, `ips` (comma list).
    public var attributes: [String: String]

    public init(step: String, kind: String, id: String, owned: Bool = true, attributes: [String: String] = [:]) {
        self.step = step
        self.kind = kind
        self.id = id
        self.owned = owned
        self.attributes = attributes
    }

    /// The attribute, or a clear error naming the record when a dependency did not provide it.
    public func require(_ key: String) throws -> String {
        guard let value = attributes[key], !value.isEmpty else {
            throw StepContextError.missingAttribute(step: step, kind: kind, id: id, key: key)
        }
        return value
    }

    /// A comma-list attribute (e.g. `ips`) split into its non-empty elements.
    public func list(_ key: String) -> [String] {
        (attributes[key] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
