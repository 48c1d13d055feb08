import Foundation
import XCTest
@testable import PrivGW

final class SpecTests: XCTestCase {
    static let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef"

    /// A minimal valid spec, one key per line (line N = index N-1).
    static let minimal: [String] = [
        "name: orders",                                   // 1
        "region: eu-west-1",                              // 2
        "domain: api.internal.example.com",               // 3
        "vpc: vpc-0123456789abcdef0",                     // 4
        "subnets:",                                       // 5
        "  - subnet-0123456789abcdef0",                   // 6
        "  - subnet-0fedcba9876543210",                   // 7
        "certificate:",                                   // 8
        "  arn: \(arn)",                                  // 9
        "privateZone: Z0PRIVATE123",                      // 10
        "api:",                                           // 11
        "  id: a1b2c3d4e5",                               // 12
    ]

    static func yaml(_ lines: [String]) -> String { lines.joined(separator: "\n") + "\n" }

    /// `minimal` with line `n` (1-based) replaced.
    static func replacing(_ n: Int, with line: String, in lines: [String] = minimal) -> String {
        var l = lines
        l[n - 1] = line
        return yaml(l)
    }

    func errors(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [SpecDiagnostic] {
        do {
            let spec = try StackSpec.parse(yaml: yaml, file: "privgw.yaml")
            XCTFail("expected a SpecError, parsed \(spec)", file: file, line: line)
            return []
        } catch let error as SpecError {
            XCTAssertFalse(error.diagnostics.isEmpty, file: file, line: line)
            for d in error.diagnostics {
                XCTAssertFalse(d.message.isEmpty, file: file, line: line)
                XCTAssertFalse(d.fix.isEmpty, "no fix for \(d)", file: file, line: line)
                XCTAssertEqual(d.severity, .error, file: file, line: line)
            }
            return error.diagnostics
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return []
        }
    }

    /// Asserts exactly one error, on `field` at `line`, whose message contains `contains`.
    @discardableResult
    func assertError(_ yaml: String, field: String, line expectedLine: Int?, contains: String = "",
                     file: StaticString = #filePath, line: UInt = #line) -> SpecDiagnostic? {
        let errs = errors(yaml, file: file, line: line)
        XCTAssertEqual(errs.count, 1, "errors: \(errs)", file: file, line: line)
        guard let d = errs.first else { return nil }
        XCTAssertEqual(d.field, field, "\(d)", file: file, line: line)
        XCTAssertEqual(d.line, expectedLine, "\(d)", file: file, line: line)
        if !contains.isEmpty {
            XCTAssertTrue(d.message.contains(contains), "'\(d.message)' lacks '\(contains)'", file: file, line: line)
        }
        return d
    }

    // MARK: Valid specs

    func testMinimalSpecGetsDefaults() throws {
        let spec = try StackSpec.parse(yaml: Self.yaml(Self.minimal), file: "privgw.yaml")
        XCTAssertEqual(spec.name, "orders")
        XCTAssertEqual(spec.region, "eu-west-1")
        XCTAssertEqual(spec.design, .alb)
        XCTAssertEqual(spec.domains, ["api.internal.example.com"])
        XCTAssertEqual(spec.primaryDomain, "api.internal.example.com")
        XCTAssertEqual(spec.vpc, "vpc-0123456789abcdef0")
        XCTAssertEqual(spec.subnets, ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"])
        XCTAssertNil(spec.vpcEndpoint)
        XCTAssertEqual(spec.securityGroups, [])
        XCTAssertEqual(spec.certificate, .existing(arn: Self.arn))
        XCTAssertEqual(spec.privateZone, .existing(id: "Z0PRIVATE123"))
        XCTAssertNil(spec.privateZoneName)
        XCTAssertEqual(spec.apis, [StackSpec.APIMapping(basePath: "", restApiId: "a1b2c3d4e5", stage: "prod")])
        XCTAssertFalse(spec.manageApiPolicy)
        XCTAssertEqual(spec.healthCheck, StackSpec.HealthCheck(path: "/", codes: "200,403"))
        XCTAssertEqual(spec.tags, [:])
    }

    func testRegionIsOptional() throws {
        var lines = Self.minimal
        lines.remove(at: 1)
        let spec = try StackSpec.parse(yaml: Self.yaml(lines))
        XCTAssertNil(spec.region)
    }

    func testListFormsAndEveryOptionalKey() throws {
        let yaml = """
        name: shop-internal
        region: us-gov-west-1
        design: alb
        domains: [a.corp.example.com, b.corp.example.com]
        vpc: vpc-01234567
        subnets: [subnet-01234567, subnet-89abcdef, subnet-0123456789abcdef0]
        vpcEndpoint: vpce-0123456789abcdef0
        securityGroups: [sg-0123456789abcdef0, sg-01234567]
        certificate:
          validationZone: Z0PUBLIC
        privateZone: create
        privateZoneName: corp.example.com
        apis:
          - basePath: orders
            id: a1b2c3d4e5
            stage: live_v2
          - basePath: "(none)"
            restApiId: demo
          - basePath: /billing
            id: zzzzzzzzzz
        manageApiPolicy: true
        healthCheck:
          path: /prod/hello
          codes: "200-299, 403"
        tags: {team: payments, "cost center": "42", empty: }
        """
        let loaded = try StackSpec.parseWithWarnings(yaml: yaml, file: "x.yaml")
        XCTAssertEqual(loaded.warnings, [])
        let spec = loaded.spec
        XCTAssertEqual(spec.region, "us-gov-west-1")
        XCTAssertEqual(spec.domains, ["a.corp.example.com", "b.corp.example.com"])
        XCTAssertEqual(spec.subnets.count, 3)
        XCTAssertEqual(spec.vpcEndpoint, "vpce-0123456789abcdef0")
        XCTAssertEqual(spec.securityGroups, ["sg-0123456789abcdef0", "sg-01234567"])
        XCTAssertEqual(spec.certificate, .validated(zoneId: "Z0PUBLIC"))
        XCTAssertEqual(spec.privateZone, .create(name: "corp.example.com"))
        XCTAssertEqual(spec.privateZoneName, "corp.example.com")
        XCTAssertEqual(spec.apis, [
            .init(basePath: "orders", restApiId: "a1b2c3d4e5", stage: "live_v2"),
            .init(basePath: "", restApiId: "demo", stage: "prod"),
            .init(basePath: "billing", restApiId: "zzzzzzzzzz", stage: "prod"),
        ])
        XCTAssertTrue(spec.apis[1].isDemo && spec.apis[1].isRoot)
        XCTAssertTrue(spec.manageApiPolicy)
        XCTAssertEqual(spec.healthCheck, .init(path: "/prod/hello", codes: "200-299,403"))
        XCTAssertEqual(spec.tags, ["team": "payments", "cost center": "42", "empty": ""])
    }

    func testNativeDesignWithSingleDomainAndWarnings() throws {
        var lines = Self.minimal
        lines.insert("design: native", at: 2)               // line 3
        lines += ["healthCheck:", "  path: /x"]             // line 14
        let loaded = try StackSpec.parseWithWarnings(yaml: Self.yaml(lines))
        XCTAssertEqual(loaded.spec.design, .native)
        XCTAssertEqual(loaded.warnings.count, 1)
        XCTAssertEqual(loaded.warnings.first?.field, "healthCheck")
        XCTAssertEqual(loaded.warnings.first?.line, 14)
        XCTAssertEqual(loaded.warnings.first?.severity, .warning)
        XCTAssertTrue(loaded.warnings.first!.rendered(file: "p.yaml").hasPrefix("p.yaml:14: warning: healthCheck: "))
        // `parse` drops warnings and still succeeds.
        XCTAssertEqual(try StackSpec.parse(yaml: Self.yaml(lines)).design, .native)
    }

    func testExampleYAMLParses() throws {
        let loaded = try StackSpec.parseWithWarnings(yaml: StackSpec.exampleYAML, file: "privgw.yaml")
        XCTAssertEqual(loaded.warnings, [])
        let spec = loaded.spec
        XCTAssertEqual(spec.name, "orders")
        XCTAssertEqual(spec.design, .alb)
        XCTAssertEqual(spec.certificate, .validated(zoneId: "Z0123456789ABCDEFGHIJ"))
        XCTAssertEqual(spec.privateZone, .create(name: "internal.example.com"))
        XCTAssertEqual(spec.apis, [.init(basePath: "", restApiId: "demo", stage: "prod")])
        XCTAssertEqual(spec.tags, ["team": "payments"])
    }

    func testExampleYAMLExplainsEveryKey() {
        for key in SpecKeys.top + SpecKeys.certificate + SpecKeys.api.filter({ $0 != "restApiId" }) + SpecKeys.healthCheck {
            XCTAssertTrue(StackSpec.exampleYAML.contains("\(key)"), "exampleYAML never mentions \(key)")
        }
    }

    /// The commented-out alternatives in the example are valid too once uncommented.
    func testExampleAlternativesParse() throws {
        var text = StackSpec.exampleYAML
        text = text.replacingOccurrences(of: "domain: api.internal.example.com\n", with: "")
        text = text.replacingOccurrences(of: "# domains: [", with: "domains: [")
        text = text.replacingOccurrences(of: "# vpcEndpoint:", with: "vpcEndpoint:")
        text = text.replacingOccurrences(of: "# securityGroups:", with: "securityGroups:")
        text = text.replacingOccurrences(of: "  validationZone: Z0123456789ABCDEFGHIJ\n", with: "")
        text = text.replacingOccurrences(of: "  # arn:", with: "  arn:")
        text = text.replacingOccurrences(of: "api:\n  id: demo\n  stage: prod\n  basePath: \"\"\n", with: "")
        // Uncomment the `# apis:` block (up to the next blank line).
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try XCTUnwrap(lines.firstIndex(of: "# apis:"))
        var i = start
        while i < lines.count, !lines[i].isEmpty {
            lines[i] = String(lines[i].dropFirst(2))
            i += 1
        }
        text = lines.joined(separator: "\n")
        let spec = try StackSpec.parse(yaml: text)
        XCTAssertEqual(spec.domains.count, 2)
        XCTAssertEqual(spec.apis.map(\.basePath), ["orders", "billing"])
        XCTAssertEqual(spec.vpcEndpoint, "vpce-0123456789abcdef0")
        XCTAssertEqual(spec.securityGroups, ["sg-0123456789abcdef0"])
        guard case .existing = spec.certificate else { return XCTFail("\(spec.certificate)") }
    }

    func testCodableRoundTrip() throws {
        let spec = try StackSpec.parse(yaml: StackSpec.exampleYAML)
        let data = try JSONEncoder().encode(spec)
        XCTAssertEqual(try JSONDecoder().decode(StackSpec.self, from: data), spec)
    }

    func testLoadFromFileAndMissingFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("privgw-spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("privgw.yaml").path
        try StackSpec.exampleYAML.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try StackSpec.load(path: path).name, "orders")

        let missing = dir.appendingPathComponent("nope.yaml").path
        XCTAssertThrowsError(try StackSpec.load(path: missing)) { error in
            guard let e = error as? SpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, missing)
            XCTAssertEqual(e.diagnostics.count, 1)
            XCTAssertTrue(e.description.contains("privgw init"))
        }
    }

    // MARK: Rendering

    func testDescriptionRendersLikeACompiler() {
        var lines = Self.minimal
        lines.replaceSubrange(4...6, with: ["subnets: [subnet-0123456789abcdef0]"])   // line 5
        do {
            _ = try StackSpec.parse(yaml: Self.yaml(lines), file: "privgw.yaml")
            XCTFail("should fail")
        } catch let e as SpecError {
            XCTAssertEqual(e.diagnostics.count, 1)
            let text = e.description
            XCTAssertTrue(text.hasPrefix(
                "privgw.yaml:5: error: subnets: needs at least two subnets in two availability zones, got 1\n  fix: add a second subnet id"),
                text)
            XCTAssertTrue(text.hasSuffix("1 error in privgw.yaml"), text)
        } catch {
            XCTFail("\(error)")
        }
    }

    // MARK: Errors with field path and line

    func testNameRules() {
        assertError(Self.replacing(1, with: "name: Orders"), field: "name", line: 1, contains: "lowercase")
        assertError(Self.replacing(1, with: "name: 1orders"), field: "name", line: 1, contains: "start with a letter")
        assertError(Self.replacing(1, with: "name: a-very-long-stack-name-over-28"), field: "name", line: 1,
                    contains: "longer than 28")
        assertError(Self.replacing(1, with: "name: \"\""), field: "name", line: 1)
        let d = assertError(Self.replacing(1, with: "name:"), field: "name", line: 1, contains: "no value")
        XCTAssertTrue(d?.fix.contains("name: orders") ?? false)
        assertError(Self.replacing(1, with: "nam: orders"), field: "nam", line: 1, contains: "did you mean 'name'")
    }

    func testRegionFormat() {
        assertError(Self.replacing(2, with: "region: Europe"), field: "region", line: 2, contains: "not an AWS region")
        assertError(Self.replacing(2, with: "region: eu-west"), field: "region", line: 2)
        assertError(Self.replacing(2, with: "region: us-isoz-east-1x"), field: "region", line: 2)
        let zoneCert = Self.replacing(9, with: "  validationZone: Z0PUBLIC").split(separator: "\n").map(String.init)
        for ok in ["us-east-1", "cn-north-1", "us-iso-east-1", "us-isob-east-1", "ap-southeast-2"] {
            XCTAssertNoThrow(try StackSpec.parse(yaml: Self.replacing(2, with: "region: \(ok)", in: zoneCert)), ok)
        }
        let d = assertError(Self.replacing(2, with: "region: EU-WEST-1"), field: "region", line: 2)
        XCTAssertEqual(d?.fix, "write it in lowercase: eu-west-1")
    }

    func testDesignValue() {
        let d = assertError(Self.replacing(2, with: "design: albb"), field: "design", line: 2, contains: "did you mean 'alb'")
        XCTAssertTrue(d?.fix.contains("native") ?? false)
    }

    func testDomainRules() {
        assertError(Self.replacing(3, with: "domain: API.example.com"), field: "domain", line: 3, contains: "lowercase")
        assertError(Self.replacing(3, with: "domain: \"*.example.com\""), field: "domain", line: 3, contains: "wildcard")
        assertError(Self.replacing(3, with: "domain: api.example.com."), field: "domain", line: 3, contains: "trailing dot")
        assertError(Self.replacing(3, with: "domain: https://api.example.com/"), field: "domain", line: 3, contains: "URL")
        assertError(Self.replacing(3, with: "domain: localhost"), field: "domain", line: 3)
        assertError(Self.replacing(3, with: "domain: a..example.com"), field: "domain", line: 3, contains: "empty label")
        assertError(Self.replacing(3, with: "domain: -a.example.com"), field: "domain", line: 3)
        assertError(Self.replacing(3, with: "domain: a_b.example.com"), field: "domain", line: 3)
        assertError(Self.replacing(3, with: "domain: \(String(repeating: "a", count: 64)).example.com"),
                    field: "domain", line: 3, contains: "63")
        let long = (0..<64).map { _ in "abcd" }.joined(separator: ".")   // 319 chars
        assertError(Self.replacing(3, with: "domain: \(long)"), field: "domain", line: 3, contains: "253")
    }

    func testDomainsList() {
        assertError(Self.replacing(3, with: "domains: [a.example.com, b.example.com, a.example.com]"),
                    field: "domains[2]", line: 3, contains: "listed twice")
        assertError(Self.replacing(3, with: "domains: []"), field: "domains", line: 3, contains: "empty")
        assertError(Self.replacing(3, with: "domains: a.example.com"), field: "domains", line: 3, contains: "expected a list")
        let d = assertError(Self.replacing(3, with: "domain: [a.example.com]"), field: "domain", line: 3, contains: "got a list")
        XCTAssertTrue(d?.fix.contains("`domains:`") ?? false)
        var lines = Self.minimal
        lines.insert("domains: [b.example.com]", at: 3)   // line 4
        assertError(Self.yaml(lines), field: "domains", line: 4, contains: "not both")
        lines = Self.minimal
        lines[2] = "domains: [a.example.com, b.example.com]"
        lines.insert("design: native", at: 1)
        assertError(Self.yaml(lines), field: "domains", line: 4, contains: "design native")
        lines = Self.minimal
        lines.remove(at: 2)
        assertError(Self.yaml(lines), field: "domain", line: nil, contains: "missing")
    }

    func testDomainInsidePrivateZoneName() {
        var lines = Self.minimal
        lines.append("privateZoneName: other.example.com")   // 13
        assertError(Self.yaml(lines), field: "domain", line: 3, contains: "not inside privateZoneName")
        lines[2] = "domains:"
        lines.insert(contentsOf: ["  - a.other.example.com", "  - b.internal.example.com"], at: 3)  // 4, 5
        assertError(Self.yaml(lines), field: "domains[1]", line: 5, contains: "not inside")
        lines = Self.minimal
        lines.append("privateZoneName: internal.example.com")
        XCTAssertEqual(try StackSpec.parse(yaml: Self.yaml(lines)).privateZoneName, "internal.example.com")
    }

    func testIds() {
        assertError(Self.replacing(4, with: "vpc: vpc-123"), field: "vpc", line: 4, contains: "8 or 17 hex")
        assertError(Self.replacing(4, with: "vpc: subnet-0123456789abcdef0"), field: "vpc", line: 4, contains: "not a vpc- id")
        let d = assertError(Self.replacing(4, with: "vpc: VPC-0123456789ABCDEF0"), field: "vpc", line: 4)
        XCTAssertEqual(d?.fix, "write it in lowercase: vpc-0123456789abcdef0")
        assertError(Self.replacing(7, with: "  - subnet-xyz"), field: "subnets[1]", line: 7, contains: "subnet-")
        assertError(Self.replacing(7, with: "  - subnet-0123456789abcdef0"), field: "subnets[1]", line: 7, contains: "twice")
        assertError(Self.replacing(7, with: "  - [subnet-0fedcba9876543210]"), field: "subnets[1]", line: 7,
                    contains: "got a list")
        var lines = Self.minimal
        lines.append("vpcEndpoint: vpc-0123456789abcdef0")     // 13
        assertError(Self.yaml(lines), field: "vpcEndpoint", line: 13, contains: "vpce-")
        lines[12] = "securityGroups: [sg-01234567, sg-0123456z]"
        assertError(Self.yaml(lines), field: "securityGroups[1]", line: 13)
        lines[12] = "securityGroups: []"
        assertError(Self.yaml(lines), field: "securityGroups", line: 13, contains: "empty")
        lines[12] = "securityGroups: [\((1...6).map { "sg-0000000\($0)" }.joined(separator: ", "))]"
        assertError(Self.yaml(lines), field: "securityGroups", line: 13, contains: "at most 5")
    }

    func testSubnetsCountAndTypes() {
        var lines = Self.minimal
        lines.remove(at: 6)
        assertError(Self.yaml(lines), field: "subnets", line: 5, contains: "at least two subnets")
        let d = assertError(Self.replacing(5, with: "subnets: subnet-0123456789abcdef0",
                                           in: Array(Self.minimal[0..<5] + Self.minimal[7...])),
                            field: "subnets", line: 5, contains: "expected a list, got a string")
        XCTAssertTrue(d?.fix.contains("[subnet-0123456789abcdef0]") ?? false)
        lines = Self.minimal
        lines.replaceSubrange(4...6, with: ["subnets: {a: subnet-0123456789abcdef0}"])
        assertError(Self.yaml(lines), field: "subnets", line: 5, contains: "expected a list, got a mapping")
    }

    func testCertificate() {
        assertError(Self.replacing(9, with: "  arn: arn:aws:acm:eu-west-1:123:certificate/x"), field: "certificate.arn",
                    line: 9, contains: "not an ACM certificate ARN")
        assertError(Self.replacing(9, with: "  arn: \(Self.arn.replacingOccurrences(of: "eu-west-1", with: "us-east-1"))"),
                    field: "certificate.arn", line: 9, contains: "in us-east-1 but the stack is in eu-west-1")
        assertError(Self.replacing(9, with: "  validationZone: z-public"), field: "certificate.validationZone", line: 9,
                    contains: "hosted zone id")
        let d = assertError(Self.replacing(9, with: "  validationZone: /hostedzone/Z0PUBLIC"),
                            field: "certificate.validationZone", line: 9)
        XCTAssertEqual(d?.fix, "write only the id: Z0PUBLIC")
        assertError(Self.replacing(9, with: "  arnn: \(Self.arn)"), field: "certificate.arnn", line: 9,
                    contains: "did you mean 'arn'")
        var lines = Self.minimal
        lines.insert("  validationZone: Z0PUBLIC", at: 9)   // line 10
        assertError(Self.yaml(lines), field: "certificate.validationZone", line: 10, contains: "not both")
        lines = Self.minimal
        lines.replaceSubrange(7...8, with: ["certificate: \(Self.arn)"])
        let s = assertError(Self.yaml(lines), field: "certificate", line: 8, contains: "expected a mapping")
        XCTAssertTrue(s?.fix.contains("arn: \(Self.arn)") ?? false)
        lines = Self.minimal
        lines.replaceSubrange(7...8, with: ["certificate: {}"])
        assertError(Self.yaml(lines), field: "certificate", line: 8, contains: "needs `arn` or `validationZone`")
    }

    func testPrivateZone() {
        assertError(Self.replacing(10, with: "privateZone: create"), field: "privateZone", line: 10,
                    contains: "needs `privateZoneName`")
        assertError(Self.replacing(10, with: "privateZone: zprivate"), field: "privateZone", line: 10,
                    contains: "neither a hosted zone id nor `create`")
        var lines = Self.minimal
        lines[9] = "privateZone: create"
        lines.append("privateZoneName: Internal.Example.com")   // 13
        assertError(Self.yaml(lines), field: "privateZoneName", line: 13, contains: "lowercase")
        lines[12] = "privateZoneName: internal.example.com"
        XCTAssertEqual(try StackSpec.parse(yaml: Self.yaml(lines)).privateZone, .create(name: "internal.example.com"))
    }

    func testAPIForms() {
        assertError(Self.replacing(12, with: "  id: A1B2C3D4E5"), field: "api.id", line: 12, contains: "not a REST API id")
        assertError(Self.replacing(12, with: "  id: abc"), field: "api.id", line: 12)
        assertError(Self.replacing(12, with: "  ids: a1b2c3d4e5"), field: "api.ids", line: 12, contains: "did you mean 'id'")
        var lines = Self.minimal + ["  stage: prod v2"]                  // 13
        assertError(Self.yaml(lines), field: "api.stage", line: 13, contains: "stage name")
        lines[12] = "  basePath: v1/orders"
        assertError(Self.yaml(lines), field: "api.basePath", line: 13, contains: "more than one path segment")
        lines[12] = "  basePath: \"v 1\""
        assertError(Self.yaml(lines), field: "api.basePath", line: 13, contains: "not a valid base path")
        lines[12] = "  restApiId: a1b2c3d4e5"
        assertError(Self.yaml(lines), field: "api.restApiId", line: 13, contains: "not both")
        lines = Self.minimal
        lines[11] = "  stage: prod"
        assertError(Self.yaml(lines), field: "api.id", line: 11, contains: "missing")
        lines = Self.minimal
        lines[10] = "apis:"
        lines[11] = "  id: a1b2c3d4e5"
        assertError(Self.yaml(lines), field: "apis", line: 11, contains: "expected a list, got a mapping")
        lines = Self.minimal
        lines[11] = "  - id: a1b2c3d4e5"
        assertError(Self.yaml(lines), field: "api", line: 11, contains: "got a list")
        lines = Self.minimal
        lines.removeLast(2)
        assertError(Self.yaml(lines), field: "api", line: nil, contains: "missing")
        lines = Self.minimal + ["apis: []"]
        assertError(Self.yaml(lines), field: "apis", line: 13, contains: "not both")
    }

    func testAPIsList() {
        var lines = Array(Self.minimal[0..<10])
        lines += [
            "apis:",                    // 11
            "  - basePath: v1",         // 12
            "    id: a1b2c3d4e5",       // 13
            "  - id: b1b2c3d4e5",       // 14
            "  - basePath: /v1",        // 15
            "    id: demo",             // 16
            "  - basePath: \"\"",       // 17
            "    id: demo",             // 18
            "  - just-a-string",        // 19
        ]
        let errs = errors(Self.yaml(lines))
        XCTAssertEqual(errs.map(\.field), ["apis[2].basePath", "apis[3].basePath", "apis[4]"], "\(errs)")
        XCTAssertEqual(errs.map(\.line), [15, 17, 19])
        XCTAssertTrue(errs[0].message.contains("used twice (also apis[0])"))
        XCTAssertTrue(errs[1].message.contains("two APIs are mapped at the root"))
        XCTAssertTrue(errs[2].message.contains("expected a mapping"))
    }

    func testBoolHealthCheckAndTags() {
        var lines = Self.minimal + ["manageApiPolicy: yes"]   // 13
        assertError(Self.yaml(lines), field: "manageApiPolicy", line: 13, contains: "true or false")
        lines[12] = "manageApiPolicy: \"true\""
        assertError(Self.yaml(lines), field: "manageApiPolicy", line: 13)
        lines[12] = "healthCheck: {path: prod/hello}"
        assertError(Self.yaml(lines), field: "healthCheck.path", line: 13, contains: "must start with /")
        lines[12] = "healthCheck: {codes: \"200,503\"}"
        assertError(Self.yaml(lines), field: "healthCheck.codes", line: 13, contains: "outside 200-499")
        for bad in ["\"299-200\"", "abc", "\"200,,403\"", "\"200-\"", "2000"] {
            lines[12] = "healthCheck: {codes: \(bad)}"
            assertError(Self.yaml(lines), field: "healthCheck.codes", line: 13)
        }
        lines[12] = "healthCheck: {codes: 200}"
        XCTAssertEqual(try StackSpec.parse(yaml: Self.yaml(lines)).healthCheck.codes, "200")
        lines[12] = "healthCheck: {interval: 5}"
        assertError(Self.yaml(lines), field: "healthCheck.interval", line: 13, contains: "unknown key")
        lines[12] = "tags: {aws:owner: me}"
        assertError(Self.yaml(lines), field: "tags.aws:owner", line: 13, contains: "reserved")
        lines[12] = "tags: {PrivGW:stack: x}"
        assertError(Self.yaml(lines), field: "tags.PrivGW:stack", line: 13, contains: "reserved")
        lines[12] = "tags: {team: [a, b]}"
        assertError(Self.yaml(lines), field: "tags.team", line: 13, contains: "must be strings")
        lines[12] = "tags: {\"t#\": x}"
        assertError(Self.yaml(lines), field: "tags.t#", line: 13, contains: "characters")
        lines[12] = "tags: {t: \(String(repeating: "v", count: 257))}"
        assertError(Self.yaml(lines), field: "tags.t", line: 13, contains: "256")
        lines[12] = "tags: [team]"
        assertError(Self.yaml(lines), field: "tags", line: 13, contains: "expected a mapping")
        lines[12] = "tags: {\((1...41).map { "k\($0): v" }.joined(separator: ", "))}"
        assertError(Self.yaml(lines), field: "tags", line: 13, contains: "at most 40")
    }

    // MARK: Unknown keys, duplicates, syntax

    func testUnknownKeySuggestions() {
        let cases: [(String, String)] = [
            ("subnet: [subnet-0123456789abcdef0]", "subnets"),
            ("vpc_endpoint: vpce-0123456789abcdef0", "vpcEndpoint"),
            ("securityGroup: [sg-01234567]", "securityGroups"),
            ("health_check: {}", "healthCheck"),
            ("privatZone: Z1", "privateZone"),
        ]
        for (line, suggestion) in cases {
            let errs = errors(Self.yaml(Self.minimal + [line]))
            XCTAssertEqual(errs.count, 1, "\(errs)")
            XCTAssertEqual(errs.first?.line, 13)
            XCTAssertTrue(errs.first?.message.contains("did you mean '\(suggestion)'") ?? false, "\(errs)")
            XCTAssertEqual(errs.first?.fix, "rename it to `\(suggestion)`")
        }
        // A nested key at the top level says where it belongs.
        let errs = errors(Self.yaml(Self.minimal + ["stage: prod"]))
        XCTAssertEqual(errs.first?.field, "stage")
        XCTAssertTrue(errs.first?.message.contains("belongs under 'api'") ?? false, "\(errs)")
        // Nothing close: list the valid keys.
        let far = errors(Self.yaml(Self.minimal + ["xyzzy: 1"]))
        XCTAssertTrue(far.first?.fix.contains("valid keys here: name, region") ?? false, "\(far)")
    }

    func testDuplicateKeysAreReportedAndOtherErrorsStillCollected() {
        var lines = Self.minimal
        lines.append("vpc: vpc-0fedcba9876543210")   // 13: duplicate of line 4
        lines.append("name: BAD")                    // 14: duplicate of line 1
        lines[7] = "certificate:"
        lines.insert("  arn: \(Self.arn)", at: 9)    // duplicate nested key at line 10
        lines[0] = "name: 9lives"                    // invalid value on line 1
        let errs = errors(Self.yaml(lines))
        XCTAssertEqual(errs.map(\.field), ["name", "certificate.arn", "vpc", "name"], "\(errs)")
        XCTAssertEqual(errs.map(\.line), [1, 10, 14, 15])
        XCTAssertTrue(errs[1].message.contains("duplicate key 'arn' (first set on line 9)"), "\(errs)")
        XCTAssertTrue(errs[2].message.contains("duplicate key 'vpc' (first set on line 4)"), "\(errs)")
    }

    func testDuplicateKeyInsideListEntry() {
        var lines = Array(Self.minimal[0..<10])
        lines += ["apis:", "  - id: a1b2c3d4e5", "    stage: a", "    stage: b", "  - id: b1b2c3d4e5", "    basePath: x"]
        let errs = errors(Self.yaml(lines))
        XCTAssertEqual(errs.map(\.field), ["apis[0].stage"], "\(errs)")
        XCTAssertEqual(errs.first?.line, 14)
    }

    func testDuplicateKeyInFlowMappingStillReported() {
        let errs = errors(Self.yaml(Self.minimal + ["tags: {a: 1, a: 2}"]))
        XCTAssertEqual(errs.count, 1)
        XCTAssertEqual(errs.first?.line, 13)
        XCTAssertTrue(errs.first?.message.contains("duplicate") ?? false)
    }

    func testAllErrorsAreCollectedInFileOrder() {
        let yaml = """
        name: Orders_1
        design: fancy
        domain: API.example.com
        vpc: vpc-1
        subnets: [subnet-0123456789abcdef0]
        certificate:
          validationZone: nope
        privateZone: create
        api:
          id: x
        colour: blue
        """
        let errs = errors(yaml)
        XCTAssertEqual(errs.map(\.field), ["name", "design", "domain", "vpc", "subnets", "certificate.validationZone",
                                           "privateZone", "api.id", "colour"], "\(errs)")
        XCTAssertEqual(errs.map(\.line), [1, 2, 3, 4, 5, 7, 8, 10, 11])
    }

    func testMissingKeysAreListedFirstWithoutLine() {
        let errs = errors("name: orders\n")
        XCTAssertEqual(Set(errs.map(\.field)), ["domain", "vpc", "subnets", "certificate", "privateZone", "api"])
        XCTAssertTrue(errs.allSatisfy { $0.line == nil })
    }

    func testYAMLSyntaxErrorHasLine() {
        var lines = Self.minimal
        lines[5] = "  - subnet-0123456789abcdef0: ["
        let errs = errors(Self.yaml(lines))
        XCTAssertEqual(errs.count, 1)
        XCTAssertEqual(errs.first?.field, "")
        XCTAssertNotNil(errs.first?.line)
        XCTAssertTrue(errs.first?.message.hasPrefix("invalid YAML") ?? false, "\(errs)")

        let tab = errors("name: orders\n\tvpc: x\n")
        XCTAssertEqual(tab.first?.line, 2, "\(tab)")
    }

    func testEmptyAndNonMappingDocuments() {
        XCTAssertTrue(errors("").first?.message.contains("empty") ?? false)
        XCTAssertTrue(errors("# only a comment\n").first?.message.contains("empty") ?? false)
        XCTAssertTrue(errors("- a\n- b\n").first?.message.contains("expected a mapping") ?? false)
        XCTAssertTrue(errors("just text").first?.message.contains("expected a mapping") ?? false)
        let two = errors(Self.yaml(Self.minimal) + "---\nname: x\n")
        XCTAssertTrue(two.first?.message.contains("more than one YAML document") ?? false, "\(two)")
    }

    func testAnchorsAndAliasesAreResolved() throws {
        var lines = Self.minimal
        lines[3] = "vpc: &v vpc-0123456789abcdef0"
        lines.append("tags: {vpc: *v}")
        XCTAssertEqual(try StackSpec.parse(yaml: Self.yaml(lines)).tags["vpc"], "vpc-0123456789abcdef0")
    }

    func testSuggestDistance() {
        XCTAssertEqual(SpecSuggest.distance("nmae", "name"), 1)
        XCTAssertEqual(SpecSuggest.distance("", "abc"), 3)
        XCTAssertEqual(SpecSuggest.closest("domian", in: SpecKeys.top), "domain")
        XCTAssertNil(SpecSuggest.closest("zzz", in: SpecKeys.top))
    }
}
