// Form parameters for the EC2 and AWS query protocols, with each dialect's list flattening.
import Foundation

public struct QueryParams: Sendable, Equatable {
    public private(set) var items: [QueryItem] = []

    public init(_ pairs: [String: String] = [:]) {
        for (k, v) in pairs.sorted(by: { $0.key < $1.key }) { items.append(QueryItem(k, v)) }
    }

    public mutating func set(_ name: String, _ value: String?) {
        guard let value else { return }
        items.removeAll { $0.name == name }
        items.append(QueryItem(name, value))
    }

    public mutating func set(_ name: String, _ value: Bool?) { set(name, value.map { $0 ? "true" : "false" }) }
    public mutating func set(_ name: String, _ value: Int?) { set(name, value.map(String.init)) }

    /// EC2 flattened list: `Name.1`, `Name.2`, ...
    public mutating func ec2List(_ name: String, _ values: [String]) {
        for (i, v) in values.enumerated() { set("\(name).\(i + 1)", v) }
    }

    /// AWS query list: `Name.member.1`, `Name.member.2`, ...
    public mutating func memberList(_ name: String, _ values: [String]) {
        for (i, v) in values.enumerated() { set("\(name).member.\(i + 1)", v) }
    }

    /// EC2 `Filter.N.Name` / `Filter.N.Value.M`.
    public mutating func ec2Filters(_ filters: [(name: String, values: [String])]) {
        for (i, f) in filters.enumerated() {
            set("Filter.\(i + 1).Name", f.name)
            for (j, v) in f.values.enumerated() { set("Filter.\(i + 1).Value.\(j + 1)", v) }
        }
    }

    /// EC2 `TagSpecification.1.ResourceType` with its tags, so a resource is tagged in the call that creates it.
    public mutating func ec2TagSpecification(resourceType: String, tags: [String: String]) {
        guard !tags.isEmpty else { return }
        set("TagSpecification.1.ResourceType", resourceType)
        for (i, (k, v)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            set("TagSpecification.1.Tag.\(i + 1).Key", k)
            set("TagSpecification.1.Tag.\(i + 1).Value", v)
        }
    }

    /// AWS query `Tags.member.N.Key` / `.Value`.
    public mutating func memberTags(_ name: String = "Tags", _ tags: [String: String]) {
        for (i, (k, v)) in tags.sorted(by: { $0.key < $1.key }).enumerated() {
            set("\(name).member.\(i + 1).Key", k)
            set("\(name).member.\(i + 1).Value", v)
        }
    }

    /// `application/x-www-form-urlencoded` body with Action and Version first.
    func formBody(action: String, version: String) -> Data {
        let all = [QueryItem("Action", action), QueryItem("Version", version)] + items
        return Data(all.map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }.joined(separator: "&").utf8)
    }
}
