// `manageApiPolicy: true`: the stack's endpoint admitted into an existing REST API's resource policy (then the mapped
// stages redeployed, since a policy applies only from the next deployment), and exactly that taken out again on `down`.
import AWSCore
import AWSServices
import Foundation

/// One per existing (non-demo) API of `apis:`. What privgw adds to the API's policy, and removes on `down`:
/// - one `Allow execute-api:Invoke` statement with privgw's `Sid`, conditioned on `aws:SourceVpce` = the endpoint;
/// - the endpoint id (and the stack's VPC id) in the value lists of the user's `Deny ... StringNotEquals aws:SourceVpce`
///   (`aws:SourceVpc`) statements, which would otherwise still refuse the endpoint. Which values privgw put there is
///   journaled (`denyAdded`), so `down` removes only those.
/// Everything else in the user's policy is kept as it was (re-serialised: key order and spacing may differ).
public struct APIPolicyStep: Step {
    public let id: String
    public let kind = "api resource policy"
    public let dependsOn = ["endpoint"]
    let restApiId: String
    let stages: [String]

    public init(restApiId: String, stages: [String]) {
        self.id = Self.stepId(restApiId)
        self.restApiId = restApiId
        self.stages = stages
    }

    static func stepId(_ restApiId: String) -> String { "api-policy-\(restApiId)" }

    /// The steps a spec needs (none unless `manageApiPolicy`), one per distinct existing API.
    public static func steps(for spec: StackSpec) -> [APIPolicyStep] {
        guard spec.manageApiPolicy else { return [] }
        var order: [String] = [], stages: [String: [String]] = [:]
        for m in spec.apis where !m.isDemo {
            if stages[m.restApiId] == nil { order.append(m.restApiId) }
            if !(stages[m.restApiId] ?? []).contains(m.stage) { stages[m.restApiId, default: []].append(m.stage) }
        }
        return order.map { APIPolicyStep(restApiId: $0, stages: stages[$0] ?? []) }
    }

    /// The statement id privgw's Allow carries: letters and digits only (what IAM accepts in a `Sid`).
    static func sid(_ stack: String) -> String {
        "PrivgwAllowEndpoint" + stack.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    // MARK: Reading

    func api(_ env: AWSEnvironment) async throws -> APIGatewayClient.RestApi {
        do {
            return try await env.apiGateway.getRestApi(id: restApiId)
        } catch let e as AWSError where e.isNotFound {
            throw e.about("REST API \(restApiId)", hint: "check `apis[].id` in the spec (and the region \(env.region))")
        }
    }

    public func find(_ ctx: StepContext<AWSEnvironment>, journaled: ResourceRecord?) async throws -> ResourceRecord? {
        let env = ctx.environment
        let api = try await api(env)
        let doc = try ResourcePolicyDocument(api.policy, restApiId: restApiId)
        guard let ours = doc.statement(sid: Self.sid(env.stack)) else { return nil }
        let endpoint = ResourcePolicyDocument.values(ours, "StringEquals", "aws:SourceVpce").first ?? ""
        let denyAdded = journaled?.attributes["denyAdded"] ?? ctx.fact("denyAdded") ?? ""
        return record(endpoint: endpoint, denyAdded: denyAdded, createdPolicy: journaled?.attributes["createdPolicy"] ?? ctx.fact("createdPolicy"))
    }

    func record(endpoint: String, denyAdded: String, createdPolicy: String?) -> ResourceRecord {
        var attrs = ["restApiId": restApiId, "endpoint": endpoint, "denyAdded": denyAdded,
                     "stages": stages.joined(separator: ","), "name": "admits \(endpoint)"]
        if let createdPolicy { attrs["createdPolicy"] = createdPolicy }
        return ResourceRecord(step: id, kind: kind, id: restApiId, attributes: attrs)
    }

    /// What the policy must still gain for the endpoint to get through; empty when it admits it.
    func missing(_ doc: ResourcePolicyDocument, vpce: String, vpc: String, stack: String) -> [String] {
        var out: [String] = []
        if let ours = doc.statement(sid: Self.sid(stack)) {
            if ResourcePolicyDocument.values(ours, "StringEquals", "aws:SourceVpce") != [vpce] { out.append("allow → \(vpce)") }
        } else {
            out.append("allow \(vpce)")
        }
        for (key, value) in [("aws:SourceVpce", vpce), ("aws:SourceVpc", vpc)] where doc.denies(key: key, value: value) {
            out.append("deny exempts \(value)")
        }
        return out
    }

    public func diff(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> String? {
        guard let vpce = try ctx.optionalRecord(of: "endpoint")?.id else { return nil }
        let env = ctx.environment
        let doc = try ResourcePolicyDocument(try await api(env).policy, restApiId: restApiId)
        let missing = missing(doc, vpce: vpce, vpc: env.spec.vpc, stack: env.stack)
        return missing.isEmpty ? nil : "resource policy: " + missing.joined(separator: ", ") + "; redeploy " + stages.joined(separator: ", ")
    }

    // MARK: Changing

    public func create(_ ctx: StepContext<AWSEnvironment>, token: String) async throws -> ResourceRecord {
        try await admit(ctx, previous: nil)
    }

    public func update(_ ctx: StepContext<AWSEnvironment>, existing: ResourceRecord) async throws -> ResourceRecord {
        try await admit(ctx, previous: existing)
    }

    func admit(_ ctx: StepContext<AWSEnvironment>, previous: ResourceRecord?) async throws -> ResourceRecord {
        let env = ctx.environment
        let vpce = try ctx.record(of: "endpoint").id
        let api = try await api(env)
        var doc = try ResourcePolicyDocument(api.policy, restApiId: restApiId)
        let createdPolicy = previous?.attributes["createdPolicy"] ?? ctx.fact("createdPolicy") ?? (doc.isEmpty ? "true" : "false")
        // A previous endpoint's additions go first (the endpoint was replaced): only what privgw added.
        var added = Self.decodePairs(previous?.attributes["denyAdded"] ?? ctx.fact("denyAdded") ?? "")
        let stale = added.filter { $0.key == "aws:SourceVpce" && $0.value != vpce } + added.filter { $0.key == "aws:SourceVpc" && $0.value != env.spec.vpc }
        for pair in stale { doc.removeFromDenies(key: pair.key, value: pair.value) }
        added.removeAll { p in stale.contains { $0.key == p.key && $0.value == p.value } }

        doc.removeStatement(sid: Self.sid(env.stack))
        doc.statements.append([
            "Sid": .string(Self.sid(env.stack)), "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": "execute-api:/*", "Condition": ["StringEquals": ["aws:SourceVpce": .string(vpce)]],
        ])
        for (key, value) in [("aws:SourceVpce", vpce), ("aws:SourceVpc", env.spec.vpc)] where doc.denies(key: key, value: value) {
            doc.addToDenies(key: key, value: value)
            if !added.contains(where: { $0.key == key && $0.value == value }) { added.append((key, value)) }
        }
        let denyAdded = Self.encodePairs(added)
        // Journaled before the change, so that an interrupted run's `down` still knows what to take out.
        try await ctx.remember("denyAdded", denyAdded)
        try await ctx.remember("createdPolicy", createdPolicy)
        _ = try await env.apiGateway.replaceRestApiPolicy(id: restApiId, policy: doc.text)
        try await redeploy(env, why: "admit endpoint \(vpce)")
        return record(endpoint: vpce, denyAdded: denyAdded, createdPolicy: createdPolicy)
    }

    public func delete(_ ctx: StepContext<AWSEnvironment>, record: ResourceRecord) async throws {
        let env = ctx.environment
        let api: APIGatewayClient.RestApi
        do {
            api = try await env.apiGateway.getRestApi(id: restApiId)
        } catch let e as AWSError where e.isNotFound {
            return
        }
        var doc = try ResourcePolicyDocument(api.policy, restApiId: restApiId)
        let before = doc.text
        doc.removeStatement(sid: Self.sid(env.stack))
        for pair in Self.decodePairs(record.attributes["denyAdded"] ?? "") { doc.removeFromDenies(key: pair.key, value: pair.value) }
        guard doc.text != before else { return }
        // A policy privgw wrote from nothing goes back to nothing.
        let text = doc.statements.isEmpty && record.attributes["createdPolicy"] == "true" ? "" : doc.text
        _ = try await env.apiGateway.replaceRestApiPolicy(id: restApiId, policy: text)
        try await redeploy(env, why: "remove endpoint \(record.attributes["endpoint"] ?? "")")
    }

    /// A resource policy change applies from the next deployment: each mapped stage gets one (of the API as it is now).
    func redeploy(_ env: AWSEnvironment, why: String) async throws {
        let existing = Set(try await env.apiGateway.getStages(restApiId: restApiId).map(\.stageName))
        for stage in stages where existing.contains(stage) {
            _ = try await env.apiGateway.createDeployment(restApiId: restApiId, stageName: stage,
                                                          description: "privgw \(env.stack): \(why)")
        }
    }

    static func encodePairs(_ pairs: [(key: String, value: String)]) -> String {
        pairs.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    static func decodePairs(_ text: String) -> [(key: String, value: String)] {
        text.split(separator: ",").compactMap { part in
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        }
    }
}

/// A resource policy as a list of statements, with the few edits privgw makes. Unknown keys are kept.
struct ResourcePolicyDocument {
    var top: [String: JSONValue]
    var statements: [JSONValue]

    init(_ text: String?, restApiId: String) throws {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            top = ["Version": "2012-10-17"]
            statements = []
            return
        }
        guard let doc = try? JSONValue.parse(Data(trimmed.utf8)).object else {
            throw AWSError(kind: .configuration, code: "UnreadablePolicy",
                           message: "the resource policy of REST API \(restApiId) is not a JSON object", resource: restApiId,
                           hint: "fix the policy, or set `manageApiPolicy: false` and admit the endpoint yourself")
        }
        top = doc
        switch doc["Statement"] {
        case .array(let a)?: statements = a
        case .object?: statements = [doc["Statement"]!]
        default: statements = []
        }
    }

    var isEmpty: Bool { statements.isEmpty }

    var text: String {
        var doc = top
        doc["Statement"] = .array(statements)
        return JSONValue.object(doc).jsonString
    }

    func statement(sid: String) -> JSONValue? { statements.first { $0["Sid"]?.string == sid } }

    mutating func removeStatement(sid: String) { statements.removeAll { $0["Sid"]?.string == sid } }

    /// The values of `Condition.<op>.<key>` (a string or a list), case-insensitive on the key as IAM is.
    static func values(_ statement: JSONValue, _ op: String, _ key: String) -> [String] {
        guard let cond = statement["Condition"]?[op]?.object else { return [] }
        guard let v = cond.first(where: { $0.key.lowercased() == key.lowercased() })?.value else { return [] }
        return v.string.map { [$0] } ?? v.strings
    }

    static func isDeny(_ s: JSONValue) -> Bool { s["Effect"]?.string == "Deny" }

    /// True when a `Deny` with `StringNotEquals <key>` excludes `value` (so requests from it are refused).
    func denies(key: String, value: String) -> Bool {
        statements.contains { s in
            guard Self.isDeny(s) else { return false }
            let listed = Self.values(s, "StringNotEquals", key)
            return !listed.isEmpty && !listed.contains(value)
        }
    }

    mutating func addToDenies(key: String, value: String) {
        edit(key: key) { list in if !list.isEmpty && !list.contains(value) { list.append(value) } }
    }

    mutating func removeFromDenies(key: String, value: String) {
        // Never empties a list: a Deny whose exemption list is empty would refuse everyone.
        edit(key: key) { list in if list.count > 1 { list.removeAll { $0 == value } } }
    }

    private mutating func edit(key: String, _ change: (inout [String]) -> Void) {
        for i in statements.indices where Self.isDeny(statements[i]) {
            guard var s = statements[i].object, var cond = s["Condition"]?.object,
                  var op = cond["StringNotEquals"]?.object,
                  let k = op.keys.first(where: { $0.lowercased() == key.lowercased() }) else { continue }
            let original = op[k]!
            var list = original.string.map { [$0] } ?? original.strings
            let before = list
            change(&list)
            guard list != before else { continue }
            // One value is written as a string, the form policies usually have (and the same thing to IAM as a list
            // of one), so that removing what privgw added gives back the user's own text.
            op[k] = list.count == 1 ? .string(list[0]) : .array(list.map(JSONValue.string))
            cond["StringNotEquals"] = .object(op)
            s["Condition"] = .object(cond)
            statements[i] = .object(s)
        }
    }
}
