// Signs a few hundred deterministic, awkward requests with SigV4Signer and with botocore (one python3 run over the
// whole batch: Tests/Support/python/botocore_sign.py) and requires identical Authorization headers for all.
//
// What the generator stays away from, on purpose:
// - S3 (no double encoding, no path normalisation there): only non-S3 service names are used.
// - A `Date` header: botocore then signs `Date` instead of `X-Amz-Date`; privgw never sends one.
// - Header values with line breaks or non-ASCII whitespace (not valid on the wire; Python's str.split() would
//   treat U+00A0 etc. as whitespace where SigV4 does not).
// - Default ports in the host (`HTTPRequest.host` carries the port only when it is not the scheme's default).
// Both sides sign the same header set: x-amz-content-sha256 is either on the request already (the body hash or
// UNSIGNED-PAYLOAD), or added by both (privgw: signContentSHA256; botocore: the helper adds it), or by neither.
import AWSCore
import Foundation
import XCTest

final class SigV4DifferentialTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let helper = repoRoot.appendingPathComponent("Tests/Support/python/botocore_sign.py")

    static let caseCount = 400
    static let seed: UInt64 = 0x5157_4934_2025

    func testAuthorizationMatchesBotocore() throws {
        var rng = SplitMix64(seed: Self.seed)
        let cases = (0..<Self.caseCount).map { Self.makeCase(index: $0, rng: &rng) }

        let reference = try Self.runBotocore(cases.map(\.spec))
        XCTAssertEqual(reference.count, cases.count, "botocore returned \(reference.count) results for \(cases.count) requests")

        var matched = 0
        for (c, ref) in zip(cases, reference) {
            var request = c.request
            var signer = SigV4Signer(credentials: c.credentials, region: c.spec.region, service: c.spec.service)
            signer.normalizesPath = true
            let details = signer.signWithDetails(&request, date: Date(timeIntervalSince1970: TimeInterval(c.spec.epoch)),
                                                 signContentSHA256: c.spec.content_sha256)
            if details.authorization == ref.authorization {
                matched += 1
            } else {
                XCTFail("""
                    case \(c.index): Authorization differs
                    privgw:   \(details.authorization)
                    botocore: \(ref.authorization)
                    --- privgw canonical request
                    \(details.canonicalRequest)
                    --- botocore canonical request
                    \(ref.canonical_request)
                    """)
                continue
            }
            XCTAssertEqual(details.stringToSign, ref.string_to_sign, "case \(c.index): string to sign")
            // Same headers on the wire, except Host: botocore leaves it to the HTTP client, privgw sets it.
            let ours = SigV4SuiteTests.headerSet(request.headers.filter { $0.name.lowercased() != "host" })
            let theirs = SigV4SuiteTests.headerSet(ref.headers.map { (name: $0[0], value: $0[1]) })
            XCTAssertEqual(ours, theirs, "case \(c.index): signed request headers")
        }
        print("SigV4 differential vs botocore: \(matched)/\(cases.count) Authorization headers identical")
        XCTAssertEqual(matched, cases.count)
    }

    // MARK: - Generator

    struct Case {
        let index: Int
        let spec: SignSpec
        let request: HTTPRequest
        let credentials: Credentials
    }

    /// The JSON request format of botocore_sign.py.
    struct SignSpec: Codable {
        var method: String
        var scheme: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body_b64: String
        var access_key: String
        var secret_key: String
        var token: String?
        var region: String
        var service: String
        var epoch: Int64
        var content_sha256: Bool
    }

    struct BotocoreResult: Decodable {
        let authorization: String
        let canonical_request: String
        let string_to_sign: String
        let headers: [[String]]
    }

    static let services = ["apigateway", "ec2", "elasticloadbalancing", "route53", "acm", "sts", "iam", "execute-api"]
    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
    static let hosts = [
        ("https", "apigateway.us-east-1.amazonaws.com"), ("https", "ec2.eu-west-1.amazonaws.com"),
        ("http", "127.0.0.1:5000"), ("http", "localhost:4566"), ("https", "route53.amazonaws.com"),
        ("https", "vpce-0abc.execute-api.us-east-1.vpce.amazonaws.com:8443"), ("http", "[::1]:5001"),
        ("https", "Example.Amazonaws.COM"),
    ]
    /// Decoded path segments: the wire path percent-encodes some of them.
    static let segments = [
        "restapis", "a1b2c3", "resources", "(none)", "basepathmappings", "domainnames", "api.example.internal",
        "hello world", "caf\u{e9}", "\u{65e5}\u{672c}\u{8a9e}", "\u{1F600}", "~user", "a+b", "semi;colon", "eq=al",
        "at@sign", "dollar$", "star*", "quote'", "comma,", "100%", "x-y_z.w", "UPPER", "2013-04-01", "hostedzone",
        "Z0123456789", "rrset", "",
    ]
    static let queryNames = [
        "Action", "Version", "name", "Name", "name2", "a", "A", "_", "~", "key with space", "caf\u{e9}", "\u{1F600}",
        "x-amz-meta", "Filter.1.Name", "Filter.1.Value.1", "domainNameId", "limit", "position", "", "p+q", "p&q",
        "p=q", "path/like", "%41",
    ]
    static let queryValues = [
        "", "1", "value", "Value", "2015-12-01", "DescribeVpcEndpoints", "a b", "a+b", "a%20b", "\u{e9}t\u{e9}",
        "\u{4e2d}\u{6587}", "\u{1F680}", "*", "~tilde", "slash/value", "semi;colon", "arn:aws:apigateway:us-east-1::/restapis/x",
        "vpce-0123456789abcdef0", String(repeating: "long", count: 64), "=", "&", "?", "#",
    ]
    static let headerNames = [
        "Content-Type", "content-type", "X-Amz-Target", "X-AMZ-TARGET", "My-Header", "x-custom-header",
        "Accept", "Content-Length", "X-Amz-User-Agent", "User-Agent", "Expect", "X-Amzn-Trace-Id", "Connection",
        "X-Api-Key", "If-Match", "x-amz-meta-data",
    ]
    static let headerValues = [
        "application/json", "application/x-amz-json-1.1", "application/x-www-form-urlencoded; charset=utf-8",
        "  padded  ", "a   b\tc", "\tleading tab", "trailing tab\t", "UPPER lower", "\"quoted   string\"", "",
        "   ", "caf\u{e9} \u{65e5}\u{672c}", "AmazonEC2.DescribeVpcs", "100-continue", "keep-alive", "x,y,z", "*",
        "privgw/0.1 (linux)",
    ]

    static func makeCase(index: Int, rng: inout SplitMix64) -> Case {
        let method = rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
        let (scheme, host) = rng.pick(hosts)

        // Path: 0-6 segments, each encoded for the wire strictly (everything but unreserved) or leniently (RFC 3986
        // sub-delims and ':' '@' left as they are), now and then a raw UTF-8 one (the suite's get-utf8 shape),
        // with the odd repeated or trailing slash and dot segment.
        var path = ""
        for _ in 0..<rng.int(7) {
            var seg = rng.pick(segments)
            switch rng.int(10) {
            case 0: break  // raw
            case 1, 2, 3: seg = lenientEncode(seg)
            default: seg = URIEncoding.encode(seg)
            }
            if rng.int(25) == 0 { seg = rng.pick([".", ".."]) }
            path += (rng.int(12) == 0 ? "//" : "/") + seg
        }
        if path.isEmpty || rng.int(6) == 0 { path += "/" }

        var query: [QueryItem] = []
        for _ in 0..<rng.int(6) {
            let name = rng.pick(queryNames)
            query.append(QueryItem(name, rng.pick(queryValues)))
            if rng.int(4) == 0 { query.append(QueryItem(name, rng.pick(queryValues))) }  // repeated key
        }

        var headers: [(name: String, value: String)] = []
        for _ in 0..<rng.int(6) {
            let name = rng.pick(headerNames)
            headers.append((name, rng.pick(headerValues)))
            if rng.int(5) == 0 { headers.append((name.uppercased(), rng.pick(headerValues))) }  // repeated header
        }

        let body: Data
        switch rng.int(8) {
        case 0, 1: body = Data()
        case 2: body = Data("Action=DescribeVpcEndpoints&Version=2016-11-15&VpcEndpointId.1=vpce-0abc".utf8)
        case 3: body = Data(#"{"name":"caf\#u{e9}","endpointConfiguration":{"types":["PRIVATE"]}}"#.utf8)
        case 4: body = Data((0..<rng.int(4096)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        case 5: body = Data(repeating: UInt8(ascii: "x"), count: 64 * 1024 + rng.int(1024))
        case 6: body = index % 50 == 6 ? Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }) : Data(" ".utf8)
        default: body = Data("<ChangeResourceRecordSetsRequest/>".utf8)
        }

        var contentSHA256 = true
        switch rng.int(5) {
        case 0: headers.append(("X-Amz-Content-SHA256", Crypto.sha256Hex(body)))
        case 1: headers.append(("x-amz-content-sha256", "UNSIGNED-PAYLOAD"))
        case 2: contentSHA256 = false
        default: break
        }

        let token: String? = rng.int(3) == 0 ? nil : randomToken(&rng)
        let accessKey = "AKIA" + String((0..<16).map { _ in rng.pick(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")) })
        let secret = String((0..<40).map { _ in rng.pick(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")) })
        // Anywhere from 2001 to 2037 (leap days and year ends included).
        let epoch = Int64(978_307_200) + Int64(rng.int(1_136_073_600))

        let spec = SignSpec(
            method: method, scheme: scheme, host: host, path: path,
            query: query.map { [$0.name, $0.value] }, headers: headers.map { [$0.name, $0.value] },
            body_b64: body.base64EncodedString(), access_key: accessKey, secret_key: secret, token: token,
            region: rng.pick(regions), service: rng.pick(services), epoch: epoch, content_sha256: contentSHA256)
        let request = HTTPRequest(method: method, scheme: scheme, host: host, path: path, query: query,
                                  headers: headers, body: body)
        return Case(index: index, spec: spec, request: request,
                    credentials: Credentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: token))
    }

    static func randomToken(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return "IQoJb3JpZ2luX2Vj" + String((0..<(40 + rng.int(300))).map { _ in rng.pick(alphabet) }) + "=="
    }

    /// Percent-encodes what a path segment must not carry raw; leaves sub-delims, ':' and '@' as they are.
    static func lenientEncode(_ s: String) -> String {
        let keep = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@".utf8)
        var out = ""
        for b in s.utf8 {
            if keep.contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    // MARK: - botocore

    static func runBotocore(_ specs: [SignSpec]) throws -> [BotocoreResult] {
        guard FileManager.default.fileExists(atPath: helper.path) else {
            XCTFail("botocore helper missing at \(helper.path)")
            return []
        }
        let input = try JSONEncoder().encode(["requests": specs])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", helper.path, "sign"]
        let stdin = Pipe(), stdout = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("botocore_sign-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stderrFile) }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        // Feed stdin from another thread so a chatty child can never deadlock us on a full pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let err = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            XCTFail("python3 botocore_sign.py failed (exit \(process.terminationStatus)); botocore must be installed "
                    + "(pip install botocore):\n\(err)")
            return []
        }
        struct Output: Decodable { let results: [BotocoreResult] }
        return try JSONDecoder().decode(Output.self, from: output).results
    }

    /// Deterministic PRNG (SplitMix64), so every run signs the same requests.
    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ upperBound: Int) -> Int { Int(next() % UInt64(upperBound)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }
}
