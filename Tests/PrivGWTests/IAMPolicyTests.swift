// Proves `privgw iam-policy` allows every AWS call privgw's clients can make, found by scanning the client sources.
import Foundation
import XCTest
@testable import PrivGW
import TestSupport

// MARK: - Reading the sources

/// One AWS operation a client sends, read from Sources/AWSServices.
struct ClientOperation: Hashable, CustomStringConvertible {
    /// IAM service prefix: ec2, elasticloadbalancing, apigateway, route53, acm.
    var service: String
    var operation: String
    /// API Gateway only: the HTTP verb and the path with `{}` for each label, e.g. `/restapis/{}/stages`.
    var verb: String?
    var path: String?

    /// The IAM action: `service:Operation`, or `apigateway:<VERB>` (API Gateway's actions are HTTP verbs).
    var iamAction: String { verb.map { "apigateway:\($0)" } ?? "\(service):\(operation)" }
    var description: String { "\(service) \(operation)" + (verb.map { " (\($0) \(path ?? "?"))" } ?? "") }
}

/// A Swift file with comments blanked out and non-ASCII bytes replaced, so byte and regex offsets agree.
struct SwiftSource {
    let name: String
    let bytes: [UInt8]
    let text: String

    init(name: String, contents: String) {
        self.name = name
        var b = Array(contents.utf8).map { $0 < 0x80 ? $0 : UInt8(ascii: " ") }
        var i = 0
        // Blank `//` comments (outside string literals).
        while i < b.count {
            if b[i] == UInt8(ascii: "\"") {
                i = SwiftSource.endOfString(b, i)
            } else if b[i] == UInt8(ascii: "/"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "/") {
                while i < b.count, b[i] != UInt8(ascii: "\n") { b[i] = UInt8(ascii: " "); i += 1 }
            } else {
                i += 1
            }
        }
        self.bytes = b
        self.text = String(decoding: b, as: UTF8.self)
    }

    /// Index just past the string literal that starts at `i` (interpolations and escapes skipped).
    static func endOfString(_ b: [UInt8], _ i: Int) -> Int {
        let quote = UInt8(ascii: "\"")
        if i + 2 < b.count, b[i + 1] == quote, b[i + 2] == quote {
            var j = i + 3
            while j + 2 < b.count, !(b[j] == quote && b[j + 1] == quote && b[j + 2] == quote) { j += 1 }
            return min(b.count, j + 3)
        }
        var j = i + 1
        while j < b.count {
            if b[j] == UInt8(ascii: "\\") {
                if j + 1 < b.count, b[j + 1] == UInt8(ascii: "(") { j = endOfGroup(b, j + 1); continue }
                j += 2
            } else if b[j] == quote {
                return j + 1
            } else {
                j += 1
            }
        }
        return b.count
    }

    /// `i` at an opening `(` or `{`: the index just past its match, skipping string literals.
    static func endOfGroup(_ b: [UInt8], _ i: Int) -> Int {
        let open = b[i], close = open == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "}")
        var depth = 0, j = i
        while j < b.count {
            if b[j] == UInt8(ascii: "\"") { j = endOfString(b, j); continue }
            if b[j] == open { depth += 1 } else if b[j] == close { depth -= 1; if depth == 0 { return j + 1 } }
            j += 1
        }
        return b.count
    }

    /// The literal at `i` with every interpolation written `{}`.
    func template(at i: Int) -> String {
        var out: [UInt8] = []
        var j = i + 1
        while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
            if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count, bytes[j + 1] == UInt8(ascii: "(") {
                out += Array("{}".utf8)
                j = SwiftSource.endOfGroup(bytes, j + 1)
            } else {
                out.append(bytes[j]); j += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func matches(_ pattern: String, in range: Range<Int>? = nil) -> [NSTextCheckingResult] {
        let re = try! NSRegularExpression(pattern: pattern)
        let r = range.map { NSRange(location: $0.lowerBound, length: $0.count) } ?? NSRange(location: 0, length: bytes.count)
        return re.matches(in: text, range: r)
    }

    func group(_ m: NSTextCheckingResult, _ n: Int) -> String? {
        let r = m.range(at: n)
        guard r.location != NSNotFound else { return nil }
        return String(decoding: bytes[r.location..<(r.location + r.length)], as: UTF8.self)
    }

    func line(of offset: Int) -> Int { bytes[..<offset].filter { $0 == UInt8(ascii: "\n") }.count + 1 }

    /// `func name(...) ... { body }`: name, whether `public`, and the body's byte range.
    func functions() -> [(name: String, isPublic: Bool, body: Range<Int>)] {
        matches(#"(public\s+)?(?:static\s+)?func\s+(\w+)\s*(?:<[^>]*>)?\("#).compactMap { m in
            let paren = m.range.location + m.range.length - 1
            var j = SwiftSource.endOfGroup(bytes, paren)
            while j < bytes.count, bytes[j] != UInt8(ascii: "{") { j += 1 }
            guard j < bytes.count else { return nil }
            return (group(m, 2)!, m.range(at: 1).location != NSNotFound, j..<SwiftSource.endOfGroup(bytes, j))
        }
    }
}

/// privgw's AWS surface: every client method, what it sends, and which steps use it.
struct ClientSurface {
    struct Method {
        var service: String
        var name: String
        var isPublic: Bool
        var operations: [ClientOperation]
        var callees: Set<String>
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// File name prefix in Sources/AWSServices → IAM service prefix (longest prefixes first).
    static let services: [(prefix: String, service: String)] = [
        ("ELBv2", "elasticloadbalancing"), ("EC2", "ec2"), ("APIGateway", "apigateway"), ("Route53", "route53"), ("ACM", "acm"),
    ]

    var methods: [Method] = []
    var problems: [String] = []
    /// Step type name → the names it calls (`.name(`).
    var stepReferences: [String: Set<String>] = [:]

    static func load() throws -> ClientSurface {
        var s = ClientSurface()
        let dir = repo.appendingPathComponent("Sources/AWSServices")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
        for file in files {
            let src = SwiftSource(name: file, contents: try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8))
            guard let service = services.first(where: { file.hasPrefix($0.prefix) })?.service else {
                if !src.matches(#"\bcall\(|\.(ec2|query|restJSON|restXML|json)\("#).isEmpty {
                    s.problems.append("\(file) sends AWS calls but its name names no known service")
                }
                continue
            }
            s.scan(src, service: service)
        }
        let steps = repo.appendingPathComponent("Sources/PrivGW/Steps")
        for file in try FileManager.default.contentsOfDirectory(atPath: steps.path) where file.hasSuffix(".swift") {
            let src = SwiftSource(name: file, contents: try String(contentsOf: steps.appendingPathComponent(file), encoding: .utf8))
            for m in src.matches(#"struct\s+(\w+)\s*:\s*Step\b[^{]*\{"#) {
                let open = m.range.location + m.range.length - 1
                let body = open..<SwiftSource.endOfGroup(src.bytes, open)
                s.stepReferences[src.group(m, 1)!] = Set(src.matches(#"\.([a-z]\w*)\("#, in: body).compactMap { src.group($0, 1) })
            }
        }
        return s
    }

    /// Helper functions returning a path (`static func methodPath(...) -> String { "/restapis/..." }`).
    static func pathHelpers(_ src: SwiftSource) -> [String: String] {
        var out: [String: String] = [:]
        for m in src.matches(#"static\s+func\s+(\w+)\s*\([^)]*\)\s*->\s*String\s*\{\s*""#) {
            out[src.group(m, 1)!] = src.template(at: m.range.location + m.range.length - 1)
        }
        return out
    }

    mutating func scan(_ src: SwiftSource, service: String) {
        let functions = src.functions()
        // Operation names: call("Op", ...), describeAll("Op", ...), `let op = "Op"` (Route 53), and any direct
        // protocol call with a literal operation (client.ec2("Op", ...), client.json(.acm, "Op", ...)).
        var found: [(offset: Int, op: ClientOperation)] = []
        let literal = #"\b(?:call|describeAll)\(\s*"(\w+)""#
        let direct = #"\.(?:ec2|query|restJSON|restXML|json)\(\s*(?:\.\w+\s*,\s*)?"(\w+)""#
        let opVar = #"\blet\s+op\s*=\s*"(\w+)""#
        for pattern in [literal, direct, opVar] {
            for m in src.matches(pattern) {
                found.append((m.range.location, ClientOperation(service: service, operation: src.group(m, 1)!)))
            }
        }
        if service == "apigateway" {
            // REST-JSON: the verb and path follow the operation name; resolve the path expression.
            found.removeAll()
            var helpers: [String: String] = [:]
            for f in ["APIGatewayClient.swift", "APIGatewayDomains.swift"] {
                let url = Self.repo.appendingPathComponent("Sources/AWSServices/\(f)")
                if let text = try? String(contentsOf: url, encoding: .utf8) {
                    helpers.merge(Self.pathHelpers(SwiftSource(name: f, contents: text))) { a, _ in a }
                }
            }
            for m in src.matches(#"\bcall\(\s*"(\w+)"\s*,\s*"(GET|POST|PUT|PATCH|DELETE)"\s*,\s*"#) {
                let path = pathExpression(src, from: m.range.location + m.range.length, helpers: helpers)
                if path == nil { problems.append("\(src.name):\(src.line(of: m.range.location)): cannot read the path of \(src.group(m, 1)!)") }
                found.append((m.range.location, ClientOperation(service: service, operation: src.group(m, 1)!,
                                                                verb: src.group(m, 2)!, path: path)))
            }
            for m in src.matches(#"\bcall\(\s*"(\w+)"\s*,\s*[^"\s]"#) {
                problems.append("\(src.name):\(src.line(of: m.range.location)): \(src.group(m, 1)!) has no literal HTTP verb")
            }
        }
        // Every call must name its operation so this scan sees it.
        for m in src.matches(#"(?<!func )\bcall\(\s*([^,\s)]+)"#) {
            let first = src.group(m, 1)!
            if !first.hasPrefix("\"") && !["op", "action", "operation"].contains(first) {
                problems.append("\(src.name):\(src.line(of: m.range.location)): call(\(first), ...) hides its operation name")
            }
        }
        for m in src.matches(#"\.(?:ec2|query|restJSON|restXML|json)\(\s*(?:\.\w+\s*,\s*)?([^,\s)]+)"#) {
            let first = src.group(m, 1)!
            if !first.hasPrefix("\"") && !["action", "operation"].contains(first) {
                problems.append("\(src.name):\(src.line(of: m.range.location)): a protocol call with operation `\(first)`")
            }
        }
        for f in found where !functions.contains(where: { $0.body.contains(f.offset) }) {
            problems.append("\(src.name):\(src.line(of: f.offset)): \(f.op) outside any function")
        }
        let names = Set(functions.map(\.name))
        for fn in functions {
            let ops = found.filter { fn.body.contains($0.offset) }.map(\.op)
            let callees = Set(src.matches(#"\b([a-z]\w*)\("#, in: fn.body).compactMap { src.group($0, 1) })
                .intersection(names).subtracting([fn.name])
            methods.append(Method(service: service, name: fn.name, isPublic: fn.isPublic, operations: ops, callees: callees))
        }
    }

    /// Reads `"lit" + Self.helper(...) + "lit"` up to the next top-level `,` or `)`; labels become `{}`.
    func pathExpression(_ src: SwiftSource, from start: Int, helpers: [String: String]) -> String? {
        var out = ""
        var i = start
        let b = src.bytes
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "+") { i += 1; continue }
            if c == UInt8(ascii: ",") || c == UInt8(ascii: ")") { return out.isEmpty ? nil : out }
            if c == UInt8(ascii: "\"") {
                out += src.template(at: i)
                i = SwiftSource.endOfString(b, i)
                continue
            }
            // An identifier (optionally `Self.`) followed by `(`: a path helper.
            var j = i
            while j < b.count, b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: "_") || (b[j] >= 0x30 && b[j] <= 0x39)
                    || (b[j] | 0x20 >= UInt8(ascii: "a") && b[j] | 0x20 <= UInt8(ascii: "z")) { j += 1 }
            guard j > i, j < b.count, b[j] == UInt8(ascii: "(") else { return nil }
            let name = String(decoding: b[i..<j], as: UTF8.self).split(separator: ".").last.map(String.init) ?? ""
            guard let template = helpers[name] else { return nil }
            out += template
            i = SwiftSource.endOfGroup(b, j)
        }
        return nil
    }

    // MARK: What a design needs

    func method(_ service: String, _ name: String) -> Method? {
        methods.first { $0.service == service && $0.name == name }
    }

    /// Every operation `name` of `service` can send, following calls to other methods of the same client.
    func operations(_ service: String, _ name: String, seen: inout Set<String>) -> Set<ClientOperation> {
        guard seen.insert(name).inserted, let m = method(service, name) else { return [] }
        var ops = Set(m.operations)
        for c in m.callees { ops.formUnion(operations(service, c, seen: &seen)) }
        return ops
    }

    func operations(_ service: String, _ name: String) -> Set<ClientOperation> {
        var seen: Set<String> = []
        return operations(service, name, seen: &seen)
    }

    /// Every operation some public client method can send.
    var allOperations: Set<ClientOperation> {
        Set(methods.filter(\.isPublic).flatMap { operations($0.service, $0.name) })
    }

    /// What privgw can call for a spec: the operations of the client methods its steps use, plus — for each
    /// client those steps use — every public method no step uses (the clients' unused surface counts, so that
    /// adding a call to a client without updating the policy fails the test even before a step uses it).
    func operations(forSteps stepTypes: [String]) -> Set<ClientOperation> {
        let used = stepTypes.reduce(into: Set<String>()) { $0.formUnion(stepReferences[$1] ?? []) }
        let usedAnywhere = stepReferences.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        var ops: Set<ClientOperation> = []
        for service in Set(methods.map(\.service)) {
            let publicMethods = methods.filter { $0.service == service && $0.isPublic }
            let referenced = publicMethods.filter { used.contains($0.name) }
            guard !referenced.isEmpty else { continue }  // the design never touches this service
            let calledInside = Set(methods.filter { $0.service == service }.flatMap(\.callees))
            let unused = publicMethods.filter { !usedAnywhere.contains($0.name) && !calledInside.contains($0.name) }
            for m in referenced + unused { ops.formUnion(operations(service, m.name)) }
        }
        return ops
    }
}

// MARK: - Tests

final class IAMPolicyTests: XCTestCase {
    static let region = "eu-west-1"
    static let account = "123456789012"

    /// Everything privgw can create: its own endpoint, groups, certificate, zone and the demo API.
    static func fullSpec(_ design: StackSpec.Design) -> StackSpec {
        StackSpec(name: "orders", region: region, design: design,
                  domains: design == .alb ? ["api.example.com", "orders.example.com"] : ["api.example.com"],
                  vpc: "vpc-0123456789abcdef0", subnets: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                  certificate: .validated(zoneId: "ZPUBLIC123"), privateZone: .create(name: "example.com"),
                  apis: [.init(restApiId: "demo")])
    }

    /// `fullSpec`, but serving the user's own API and letting privgw admit the endpoint into its policy.
    static func managedPolicySpec(_ design: StackSpec.Design) -> StackSpec {
        var spec = fullSpec(design)
        spec.apis = [.init(restApiId: "a1b2c3d4e5")]
        spec.manageApiPolicy = true
        return spec
    }

    /// Everything given: endpoint, groups, certificate, zone and API.
    static func givenSpec(_ design: StackSpec.Design) -> StackSpec {
        StackSpec(name: "orders", region: region, design: design, domains: ["api.example.com"],
                  vpc: "vpc-0123456789abcdef0", subnets: ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"],
                  vpcEndpoint: "vpce-0123456789abcdef0", securityGroups: design == .alb ? ["sg-0123456789abcdef0"] : [],
                  certificate: .existing(arn: "arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef"),
                  privateZone: .existing(id: "ZPRIVATE123"), apis: [.init(restApiId: "a1b2c3d4e5")])
    }

    static func stepTypes(_ spec: StackSpec) -> [String] {
        Designs.steps(for: spec).map { String(describing: type(of: $0)) }
    }

    /// A concrete resource ARN for an API Gateway operation, as the spec's steps would address it.
    static func apiGatewayResource(_ op: ClientOperation, _ spec: StackSpec) -> String {
        let path = op.path ?? "/"
        let privateDomains = spec.design == .native
        var out = ""
        var rest = Substring(path)
        while let r = rest.range(of: "{}") {
            out += rest[..<r.lowerBound]
            if out.hasSuffix("/domainnames/") {
                out += privateDomains ? "\(spec.domains[0])+abc123" : spec.domains[0]
            } else if out.hasSuffix("/restapis/") {
                out += spec.apis[0].isDemo ? "a1b2c3d4e5" : spec.apis[0].restApiId
            } else {
                out += "x1"
            }
            rest = rest[r.upperBound...]
        }
        out += rest
        let accountScoped = privateDomains && (out.hasPrefix("/domainnames/") || out.hasPrefix("/domainnameaccessassociations"))
        return "arn:aws:apigateway:\(region):\(accountScoped ? account : ""):\(out)"
    }

    func surface(file: StaticString = #filePath, line: UInt = #line) throws -> ClientSurface {
        let s = try ClientSurface.load()
        XCTAssertEqual(s.problems, [], "the client sources changed shape: teach ClientSurface to read them", file: file, line: line)
        return s
    }

    func testTheScanFindsEveryClientAndItsCalls() throws {
        let s = try surface()
        let ops = s.allOperations
        let byService = Dictionary(grouping: ops, by: \.service).mapValues(\.count)
        // Lower bounds only: a new call must not need this test edited, a broken scan must fail it.
        XCTAssertGreaterThanOrEqual(byService["ec2"] ?? 0, 12, "\(byService)")
        XCTAssertGreaterThanOrEqual(byService["elasticloadbalancing"] ?? 0, 19, "\(byService)")
        XCTAssertGreaterThanOrEqual(byService["apigateway"] ?? 0, 25, "\(byService)")
        XCTAssertGreaterThanOrEqual(byService["route53"] ?? 0, 10, "\(byService)")
        XCTAssertGreaterThanOrEqual(byService["acm"] ?? 0, 6, "\(byService)")
        let names = Set(ops.map(\.operation))
        for known in ["CreateVpcEndpoint", "DescribeNetworkInterfaces", "CreateLoadBalancer", "ModifyLoadBalancerAttributes",
                      "CreateDomainNameAccessAssociation", "DeleteBasePathMapping", "ChangeResourceRecordSets", "GetChange",
                      "RequestCertificate", "ListTagsForCertificate"] {
            XCTAssertTrue(names.contains(known), "the scan missed \(known)")
        }
        for op in ops where op.service == "apigateway" {
            XCTAssertNotNil(op.path, "\(op)")
            XCTAssertTrue(op.path?.hasPrefix("/") ?? false, "\(op)")
        }
        XCTAssertEqual(s.operations("apigateway", "putIntegration").first?.path, "/restapis/{}/resources/{}/methods/{}/integration")
        XCTAssertEqual(s.operations("apigateway", "deleteBasePathMapping").first?.path, "/domainnames/{}/basepathmappings/{}")
        // Both designs' steps together reach every call the clients can make.
        let union = s.operations(forSteps: Self.stepTypes(Self.fullSpec(.alb)))
            .union(s.operations(forSteps: Self.stepTypes(Self.fullSpec(.native))))
        XCTAssertEqual(ops.subtracting(union).map(\.description).sorted(), [])
        XCTAssertFalse(union.isEmpty)
    }

    /// The guarantee behind the test below: a public client method no step uses yet still counts.
    func testANewClientCallCountsBeforeAnyStepUsesIt() throws {
        var s = try surface()
        s.scan(SwiftSource(name: "Route53Extra.swift", contents: """
            extension Route53Client {
                public func disableDNSSEC(zoneId: String) async throws {
                    _ = try await call("DisableHostedZoneDNSSEC", "POST", "/hostedzone/x/disable-dnssec", idempotent: true,
                                       mutating: true)
                }
            }
            """), service: "route53")
        let needed = s.operations(forSteps: Self.stepTypes(Self.fullSpec(.alb)))
        XCTAssertTrue(needed.contains { $0.operation == "DisableHostedZoneDNSSEC" })
        XCTAssertTrue(IAMPolicy.forSpec(Self.fullSpec(.alb), region: Self.region)
            .statements(allowing: "route53:DisableHostedZoneDNSSEC").isEmpty, "so the test below would fail")
    }

    func testThePolicyAllowsEveryCallEachDesignCanMake() throws {
        let s = try surface()
        for spec in StackSpec.Design.allCases.flatMap({ [Self.fullSpec($0), Self.managedPolicySpec($0)] }) {
            let design = "\(spec.design)\(spec.manageApiPolicy ? " (manageApiPolicy)" : "")"
            let policy = IAMPolicy.forSpec(spec, region: Self.region)
            let needed = s.operations(forSteps: Self.stepTypes(spec))
            XCTAssertFalse(needed.isEmpty)
            for op in needed.sorted(by: { $0.description < $1.description }) {
                let resource = op.service == "apigateway" ? Self.apiGatewayResource(op, spec) : "*"
                if op.service == "apigateway" {
                    XCTAssertTrue(policy.allows(action: op.iamAction, resource: resource),
                                  "design \(design): \(op) needs \(op.iamAction) on \(resource); add it to IAMPolicy")
                } else {
                    XCTAssertFalse(policy.statements(allowing: op.iamAction).isEmpty,
                                   "design \(design): \(op) needs \(op.iamAction); add it to IAMPolicy")
                }
            }
        }
    }

    func testEachDesignGetsOnlyItsOwnServices() throws {
        let s = try surface()
        let native = IAMPolicy.forSpec(Self.fullSpec(.native), region: Self.region)
        // Proven from the sources: no step of the native design uses the ELBv2 client.
        XCTAssertFalse(s.operations(forSteps: Self.stepTypes(Self.fullSpec(.native))).contains { $0.service == "elasticloadbalancing" })
        XCTAssertFalse(native.statements.flatMap(\.actions).contains { $0.hasPrefix("elasticloadbalancing:") })
        XCTAssertFalse(native.allows(action: "iam:CreateServiceLinkedRole"))
        XCTAssertTrue(native.allows(action: "apigateway:CreateAccessAssociation",
                                    resource: "arn:aws:apigateway:eu-west-1:\(Self.account):/domainnames/api.example.com+abc123"))
        let alb = IAMPolicy.forSpec(Self.fullSpec(.alb), region: Self.region)
        XCTAssertTrue(alb.statements(allowing: "apigateway:CreateAccessAssociation").isEmpty)
        XCTAssertFalse(alb.allows(action: "apigateway:POST", resource: "arn:aws:apigateway:eu-west-1::/domainnameaccessassociations"))
    }

    func testChangesAndDeletesNeedTheStackTag() {
        for design in StackSpec.Design.allCases {
            let policy = IAMPolicy.forSpec(Self.fullSpec(design), region: Self.region)
            let owned = ["aws:ResourceTag/privgw:stack": ["orders"]]
            for action in ["ec2:DeleteSecurityGroup", "ec2:DeleteVpcEndpoints", "ec2:AuthorizeSecurityGroupIngress",
                           "ec2:DeleteTags", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
                           "elasticloadbalancing:DeleteListener", "elasticloadbalancing:RegisterTargets",
                           "acm:DeleteCertificate", "apigateway:DELETE", "apigateway:PATCH"] {
                for st in policy.statements(allowing: action) {
                    XCTAssertEqual(st.conditions["StringEquals"], owned, "\(design) \(st.sid) allows \(action) without the stack tag")
                }
            }
            for action in ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup",
                           "elasticloadbalancing:CreateListener", "acm:RequestCertificate"] {
                for st in policy.statements(allowing: action) {
                    XCTAssertEqual(st.conditions["StringEquals"], ["aws:RequestTag/privgw:stack": ["orders"]], "\(design) \(st.sid)")
                }
            }
            // EC2 tags may only be written by the creating calls, never onto an existing (foreign) resource.
            for st in policy.statements(allowing: "ec2:CreateTags") {
                XCTAssertEqual(st.conditions["StringEquals"]?.keys.sorted(), ["ec2:CreateAction"], "\(st.sid)")
            }
            // The created resource itself must carry the tag; only the VPC/subnets it goes into are named plainly.
            for action in ["ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint"] {
                let created = action == "ec2:CreateSecurityGroup" ? "security-group/*" : "vpc-endpoint/*"
                for st in policy.statements(allowing: action) where st.resources.contains(where: { $0.hasSuffix(created) }) {
                    XCTAssertEqual(st.conditions["StringEquals"], ["aws:RequestTag/privgw:stack": ["orders"]], "\(st.sid)")
                }
            }
        }
    }

    func testRoute53IsLimitedToTheSpecsZonesNamesAndTypes() {
        let spec = Self.fullSpec(.alb)
        let policy = IAMPolicy.forSpec(spec, region: Self.region)
        let changes = policy.statements(allowing: "route53:ChangeResourceRecordSets")
        XCTAssertEqual(changes.count, 2)
        let alias = changes.first { $0.sid == "R53AliasRecords" }
        XCTAssertEqual(alias?.conditions["ForAllValues:StringEquals"]?["route53:ChangeResourceRecordSetsNormalizedRecordNames"],
                       spec.domains)
        XCTAssertEqual(alias?.conditions["ForAllValues:StringEquals"]?["route53:ChangeResourceRecordSetsRecordTypes"], ["A"])
        let validation = changes.first { $0.sid == "R53Validation" }
        XCTAssertEqual(validation?.resources, ["arn:aws:route53:::hostedzone/ZPUBLIC123"])
        XCTAssertEqual(validation?.conditions["ForAllValues:StringLike"]?["route53:ChangeResourceRecordSetsNormalizedRecordNames"],
                       ["_*.api.example.com", "_*.orders.example.com"])
        XCTAssertFalse(policy.allows(action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::change/C1"))
    }

    func testGivenResourcesGetNoCreateOrDeletePermission() {
        for design in StackSpec.Design.allCases {
            let spec = Self.givenSpec(design)
            let policy = IAMPolicy.forSpec(spec, region: Self.region)
            for action in ["ec2:CreateSecurityGroup", "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:DeleteSecurityGroup",
                           "ec2:CreateTags", "acm:RequestCertificate", "acm:DeleteCertificate", "acm:ListCertificates",
                           "route53:CreateHostedZone", "route53:DeleteHostedZone", "apigateway:PATCH", "apigateway:UpdateRestApiPolicy"] {
                XCTAssertTrue(policy.statements(allowing: action).isEmpty, "\(design): \(action) should not be granted")
            }
            // What the steps still read and write for given resources.
            guard case .existing(let certArn) = spec.certificate else { XCTFail("no certificate arn"); continue }
            XCTAssertTrue(policy.allows(action: "acm:DescribeCertificate", resource: certArn))
            XCTAssertFalse(policy.allows(action: "acm:DescribeCertificate",
                                         resource: "arn:aws:acm:eu-west-1:123456789012:certificate/other"))
            XCTAssertTrue(policy.allows(action: "route53:GetHostedZone", resource: "arn:aws:route53:::hostedzone/ZPRIVATE123"))
            XCTAssertTrue(policy.allows(action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/ZPRIVATE123"))
            XCTAssertFalse(policy.allows(action: "route53:GetHostedZone", resource: "arn:aws:route53:::hostedzone/ZOTHER"))
            XCTAssertTrue(policy.allows(action: "ec2:DescribeVpcEndpoints"))
            XCTAssertTrue(policy.allows(action: "apigateway:GET", resource: "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5"))
            XCTAssertFalse(policy.allows(action: "apigateway:GET", resource: "arn:aws:apigateway:eu-west-1::/restapis/zzzzzzzzzz"))
            XCTAssertFalse(policy.allows(action: "apigateway:POST", resource: "arn:aws:apigateway:eu-west-1::/restapis"))
        }
        // manageApiPolicy: the named API's policy and deployments, no other API's.
        let managed = IAMPolicy.forSpec(Self.managedPolicySpec(.alb), region: Self.region)
        XCTAssertTrue(managed.allows(action: "apigateway:PATCH", resource: "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5"))
        XCTAssertTrue(managed.allows(action: "apigateway:UpdateRestApiPolicy", resource: "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5"))
        XCTAssertTrue(managed.allows(action: "apigateway:POST",
                                     resource: "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/deployments"))
        XCTAssertFalse(managed.allows(action: "apigateway:PATCH", resource: "arn:aws:apigateway:eu-west-1::/restapis/zzzzzzzzzz"))
        XCTAssertFalse(managed.allows(action: "apigateway:DELETE", resource: "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5"))
    }

    func testDomainNamesAndLoadBalancersAreScopedByName() {
        let alb = IAMPolicy.forSpec(Self.fullSpec(.alb), region: Self.region)
        XCTAssertTrue(alb.allows(action: "apigateway:DELETE", resource: "arn:aws:apigateway:eu-west-1::/domainnames/orders.example.com"))
        XCTAssertFalse(alb.allows(action: "apigateway:DELETE", resource: "arn:aws:apigateway:eu-west-1::/domainnames/other.example.com"))
        XCTAssertTrue(alb.allows(action: "elasticloadbalancing:DeleteLoadBalancer",
                                 resource: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/pgw-orders/50dc6c495c0c9188"))
        XCTAssertFalse(alb.allows(action: "elasticloadbalancing:DeleteLoadBalancer",
                                  resource: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/prod-web/50dc6c495c0c9188"))
        XCTAssertFalse(alb.allows(action: "ec2:DeleteVpcEndpoints", resource: "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-1"))
    }

    func testTheDocumentIsValidJSONWithinIAMsSizeLimit() throws {
        for design in StackSpec.Design.allCases {
            for spec in [Self.fullSpec(design), Self.managedPolicySpec(design), Self.givenSpec(design)] {
                let policy = IAMPolicy.forSpec(spec, region: Self.region)
                let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(policy.jsonString.utf8)) as? [String: Any])
                XCTAssertEqual(parsed["Version"] as? String, "2012-10-17")
                let statements = try XCTUnwrap(parsed["Statement"] as? [[String: Any]])
                XCTAssertTrue(statements.allSatisfy { $0["Effect"] as? String == "Allow" })
                XCTAssertEqual(statements.count, policy.statements.count)
                XCTAssertEqual(Set(policy.statements.map(\.sid)).count, policy.statements.count, "Sids must be unique")
                for st in policy.statements {
                    XCTAssertTrue(st.sid.allSatisfy { $0.isLetter || $0.isNumber }, st.sid)
                    XCTAssertFalse(st.actions.isEmpty)
                    XCTAssertFalse(st.resources.isEmpty)
                }
                // A customer managed policy may hold 6,144 characters, white space not counted.
                let size = policy.jsonString.filter { !$0.isWhitespace }.count
                XCTAssertLessThanOrEqual(size, 6144, "\(design) policy is \(size) characters")
            }
        }
    }

    func testWildcardsAndPartitions() {
        XCTAssertTrue(IAMPolicy.glob("ec2:describe*", "ec2:describevpcs"))
        XCTAssertTrue(IAMPolicy.glob("a*b?d", "axxxbcd"))
        XCTAssertFalse(IAMPolicy.glob("a*b", "abc"))
        XCTAssertEqual(IAMPolicy.variablesAsWildcards("arn:aws:apigateway:r:${aws:PrincipalAccount}:/x"), "arn:aws:apigateway:r:*:/x")
        XCTAssertEqual(IAMPolicy.partition(region: "cn-north-1"), "aws-cn")
        XCTAssertEqual(IAMPolicy.partition(region: "us-gov-west-1"), "aws-us-gov")
        XCTAssertEqual(IAMPolicy.partition(region: "*"), "aws")
        let any = IAMPolicy.forSpec(Self.fullSpec(.alb), region: "*")
        XCTAssertTrue(any.allows(action: "apigateway:GET", resource: "arn:aws:apigateway:ap-south-1::/restapis"))
    }

    func testTheCommandPrintsThePolicyForTheSpec() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-iam-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
                   "AWS_REGION": "", "AWS_DEFAULT_REGION": "", "NO_COLOR": "1"]
        let specPath = dir.appendingPathComponent("privgw.yaml").path
        try StackSpec.exampleYAML.write(toFile: specPath, atomically: true, encoding: .utf8)
        let spec = try StackSpec.load(path: specPath)

        let r = try runPrivgw(["iam-policy", "-f", specPath], environment: env)
        XCTAssertEqual(r.status, 0, "\(r)")
        XCTAssertEqual(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       IAMPolicy.forSpec(spec, region: spec.region ?? "").jsonString, "\(r)")

        let json = try runPrivgw(["iam-policy", "-f", specPath, "--output", "json", "--region", "us-east-1"], environment: env)
        XCTAssertEqual(json.status, 0, "\(json)")
        XCTAssertEqual(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       IAMPolicy.forSpec(spec, region: "us-east-1").jsonString)

        let missing = try runPrivgw(["iam-policy", "-f", dir.appendingPathComponent("nope.yaml").path], environment: env)
        XCTAssertEqual(missing.status, 2, "\(missing)")
        XCTAssertEqual(missing.stdout, "")
    }
}
