// Parses privgw.yaml with Yams' Node API so that every problem can be
// reported with its field path and line, and collects all problems.
//
// Warnings (valid but probably unintended) come back in `LoadedSpec.warnings`
// from the `...WithWarnings` entry points; `load`/`parse` drop them.

import Foundation
import Yams

extension StackSpec {
    /// Reads and validates a spec file. Throws `SpecError` (also when the file cannot be read).
    public static func load(path: String) throws -> StackSpec {
        try loadWithWarnings(path: path).spec
    }

    /// Like `load(path:)`, also returning warnings.
    public static func loadWithWarnings(path: String) throws -> LoadedSpec {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let s = String(data: data, encoding: .utf8) else {
                throw SpecError(file: path, diagnostics: [SpecDiagnostic(
                    field: "", message: "the file is not UTF-8 text", fix: "save \(path) as UTF-8")])
            }
            text = s
        } catch let error as SpecError {
            throw error
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SpecError(file: path, diagnostics: [SpecDiagnostic(
                field: "",
                message: exists ? "cannot read the file: \(error.localizedDescription)" : "no such file",
                fix: exists ? "check the file's permissions"
                    : "run `privgw init` to write an example \(path), or pass the right path")])
        }
        return try parseWithWarnings(yaml: text, file: path)
    }

    /// Parses and validates spec text; `file` is only used in diagnostics.
    public static func parse(yaml: String, file: String = "privgw.yaml") throws -> StackSpec {
        try parseWithWarnings(yaml: yaml, file: file).spec
    }

    /// Like `parse(yaml:file:)`, also returning warnings.
    public static func parseWithWarnings(yaml: String, file: String = "privgw.yaml") throws -> LoadedSpec {
        var parser = SpecParser()
        let spec = parser.run(yaml: yaml)
        let errors = parser.errors.sorted(by: SpecParser.fileOrder)
        let warnings = parser.warnings.sorted(by: SpecParser.fileOrder)
        guard errors.isEmpty, let spec else {
            var diagnostics = errors
            if diagnostics.isEmpty {  // defensive: never throw an empty SpecError
                diagnostics = [SpecDiagnostic(field: "", message: "the spec could not be read",
                                              fix: "compare it with the output of `privgw init`")]
            }
            throw SpecError(file: file, diagnostics: diagnostics, warnings: warnings)
        }
        return LoadedSpec(spec: spec, warnings: warnings)
    }
}

// MARK: - Keys

enum SpecKeys {
    static let top = [
        "name", "region", "design", "domain", "domains", "vpc", "subnets", "vpcEndpoint", "securityGroups",
        "certificate", "privateZone", "privateZoneName", "api", "apis", "manageApiPolicy", "healthCheck", "tags",
    ]
    static let certificate = ["arn", "validationZone"]
    static let api = ["id", "restApiId", "stage", "basePath"]
    static let healthCheck = ["path", "codes"]

    /// Keys that belong in a nested section, for "did you mean to nest it" hints.
    static let nestedHome: [String: String] = [
        "arn": "certificate", "validationZone": "certificate",
        "id": "api", "restApiId": "api", "stage": "api", "basePath": "api",
        "path": "healthCheck", "codes": "healthCheck",
    ]

    /// Example values used in fixes.
    static let example: [String: String] = [
        "name": "orders", "region": "eu-west-1", "design": "alb", "domain": "api.example.com",
        "vpc": "vpc-0123456789abcdef0", "subnets": "[subnet-0123456789abcdef0, subnet-0fedcba9876543210]",
        "vpcEndpoint": "vpce-0123456789abcdef0", "securityGroups": "[sg-0123456789abcdef0]",
        "privateZone": "Z0123456789ABCDEFGHIJ", "privateZoneName": "example.com",
        "arn": "arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef",
        "validationZone": "Z0123456789ABCDEFGHIJ", "id": "demo", "restApiId": "a1b2c3d4e5", "stage": "prod",
        "basePath": "v1", "manageApiPolicy": "false", "path": "/prod/hello", "codes": "\"200,403\"",
    ]
}

// MARK: - Parser

struct SpecParser {
    typealias Node = Yams.Node
    typealias Mark = Yams.Mark

    var errors: [SpecDiagnostic] = []
    var warnings: [SpecDiagnostic] = []

    static func fileOrder(_ a: SpecDiagnostic, _ b: SpecDiagnostic) -> Bool {
        switch (a.line, b.line) {
        case let (x?, y?): return x != y ? x < y : (a.column ?? 0) < (b.column ?? 0)
        case (nil, _?): return true   // document-level (missing keys) first
        default: return false
        }
    }

    mutating func error(_ field: String, _ mark: Mark?, _ message: String, fix: String) {
        errors.append(SpecDiagnostic(severity: .error, field: field, line: mark?.line, column: mark?.column,
                                     message: message, fix: fix))
    }

    mutating func warn(_ field: String, _ mark: Mark?, _ message: String, fix: String) {
        warnings.append(SpecDiagnostic(severity: .warning, field: field, line: mark?.line, column: mark?.column,
                                       message: message, fix: fix))
    }

    // MARK: Node helpers

    struct Entry {
        let key: String
        let path: String
        let keyNode: Node
        let value: Node
        var keyMark: Mark? { keyNode.mark }
        /// Where to point for a problem with the value as a whole: the value
        /// itself when it is a scalar on the key's line, else the key.
        var mark: Mark? {
            if case .scalar = value, !SpecParser.isNull(value), let m = value.mark { return m }
            return keyMark
        }
    }

    struct Section {
        let path: String
        let mark: Mark?
        var entries: [String: Entry] = [:]
        /// Valid keys that an unknown key was probably meant to be (already
        /// reported as "did you mean"), so "missing" errors for them are skipped.
        var misspelled: Set<String> = []
        subscript(_ key: String) -> Entry? { entries[key] }
        func has(_ key: String) -> Bool { entries[key] != nil }
    }

    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.tag.description == Tag.Name.null.rawValue }
        return false
    }

    static func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if isNull(node) { return "nothing" }
            if s.style == .plain {
                switch node.tag.description {
                case Tag.Name.bool.rawValue: return "true/false"
                case Tag.Name.int.rawValue, Tag.Name.float.rawValue: return "a number"
                default: break
                }
            }
            return "a string"
        }
    }

    /// Reads a mapping into a Section, reporting unknown keys and non-scalar keys.
    mutating func section(_ node: Node, path: String, mark: Mark?, allowed: [String],
                          expectedHint: String) -> Section? {
        guard case .mapping(let mapping) = node else {
            if SpecParser.isNull(node) {
                error(path, mark, "has no value", fix: "write `\(path):` followed by indented lines: \(expectedHint)")
            } else {
                error(path, node.mark ?? mark, "expected a mapping (key: value lines), got \(SpecParser.kind(node))",
                      fix: "write `\(path):` followed by indented lines: \(expectedHint)")
            }
            return nil
        }
        var section = Section(path: path, mark: mark ?? mapping.mark)
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode, !SpecParser.isNull(keyNode) else {
                error(path.isEmpty ? "(key)" : path, keyNode.mark ?? mark,
                      "keys must be plain words, got \(SpecParser.kind(keyNode))",
                      fix: "use one of: \(allowed.joined(separator: ", "))")
                continue
            }
            let key = keyScalar.string
            let field = SpecParser.join(path, key)
            guard allowed.contains(key) else {
                if let meant = unknownKey(key, field: field, mark: keyNode.mark, allowed: allowed, sectionPath: path) {
                    section.misspelled.insert(meant)
                }
                continue
            }
            if let first = section.entries[key] {
                // Yams rejects duplicate keys before we get here; kept for safety.
                error(field, keyNode.mark, "duplicate key (first set on line \(first.keyMark?.line ?? 0))",
                      fix: "keep one `\(key):` entry and delete the other")
                continue
            }
            section.entries[key] = Entry(key: key, path: field, keyNode: keyNode, value: value)
        }
        return section
    }

    /// Reports an unknown key; returns the valid key it probably meant.
    @discardableResult
    mutating func unknownKey(_ key: String, field: String, mark: Mark?, allowed: [String],
                             sectionPath: String) -> String? {
        let shown = key.count > 40 ? String(key.prefix(40)) + "…" : key
        let location = sectionPath.isEmpty ? "" : " in \(sectionPath)"
        if sectionPath.isEmpty, let home = SpecKeys.nestedHome[key] {
            error(field, mark, "unknown top-level key '\(shown)'; '\(key)' belongs under '\(home)'",
                  fix: "move it under `\(home):` (indented), e.g.\n    \(home):\n      \(key): \(SpecKeys.example[key] ?? "...")")
            return nil
        }
        if let best = SpecSuggest.closest(key, in: allowed) {
            error(field, mark, "unknown key '\(shown)'\(location); did you mean '\(best)'?",
                  fix: "rename it to `\(best)`")
            return best
        } else if sectionPath.isEmpty,
                  let nested = SpecSuggest.closest(key, in: Array(SpecKeys.nestedHome.keys).sorted()),
                  let home = SpecKeys.nestedHome[nested] {
            error(field, mark, "unknown top-level key '\(shown)'; '\(nested)' belongs under '\(home)'",
                  fix: "move it under `\(home):` (indented), e.g.\n    \(home):\n      \(nested): \(SpecKeys.example[nested] ?? "...")")
        } else {
            error(field, mark, "unknown key '\(shown)'\(location)",
                  fix: "remove it; valid keys here: \(allowed.joined(separator: ", "))")
        }
        return nil
    }

    /// A scalar value as text. nil when null (reported if `required`) or of the wrong type (reported).
    mutating func text(_ entry: Entry, required: Bool = false) -> String? {
        text(entry.value, field: entry.path, mark: entry.mark, required: required, exampleKey: entry.key)
    }

    mutating func text(_ node: Node, field: String, mark: Mark?, required: Bool, exampleKey: String) -> String? {
        switch node {
        case .scalar(let s):
            if SpecParser.isNull(node) {
                if required {
                    error(field, mark, "has no value",
                          fix: "write a value, e.g. `\(exampleKey): \(SpecKeys.example[exampleKey] ?? "...")`")
                }
                return nil
            }
            return s.string
        default:
            error(field, node.mark ?? mark, "expected a single value, got \(SpecParser.kind(node))",
                  fix: "write `\(exampleKey): \(SpecKeys.example[exampleKey] ?? "<value>")` on one line")
            return nil
        }
    }

    mutating func missingKey(_ key: String, in section: Section, what: String, fix: String? = nil,
                             alternatives: [String] = []) {
        if !section.misspelled.isDisjoint(with: [key] + alternatives) { return }  // reported as a typo
        let field = SpecParser.join(section.path, key)
        let where_ = section.path.isEmpty ? "" : " under `\(section.path):`"
        error(field, section.path.isEmpty ? nil : section.mark, "missing: \(what)",
              fix: fix ?? "add `\(key): \(SpecKeys.example[key] ?? "...")`\(where_)")
    }

    /// A list of scalars with their nodes. nil when absent/null or wrong type (reported).
    mutating func list(_ entry: Entry, listExample: String) -> [(text: String, node: Node, field: String)]? {
        switch entry.value {
        case .sequence(let seq):
            var out: [(String, Node, String)] = []
            var itemsOK = true
            for (i, item) in seq.enumerated() {
                let field = "\(entry.path)[\(i)]"
                if case .scalar(let s) = item, !SpecParser.isNull(item) {
                    out.append((s.string, item, field))
                } else if SpecParser.isNull(item) {
                    error(field, item.mark ?? entry.keyMark, "empty list item",
                          fix: "remove the lone `-` or write a value after it")
                    itemsOK = false
                } else {
                    error(field, item.mark ?? entry.keyMark, "expected a single value, got \(SpecParser.kind(item))",
                          fix: "write plain values: `\(entry.key): \(listExample)`")
                    itemsOK = false
                }
            }
            if !itemsOK {
                _ = checkDistinct(out, noun: "value")
                return nil
            }
            return out
        case .scalar(let s):
            if SpecParser.isNull(entry.value) {
                error(entry.path, entry.keyMark, "has no value", fix: "write `\(entry.key): \(listExample)`")
            } else {
                error(entry.path, entry.mark, "expected a list, got \(SpecParser.kind(entry.value))",
                      fix: "write it as a list: `\(entry.key): [\(s.string)]` (add more items separated by commas)")
            }
            return nil
        default:
            error(entry.path, entry.keyMark, "expected a list, got \(SpecParser.kind(entry.value))",
                  fix: "write `\(entry.key): \(listExample)`")
            return nil
        }
    }

    /// Reports later duplicates in a list; returns whether all were distinct.
    mutating func checkDistinct(_ items: [(text: String, node: Node, field: String)], noun: String) -> Bool {
        var seen: [String: String] = [:]
        var ok = true
        for item in items {
            if let first = seen[item.text] {
                error(item.field, item.node.mark, "'\(item.text)' is listed twice (also \(first))",
                      fix: "remove the duplicate \(noun)")
                ok = false
            } else {
                seen[item.text] = item.field
            }
        }
        return ok
    }

    // MARK: Run

    mutating func run(yaml: String) -> StackSpec? {
        let composed = SpecComposer.compose(yaml)
        errors += composed.diagnostics
        guard let root = composed.root else {
            if composed.diagnostics.isEmpty {
                error("", nil, "the spec is empty",
                      fix: "run `privgw init` to write a commented example, then fill it in")
            }
            return nil
        }
        for dup in composed.duplicates {
            let field = SpecComposer.path(ofKeyAt: dup.firstLine, column: dup.firstColumn, in: root) ?? dup.key
            errors.append(SpecDiagnostic(
                field: field, line: dup.duplicateLine, column: dup.firstColumn,
                message: "duplicate key '\(dup.key)' (first set on line \(dup.firstLine))",
                fix: "keep one `\(dup.key):` entry and delete the other"))
        }
        return validate(root: root)
    }

    mutating func validate(root: Node) -> StackSpec? {
        if SpecParser.isNull(root) {
            error("", root.mark, "the spec is empty",
                  fix: "run `privgw init` to write a commented example, then fill it in")
            return nil
        }
        guard case .mapping = root else {
            error("", root.mark, "expected a mapping of keys such as `name: orders`, got \(SpecParser.kind(root))",
                  fix: "run `privgw init` for a commented example of the expected layout")
            return nil
        }
        guard let top = section(root, path: "", mark: nil, allowed: SpecKeys.top, expectedHint: "") else {
            return nil
        }

        let name = parseName(top)
        let region = parseRegion(top)
        let design = parseDesign(top)
        let domains = parseDomains(top, design: design)
        let vpc = parseId(top, key: "vpc", prefix: "vpc", required: true,
                          what: "the VPC id (the VPC whose clients call the API)")
        let subnets = parseSubnets(top)
        let vpcEndpoint = parseId(top, key: "vpcEndpoint", prefix: "vpce", required: false, what: "")
        let securityGroups = parseSecurityGroups(top, design: design)
        let certificate = parseCertificate(top, region: region)
        let (privateZone, privateZoneName) = parsePrivateZone(top, domains: domains)
        let apis = parseAPIs(top)
        let manageApiPolicy = parseBool(top, key: "manageApiPolicy", default: false)
        let healthCheck = parseHealthCheck(top, design: design)
        let tags = parseTags(top)

        guard errors.isEmpty, let name, let design, let domains, let vpc, let subnets,
              let securityGroups, let certificate, let privateZone, let apis, let manageApiPolicy,
              let healthCheck, let tags
        else { return nil }
        return StackSpec(name: name, region: region, design: design, domains: domains, vpc: vpc,
                         subnets: subnets, vpcEndpoint: vpcEndpoint, securityGroups: securityGroups,
                         certificate: certificate, privateZone: privateZone, privateZoneName: privateZoneName,
                         apis: apis, manageApiPolicy: manageApiPolicy, healthCheck: healthCheck, tags: tags)
    }

    // MARK: Fields

    mutating func parseName(_ top: Section) -> String? {
        guard let entry = top["name"] else {
            missingKey("name", in: top, what: "the stack name (used in AWS resource names like pgw-<name> and privgw-<name>-alb-sg)")
            return nil
        }
        guard let name = text(entry, required: true) else { return nil }
        let max = SpecFormat.maxNameLength
        var problem: String?
        if name.unicodeScalars.count > max {
            problem = "'\(name)' is longer than \(max) characters (it goes into ALB names, which allow 32)"
        } else if !name.unicodeScalars.allSatisfy({ SpecFormat.isLowerAlnum($0) || $0 == "-" }) {
            problem = "'\(name)' may only hold lowercase letters, digits and '-'"
        } else if let first = name.unicodeScalars.first, !("a"..."z").contains(first) {
            problem = "'\(name)' must start with a letter"
        } else if name.isEmpty {
            problem = "is empty"
        }
        if let problem {
            error(entry.path, entry.mark, problem,
                  fix: "use 1-\(max) characters [a-z0-9-] starting with a letter, e.g. `name: \(SpecFormat.suggestedName(from: name))`")
            return nil
        }
        return name
    }

    mutating func parseRegion(_ top: Section) -> String? {
        guard let entry = top["region"], let region = text(entry) else { return nil }
        guard SpecFormat.isRegion(region) else {
            let lower = region.lowercased()
            error(entry.path, entry.mark, "'\(region)' is not an AWS region code",
                  fix: SpecFormat.isRegion(lower) ? "write it in lowercase: \(lower)"
                    : "write a region code like eu-west-1, or remove the key to use the region from the AWS settings")
            return nil
        }
        return region
    }

    mutating func parseDesign(_ top: Section) -> StackSpec.Design? {
        guard let entry = top["design"] else { return .alb }
        guard let value = text(entry) else {
            return SpecParser.isNull(entry.value) ? .alb : nil
        }
        if let design = StackSpec.Design(rawValue: value) { return design }
        let names = StackSpec.Design.allCases.map(\.rawValue)
        let hint = SpecSuggest.closest(value, in: names).map { " (did you mean '\($0)'?)" } ?? ""
        error(entry.path, entry.mark, "'\(value)' is not a design\(hint)",
              fix: "write `design: alb` (VPC endpoint -> internal ALB -> custom domain) or `design: native` (API Gateway private custom domain names)")
        return nil
    }

    mutating func dnsName(_ value: String, field: String, mark: Mark?) -> String? {
        if let (problem, fix) = SpecFormat.dnsNameProblem(value) {
            error(field, mark, problem, fix: fix)
            return nil
        }
        return value
    }

    mutating func parseDomains(_ top: Section, design: StackSpec.Design?) -> [String]? {
        switch (top["domain"], top["domains"]) {
        case (nil, nil):
            missingKey("domain", in: top, what: "the custom DNS name clients will use",
                       fix: "add `domain: api.example.com` (or `domains: [a.example.com, b.example.com]` for several)",
                       alternatives: ["domains"])
            return nil
        case (_?, let many?):
            error(many.path, many.keyMark, "give either `domain` or `domains`, not both",
                  fix: "keep `domain:` for one name, or move it into the `domains:` list and delete `domain:`")
            return nil
        case (let one?, nil):
            if case .sequence = one.value {
                error(one.path, one.keyMark, "expected a single DNS name, got a list",
                      fix: "rename the key to `domains:` for several names (design alb)")
                return nil
            }
            guard let value = text(one, required: true) else { return nil }
            return dnsName(value, field: one.path, mark: one.mark).map { [$0] }
        case (nil, let many?):
            guard let items = list(many, listExample: "[a.example.com, b.example.com]") else { return nil }
            if items.isEmpty {
                error(many.path, many.keyMark, "the list is empty", fix: "list at least one DNS name")
                return nil
            }
            var ok = true
            var result: [String] = []
            for item in items {
                if let name = dnsName(item.text, field: item.field, mark: item.node.mark) {
                    result.append(name)
                } else {
                    ok = false
                }
            }
            if !checkDistinct(items, noun: "name") { ok = false }
            if items.count > 1, design == .native {
                error(many.path, many.keyMark, "design native takes one domain, got \(items.count)",
                      fix: "use `design: alb` for several names, or keep a single `domain:`")
                ok = false
            }
            return ok && result.count == items.count ? result : nil
        }
    }

    mutating func parseId(_ top: Section, key: String, prefix: String, required: Bool, what: String) -> String? {
        guard let entry = top[key] else {
            if required { missingKey(key, in: top, what: what) }
            return nil
        }
        guard let value = text(entry, required: required) else { return nil }
        guard SpecFormat.isResourceId(value, prefix: prefix) else {
            let fix = SpecFormat.isResourceId(value.lowercased(), prefix: prefix)
                ? "write it in lowercase: \(value.lowercased())"
                : "write a \(prefix)- id like \(SpecKeys.example[key] ?? prefix + "-0123456789abcdef0")"
            error(entry.path, entry.mark, SpecFormat.resourceIdProblem(value, prefix: prefix), fix: fix)
            return nil
        }
        return value
    }

    mutating func idList(_ entry: Entry, prefix: String, noun: String) -> [String]? {
        guard let items = list(entry, listExample: SpecKeys.example[entry.key] ?? "[...]") else { return nil }
        var ok = true
        for item in items where !SpecFormat.isResourceId(item.text, prefix: prefix) {
            let fix = SpecFormat.isResourceId(item.text.lowercased(), prefix: prefix)
                ? "write it in lowercase: \(item.text.lowercased())"
                : "write a \(noun) id like \(prefix)-0123456789abcdef0"
            error(item.field, item.node.mark, SpecFormat.resourceIdProblem(item.text, prefix: prefix), fix: fix)
            ok = false
        }
        if !checkDistinct(items, noun: noun) { ok = false }
        return ok ? items.map(\.text) : nil
    }

    mutating func parseSubnets(_ top: Section) -> [String]? {
        guard let entry = top["subnets"] else {
            missingKey("subnets", in: top, what: "two or more subnet ids in different availability zones")
            return nil
        }
        guard let ids = idList(entry, prefix: "subnet", noun: "subnet") else { return nil }
        if ids.count < 2 {
            error(entry.path, entry.keyMark,
                  "needs at least two subnets in two availability zones, got \(ids.count)",
                  fix: "add a second subnet id (of the same VPC, in another availability zone) to the list")
            return nil
        }
        return ids
    }

    mutating func parseSecurityGroups(_ top: Section, design: StackSpec.Design?) -> [String]? {
        guard let entry = top["securityGroups"] else { return [] }
        if SpecParser.isNull(entry.value) { return [] }
        guard let ids = idList(entry, prefix: "sg", noun: "security group") else { return nil }
        if ids.isEmpty {
            error(entry.path, entry.keyMark, "the list is empty",
                  fix: "list at least one sg- id, or remove the key to let privgw create a security group")
            return nil
        }
        if ids.count > 5 {
            error(entry.path, entry.keyMark, "an ALB takes at most 5 security groups, got \(ids.count)",
                  fix: "list at most 5 security groups")
            return nil
        }
        if design == .native {
            warn(entry.path, entry.keyMark, "securityGroups are for the ALB; design native has no ALB and ignores them",
                 fix: "remove the key, or use `design: alb`")
        }
        return ids
    }

    mutating func parseCertificate(_ top: Section, region: String?) -> StackSpec.Certificate? {
        guard let entry = top["certificate"] else {
            missingKey("certificate", in: top, what: "the TLS certificate for the domain",
                       fix: "add `certificate:` with either `arn: <an ACM certificate ARN>` or `validationZone: <a public hosted zone id>` indented below it")
            return nil
        }
        if case .scalar(let s) = entry.value, !SpecParser.isNull(entry.value) {
            let nested = SpecFormat.acmArnRegion(s.string) != nil ? "arn" : "validationZone"
            error(entry.path, entry.mark, "expected a mapping with `arn` or `validationZone`, got a string",
                  fix: "write it nested:\n    certificate:\n      \(nested): \(s.string)")
            return nil
        }
        guard let cert = section(entry.value, path: entry.path, mark: entry.keyMark,
                                 allowed: SpecKeys.certificate,
                                 expectedHint: "`arn: <ACM ARN>` or `validationZone: <public zone id>`") else { return nil }
        switch (cert["arn"], cert["validationZone"]) {
        case (nil, nil):
            if !cert.misspelled.isEmpty { return nil }  // reported as a typo
            error(entry.path, entry.keyMark, "needs `arn` or `validationZone`",
                  fix: "add `arn: <an existing ACM certificate ARN>` or `validationZone: <public hosted zone id>` to have privgw request and DNS-validate one")
            return nil
        case (_?, let zone?):
            error(zone.path, zone.keyMark, "give either `arn` or `validationZone`, not both",
                  fix: "keep `arn` to use an existing certificate, or `validationZone` to have privgw create one")
            return nil
        case (let arnEntry?, nil):
            guard let arn = text(arnEntry, required: true) else { return nil }
            guard let arnRegion = SpecFormat.acmArnRegion(arn) else {
                error(arnEntry.path, arnEntry.mark, "'\(arn)' is not an ACM certificate ARN",
                      fix: "copy the ARN from `aws acm list-certificates`; it looks like \(SpecKeys.example["arn"]!)")
                return nil
            }
            if let region, arnRegion != region {
                error(arnEntry.path, arnEntry.mark,
                      "the certificate is in \(arnRegion) but the stack is in \(region)",
                      fix: "use a certificate from \(region) (ACM certificates are regional), or use `validationZone` to have privgw create one")
                return nil
            }
            return .existing(arn: arn)
        case (nil, let zoneEntry?):
            guard let zone = text(zoneEntry, required: true) else { return nil }
            guard SpecFormat.isHostedZoneId(zone) else {
                error(zoneEntry.path, zoneEntry.mark, "'\(zone)' is not a Route 53 hosted zone id",
                      fix: SpecFormat.hostedZoneIdFix(zone, example: SpecKeys.example["validationZone"]!))
                return nil
            }
            return .validated(zoneId: zone)
        }
    }

    mutating func parsePrivateZone(_ top: Section, domains: [String]?) -> (StackSpec.PrivateZone?, String?) {
        var zoneName: String?
        var nameOK = true
        if let entry = top["privateZoneName"], let value = text(entry) {
            if let (problem, fix) = SpecFormat.dnsNameProblem(value, allowSingleLabel: true) {
                error(entry.path, entry.mark, problem, fix: fix)
                nameOK = false
            } else {
                zoneName = value
                for (i, domain) in (domains ?? []).enumerated() where !SpecFormat.isInside(domain, zone: value) {
                    let field: String, mark: Mark?
                    if let d = top["domain"] {
                        (field, mark) = (d.path, d.mark)
                    } else if let d = top["domains"], case .sequence(let seq) = d.value, i < seq.count {
                        (field, mark) = ("domains[\(i)]", seq[i].mark)
                    } else {
                        (field, mark) = ("domain", nil)
                    }
                    error(field, mark, "'\(domain)' is not inside privateZoneName '\(value)'",
                          fix: "use a name ending in .\(value), or change privateZoneName to a parent of \(domain)")
                }
            }
        }
        guard let entry = top["privateZone"] else {
            missingKey("privateZone", in: top, what: "the private hosted zone for the DNS record",
                       fix: "add `privateZone: <private hosted zone id>`, or `privateZone: create` with `privateZoneName: <zone name>`")
            return (nil, zoneName)
        }
        guard let value = text(entry, required: true) else { return (nil, zoneName) }
        if value == "create" {
            guard top.has("privateZoneName") else {
                error(entry.path, entry.mark, "`create` needs `privateZoneName`",
                      fix: "add `privateZoneName: <zone name>` (e.g. \(domains.flatMap { SpecParser.parentZone(of: $0.first) } ?? "example.com")), the zone privgw creates and associates with the VPC")
                return (nil, nil)
            }
            guard nameOK, let zoneName else { return (nil, nil) }  // reported above
            return (.create(name: zoneName), zoneName)
        }
        guard SpecFormat.isHostedZoneId(value) else {
            let fix = value.lowercased() == "create" ? "write `create` in lowercase"
                : SpecFormat.hostedZoneIdFix(value, example: SpecKeys.example["privateZone"]!) + ", or `create`"
            error(entry.path, entry.mark, "'\(value)' is neither a hosted zone id nor `create`", fix: fix)
            return (nil, zoneName)
        }
        return (.existing(id: value), zoneName)
    }

    static func parentZone(of domain: String?) -> String? {
        guard let domain, let dot = domain.firstIndex(of: ".") else { return nil }
        return String(domain[domain.index(after: dot)...])
    }

    mutating func parseAPIs(_ top: Section) -> [StackSpec.APIMapping]? {
        switch (top["api"], top["apis"]) {
        case (nil, nil):
            missingKey("api", in: top, what: "the REST API to put behind the domain",
                       fix: "add `api:` with `id: demo` (privgw creates a demo API) or `id: <rest api id>` and `stage: prod` indented below it",
                       alternatives: ["apis"])
            return nil
        case (_?, let many?):
            error(many.path, many.keyMark, "give either `api` or `apis`, not both",
                  fix: "keep `api:` for one API, or move it into the `apis:` list and delete `api:`")
            return nil
        case (let one?, nil):
            if case .sequence = one.value {
                error(one.path, one.keyMark, "expected a mapping, got a list",
                      fix: "rename the key to `apis:` for a list of APIs")
                return nil
            }
            guard let mapping = apiMapping(one.value, path: one.path, mark: one.keyMark) else { return nil }
            return [mapping]
        case (nil, let many?):
            guard case .sequence(let seq) = many.value else {
                if case .mapping = many.value {
                    error(many.path, many.keyMark, "expected a list, got a mapping",
                          fix: "rename the key to `api:` for a single API, or put `- ` before the first key of each entry")
                } else {
                    error(many.path, many.mark, SpecParser.isNull(many.value) ? "has no value" : "expected a list, got \(SpecParser.kind(many.value))",
                          fix: "write a list of `- basePath: v1\n        id: <rest api id>\n        stage: prod` entries")
                }
                return nil
            }
            if seq.count == 0 {
                error(many.path, many.keyMark, "the list is empty", fix: "list at least one API")
                return nil
            }
            var result: [StackSpec.APIMapping] = []
            var ok = true
            var seen: [String: String] = [:]
            for (i, item) in seq.enumerated() {
                let path = "\(many.path)[\(i)]"
                guard let mapping = apiMapping(item, path: path, mark: item.mark ?? many.keyMark) else {
                    ok = false
                    continue
                }
                if let first = seen[mapping.basePath] {
                    let bpMark = item.mapping?["basePath"]?.mark ?? item.mark
                    if mapping.isRoot {
                        error("\(path).basePath", bpMark, "two APIs are mapped at the root (also \(first))",
                              fix: "give one of them a basePath, e.g. `basePath: v2`")
                    } else {
                        error("\(path).basePath", bpMark, "basePath '\(mapping.basePath)' is used twice (also \(first))",
                              fix: "give each API its own basePath")
                    }
                    ok = false
                } else {
                    seen[mapping.basePath] = path
                }
                result.append(mapping)
            }
            return ok ? result : nil
        }
    }

    mutating func apiMapping(_ node: Node, path: String, mark: Mark?) -> StackSpec.APIMapping? {
        guard let sec = section(node, path: path, mark: mark, allowed: SpecKeys.api,
                                expectedHint: "`id: demo` (or a REST API id), `stage: prod`, `basePath: \"\"`") else {
            return nil
        }
        var ok = true
        var apiId: String?
        switch (sec["id"], sec["restApiId"]) {
        case (nil, nil):
            missingKey("id", in: sec, what: "the REST API id",
                       fix: "add `id: <rest api id>` (10 characters, see `aws apigateway get-rest-apis`) or `id: demo` under `\(path):`",
                       alternatives: ["restApiId"])
            ok = false
        case (_?, let other?):
            error(other.path, other.keyMark, "give either `id` or `restApiId`, not both",
                  fix: "keep one of them")
            ok = false
        case (let one?, nil), (nil, let one?):
            if let value = text(one, required: true) {
                if value == StackSpec.APIMapping.demoId || SpecFormat.isRestApiId(value) {
                    apiId = value
                } else {
                    let lower = value.lowercased()
                    error(one.path, one.mark, "'\(value)' is not a REST API id",
                          fix: lower != value && (SpecFormat.isRestApiId(lower) || lower == "demo")
                            ? "write it in lowercase: \(lower)"
                            : "write the 10-character id from `aws apigateway get-rest-apis`, or `demo` to have privgw create a demo API")
                    ok = false
                }
            } else {
                ok = false
            }
        }
        var stage = "prod"
        if let entry = sec["stage"], !SpecParser.isNull(entry.value) {
            if let value = text(entry), SpecFormat.isStage(value) {
                stage = value
            } else {
                if let value = text(entry) {
                    error(entry.path, entry.mark, "'\(value)' is not a valid stage name",
                          fix: "use letters, digits, '_' and '-' only (at most 128), e.g. `stage: prod`")
                }
                ok = false
            }
        }
        var basePath = ""
        if let entry = sec["basePath"], !SpecParser.isNull(entry.value) {
            if let raw = text(entry) {
                var value = raw.trimmingCharacters(in: .whitespaces)
                if value == "(none)" || value == "/" { value = "" }
                if value.hasPrefix("/") { value.removeFirst() }
                if value.hasSuffix("/") { value.removeLast() }
                if value.isEmpty {
                    basePath = ""
                } else if value.contains("/") {
                    error(entry.path, entry.mark, "'\(raw)' has more than one path segment",
                          fix: "use a single segment such as `basePath: \(value.split(separator: "/").first ?? "v1")`")
                    ok = false
                } else if !SpecFormat.isBasePathSegment(value) {
                    error(entry.path, entry.mark, "'\(raw)' is not a valid base path",
                          fix: "use letters, digits and $_.+!*'()- only, e.g. `basePath: v1`, or \"\" for the root")
                    ok = false
                } else {
                    basePath = value
                }
            } else {
                ok = false
            }
        }
        guard ok, let apiId else { return nil }
        return StackSpec.APIMapping(basePath: basePath, restApiId: apiId, stage: stage)
    }

    mutating func parseBool(_ top: Section, key: String, default def: Bool) -> Bool? {
        guard let entry = top[key], let value = text(entry) else {
            if let entry = top[key], !SpecParser.isNull(entry.value) { return nil }
            return def
        }
        if case .scalar(let s) = entry.value, s.style == .plain {
            switch value.lowercased() {
            case "true": return true
            case "false": return false
            default: break
            }
        }
        error(entry.path, entry.mark, "expected true or false, got '\(value)'",
              fix: "write `\(key): true` or `\(key): false` (unquoted)")
        return nil
    }

    mutating func parseHealthCheck(_ top: Section, design: StackSpec.Design?) -> StackSpec.HealthCheck? {
        guard let entry = top["healthCheck"], !SpecParser.isNull(entry.value) else { return StackSpec.HealthCheck() }
        guard let sec = section(entry.value, path: entry.path, mark: entry.keyMark, allowed: SpecKeys.healthCheck,
                                expectedHint: "`path: /prod/hello`, `codes: \"200,403\"`") else { return nil }
        var check = StackSpec.HealthCheck()
        var ok = true
        if let p = sec["path"], let path = text(p) {
            if !path.hasPrefix("/") {
                error(p.path, p.mark, "'\(path)' must start with /", fix: "write `path: /\(path)`")
                ok = false
            } else if path.utf8.count > 1024 || path.contains(where: { $0.isWhitespace }) {
                error(p.path, p.mark, "'\(path.prefix(60))' is not a usable URL path",
                      fix: "use a path without spaces, at most 1024 characters, e.g. `path: /prod/hello`")
                ok = false
            } else {
                check.path = path
            }
        } else if let p = sec["path"], !SpecParser.isNull(p.value) {
            ok = false
        }
        if let c = sec["codes"], let raw = text(c) {
            let codes = raw.filter { !$0.isWhitespace }
            if let problem = SpecFormat.healthCodesProblem(codes) {
                error(c.path, c.mark, problem,
                      fix: "write a comma list of codes 200-499 or ranges, e.g. `codes: \"200,403\"` or `codes: \"200-299\"`")
                ok = false
            } else {
                check.codes = codes
            }
        } else if let c = sec["codes"], !SpecParser.isNull(c.value) {
            ok = false
        }
        if design == .native {
            warn(entry.path, entry.keyMark, "healthCheck is only used by design alb; design native ignores it",
                 fix: "remove `healthCheck:`, or use `design: alb`")
        }
        return ok ? check : nil
    }

    mutating func parseTags(_ top: Section) -> [String: String]? {
        guard let entry = top["tags"], !SpecParser.isNull(entry.value) else { return [:] }
        guard case .mapping(let mapping) = entry.value else {
            error(entry.path, entry.mark, "expected a mapping of tag keys to values, got \(SpecParser.kind(entry.value))",
                  fix: "write `tags: {team: payments, env: prod}`")
            return nil
        }
        var tags: [String: String] = [:]
        var ok = true
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let k) = keyNode, !SpecParser.isNull(keyNode) else {
                error(entry.path, keyNode.mark ?? entry.keyMark, "tag keys must be plain strings, got \(SpecParser.kind(keyNode))",
                      fix: "write `key: value` pairs")
                ok = false
                continue
            }
            let key = k.string
            let field = "\(entry.path).\(key)"
            let lower = key.lowercased()
            var value = ""
            switch valueNode {
            case .scalar(let v):
                value = SpecParser.isNull(valueNode) ? "" : v.string
            default:
                error(field, valueNode.mark ?? keyNode.mark, "tag values must be strings, got \(SpecParser.kind(valueNode))",
                      fix: "write `\(key): <value>` on one line")
                ok = false
                continue
            }
            if lower.hasPrefix("aws:") || lower.hasPrefix("privgw:") {
                error(field, keyNode.mark, "tag keys starting with '\(lower.hasPrefix("aws:") ? "aws:" : "privgw:")' are reserved",
                      fix: "rename the tag (privgw adds its own privgw: ownership tags)")
                ok = false
            } else if key.isEmpty || key.unicodeScalars.count > 128 {
                error(field, keyNode.mark, "tag keys must be 1-128 characters", fix: "shorten the tag key")
                ok = false
            } else if !SpecFormat.isTagText(key) {
                error(field, keyNode.mark, "tag key '\(key)' holds characters AWS does not allow",
                      fix: "use letters, digits, spaces and _ . : / = + - @ only")
                ok = false
            }
            if value.unicodeScalars.count > 256 {
                error(field, valueNode.mark, "tag values must be at most 256 characters", fix: "shorten the value")
                ok = false
            } else if !SpecFormat.isTagText(value) {
                error(field, valueNode.mark, "tag value holds characters AWS does not allow",
                      fix: "use letters, digits, spaces and _ . : / = + - @ only")
                ok = false
            }
            tags[key] = value
        }
        if mapping.count > SpecFormat.maxTags {
            error(entry.path, entry.keyMark, "at most \(SpecFormat.maxTags) tags, got \(mapping.count)",
                  fix: "remove some tags (AWS allows 50 per resource and privgw adds its own)")
            ok = false
        }
        return ok ? tags : nil
    }
}
