import Foundation
import XCTest
@testable import PrivGW

/// Mutates valid specs thousands of times (seeded, reproducible) and checks
/// that parsing never crashes and either succeeds or throws a SpecError with
/// at least one non-empty diagnostic.
final class SpecFuzzTests: XCTestCase {
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let listForm = """
    name: shop
    design: alb
    domains: [a.corp.example.com, b.corp.example.com]
    vpc: vpc-01234567
    subnets: [subnet-01234567, subnet-89abcdef]
    securityGroups:
      - sg-01234567
    certificate: {arn: "arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef"}
    privateZone: Z0PRIVATE
    privateZoneName: corp.example.com
    apis:
      - basePath: orders
        id: a1b2c3d4e5
        stage: prod
      - restApiId: demo
    healthCheck:
      path: /prod/hello
      codes: "200-299,403"
    tags:
      team: payments
      env: &e prod
      copy: *e
    """

    static let replacements: [String] = [
        "", " ", "  ", "\t", ":", ": ", "-", "- ", "[", "]", "{", "}", "\"", "'", "#", "&a", "*a", "!!int ", "!!binary ",
        "~", "null", "true", "0x1F", "1e9", "---", "...", "|", ">", "?", "%", "@", "`", ",", "\n", "\r\n", "\u{0}",
        "\u{7}", "é", "🙂", "\u{FEFF}", "<<: *a", "[a, b]", "{a: b}", "- - -", "*",
    ]

    static func mutate(_ text: String, rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            guard !lines.isEmpty else { lines = [""]; continue }
            let i = Int.random(in: 0..<lines.count, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:  // delete a line
                lines.remove(at: i)
            case 1:  // duplicate a line
                lines.insert(lines[i], at: Int.random(in: 0...lines.count, using: &rng))
            case 2:  // change a character
                var chars = Array(lines[i])
                if chars.isEmpty { chars = [" "] }
                let j = Int.random(in: 0..<chars.count, using: &rng)
                let r = replacements.randomElement(using: &rng)!
                chars.replaceSubrange(j...j, with: Array(r))
                lines[i] = String(chars)
            case 3:  // swap types: scalar <-> list <-> mapping
                if let colon = lines[i].firstIndex(of: ":") {
                    let key = lines[i][...colon]
                    let value = lines[i][lines[i].index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    let forms = [" [\(value)]", " {x: \(value)}", " \(value.isEmpty ? "x" : value)", "", " [[\(value)]]",
                                 " 12345", " true", " \"\(value)\""]
                    lines[i] = key + forms.randomElement(using: &rng)!
                }
            case 4:  // truncate the document
                let all = lines.joined(separator: "\n")
                let cut = Int.random(in: 0...all.count, using: &rng)
                lines = String(all.prefix(cut)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            case 5:  // re-indent
                let delta = Int.random(in: -2...3, using: &rng)
                if delta > 0 {
                    lines[i] = String(repeating: " ", count: delta) + lines[i]
                } else {
                    lines[i] = String(lines[i].dropFirst(min(-delta, lines[i].prefix(while: { $0 == " " }).count)))
                }
            case 6:  // swap two lines
                let j = Int.random(in: 0..<lines.count, using: &rng)
                lines.swapAt(i, j)
            case 7:  // insert noise
                lines.insert(replacements.randomElement(using: &rng)! + replacements.randomElement(using: &rng)!,
                             at: Int.random(in: 0...lines.count, using: &rng))
            case 8:  // change a key's spelling
                if let colon = lines[i].firstIndex(of: ":"), colon > lines[i].startIndex {
                    var key = Array(lines[i][..<colon])
                    let j = Int.random(in: 0..<key.count, using: &rng)
                    key[j] = Character(UnicodeScalar(UInt8.random(in: 97...122, using: &rng)))
                    lines[i] = String(key) + lines[i][colon...]
                }
            default:  // drop everything after a random column
                lines[i] = String(lines[i].prefix(Int.random(in: 0...lines[i].count, using: &rng)))
            }
        }
        return lines.joined(separator: "\n")
    }

    func fuzz(base: String, seed: UInt64, iterations: Int) {
        XCTAssertNoThrow(try StackSpec.parse(yaml: base), "the base spec must be valid")
        var rng = SplitMix64(state: seed)
        var outcomes = (ok: 0, failed: 0)
        for n in 0..<iterations {
            let text = Self.mutate(base, rng: &rng)
            do {
                _ = try StackSpec.parseWithWarnings(yaml: text, file: "fuzz.yaml")
                outcomes.ok += 1
            } catch let error as SpecError {
                outcomes.failed += 1
                XCTAssertFalse(error.diagnostics.isEmpty, "#\(n): empty SpecError for:\n\(text)")
                XCTAssertTrue(error.diagnostics.contains { !$0.message.isEmpty }, "#\(n): no message for:\n\(text)")
                // libyaml breaks lines at LF, CR, NEL, LS and PS.
                let breaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
                let lineCount = 1 + text.unicodeScalars.filter { breaks.contains($0) }.count
                for d in error.diagnostics {
                    if let line = d.line {
                        XCTAssertTrue((0...lineCount + 1).contains(line), "#\(n): line \(line) out of range: \(d)\n\(text)")
                    }
                }
                _ = error.description
            } catch {
                XCTFail("#\(n): not a SpecError: \(error)\n\(text)")
            }
        }
        XCTAssertGreaterThan(outcomes.failed, iterations / 10)
        XCTAssertGreaterThan(outcomes.ok, 0)
    }

    /// PRIVGW_FUZZ_ITERATIONS / PRIVGW_FUZZ_SEED override the defaults for longer local runs.
    static var iterations: Int { ProcessInfo.processInfo.environment["PRIVGW_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 2500 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["PRIVGW_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED }

    func testFuzzExampleSpec() {
        fuzz(base: StackSpec.exampleYAML, seed: Self.seed &+ 1, iterations: Self.iterations)
    }

    func testFuzzListFormSpec() {
        fuzz(base: Self.listForm, seed: Self.seed &+ 2, iterations: Self.iterations)
    }
}
