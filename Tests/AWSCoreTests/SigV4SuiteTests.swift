// Runs every case of the official SigV4 test suites (../shared/sigv4-suite, not copied into the repo) through
// SigV4Signer and compares canonical request, string to sign, signature and signed request byte for byte.
// Both forms are covered: Authorization header (what privgw sends) and presigned query.
import AWSCore
import Foundation
import XCTest

final class SigV4SuiteTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let suiteRoot = repoRoot.appendingPathComponent("../shared/sigv4-suite").standardizedFileURL

    static let accessKey = "AKIDEXAMPLE"
    static let secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    /// The suite directory, or a test failure (never a skip) when it is not there.
    func suiteDirectory(_ relative: String, file: StaticString = #filePath, line: UInt = #line) -> URL? {
        let dir = Self.suiteRoot.appendingPathComponent(relative)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else {
            XCTFail("SigV4 test suite not found at \(dir.path): it must be checked out beside the repo as "
                    + "../shared/sigv4-suite (see /work/shared/README.md)", file: file, line: line)
            return nil
        }
        return dir
    }

    // MARK: - aws4_testsuite (34 cases, .req/.creq/.sts/.authz/.sreq)

    func testAWS4TestSuite() throws {
        guard let root = suiteDirectory("aws4_testsuite") else { return }
        let cases = try Self.findCases(under: root, marker: { $0.pathExtension == "req" })
        XCTAssertEqual(cases.count, 34, "expected 34 cases in \(root.path)")
        var passed: [String] = []
        for reqFile in cases {
            let name = reqFile.deletingPathExtension().lastPathComponent
            let base = reqFile.deletingPathExtension()
            let failuresBefore = failureCount
            let raw = try RawHTTPRequest.parse(Data(contentsOf: reqFile))

            // Credentials per case. get-vanilla-with-session-token signs a token the .req does not carry: it is the
            // signer's to add (value as in aws-c-auth/v4/get-vanilla-with-session-token/context.json).
            // post-sts-header-before carries the token in the request (signed like any header);
            // post-sts-header-after adds it after signing (readme.txt), so it is signed without one.
            var credentials = Credentials(accessKeyId: Self.accessKey, secretAccessKey: Self.secretKey)
            if name == "get-vanilla-with-session-token" {
                credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
            }
            var request = raw.httpRequest()
            let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
            let details = signer.signWithDetails(&request, date: Self.suiteDate, signContentSHA256: false)
            if name == "post-sts-header-after" {
                request.headers.append(("X-Amz-Security-Token", Self.stsToken))
            }

            XCTAssertEqual(details.canonicalRequest, try Self.text(base.appendingPathExtension("creq")), "\(name): canonical request")
            XCTAssertEqual(details.stringToSign, try Self.text(base.appendingPathExtension("sts")), "\(name): string to sign")
            XCTAssertEqual(details.authorization, try Self.text(base.appendingPathExtension("authz")), "\(name): Authorization")

            // The signed request: same headers (any order, repeated ones in order) and body. Upstream's
            // get-vanilla-with-session-token.sreq carries get-vanilla's signature (a known error in that suite; its
            // .authz and aws-c-auth's copy agree with us), so only that Authorization line is not compared.
            let sreq = try RawHTTPRequest.parse(Data(contentsOf: base.appendingPathExtension("sreq")))
            let skipAuth = name == "get-vanilla-with-session-token"
            XCTAssertEqual(Self.headerSet(request.headers, droppingAuthorization: skipAuth),
                           Self.headerSet(sreq.headers, droppingAuthorization: skipAuth), "\(name): signed request headers")
            XCTAssertEqual(request.body, sreq.body, "\(name): body")
            if failureCount == failuresBefore { passed.append(name) }
        }
        print("aws4_testsuite: \(passed.count)/\(cases.count) cases passed (header signing)")
        XCTAssertEqual(passed.count, cases.count)
    }

    // MARK: - aws-c-auth/v4 (38 cases, header and query forms)

    func testAWSCAuthHeaderSigning() throws {
        try runAWSCAuth(form: "header")
    }

    func testAWSCAuthQuerySigning() throws {
        try runAWSCAuth(form: "query")
    }

    private func runAWSCAuth(form: String) throws {
        guard let root = suiteDirectory("aws-c-auth/v4") else { return }
        let cases = try Self.findCases(under: root, marker: { $0.lastPathComponent == "context.json" })
            .map { $0.deletingLastPathComponent() }
        XCTAssertEqual(cases.count, 38, "expected 38 cases in \(root.path)")
        var passed: [String] = []
        for dir in cases {
            let name = dir.lastPathComponent
            let failuresBefore = failureCount
            let context = try JSONDecoder().decode(CRTContext.self, from: Data(contentsOf: dir.appendingPathComponent("context.json")))
            let raw = try RawHTTPRequest.parse(Data(contentsOf: dir.appendingPathComponent("request.txt")))
            let omitToken = context.omit_session_token ?? false
            let credentials = Credentials(accessKeyId: context.credentials.access_key_id,
                                          secretAccessKey: context.credentials.secret_access_key,
                                          sessionToken: omitToken ? nil : context.credentials.token)
            guard let date = ISO8601DateFormatter().date(from: context.timestamp) else {
                XCTFail("\(name): bad timestamp \(context.timestamp)"); continue
            }
            var signer = SigV4Signer(credentials: credentials, region: context.region, service: context.service)
            signer.normalizesPath = context.normalize
            var request = raw.httpRequest()
            let details: SigV4Signer.Details
            if form == "header" {
                details = signer.signWithDetails(&request, date: date, signContentSHA256: context.sign_body)
                if omitToken, let token = context.credentials.token {
                    request.headers.append(("X-Amz-Security-Token", token))
                }
            } else {
                details = signer.presign(&request, expires: context.expiration_in_seconds, date: date)
                if omitToken, let token = context.credentials.token {
                    // Added after signing, just before the signature (where aws-c-auth puts it).
                    request.query.insert(QueryItem("X-Amz-Security-Token", token), at: request.query.count - 1)
                }
            }
            func file(_ suffix: String) throws -> String { try Self.text(dir.appendingPathComponent("\(form)-\(suffix)")) }
            XCTAssertEqual(details.canonicalRequest, try file("canonical-request.txt"), "\(name) [\(form)]: canonical request")
            XCTAssertEqual(details.stringToSign, try file("string-to-sign.txt"), "\(name) [\(form)]: string to sign")
            XCTAssertEqual(details.signature, try file("signature.txt"), "\(name) [\(form)]: signature")

            let signed = try RawHTTPRequest.parse(Data(contentsOf: dir.appendingPathComponent("\(form)-signed-request.txt")))
            if form == "header" {
                let expectedAuth = signed.headers.first { $0.name.lowercased() == "authorization" }?.value
                XCTAssertEqual(details.authorization, expectedAuth.map(Self.trim), "\(name) [header]: Authorization")
            }
            XCTAssertEqual(request.method, signed.method, "\(name) [\(form)]: method")
            XCTAssertEqual(request.path, signed.path, "\(name) [\(form)]: path")
            XCTAssertEqual(request.query, signed.query, "\(name) [\(form)]: query items")
            XCTAssertEqual(Self.headerSet(request.headers), Self.headerSet(signed.headers), "\(name) [\(form)]: headers")
            XCTAssertEqual(request.body, signed.body, "\(name) [\(form)]: body")
            if failureCount == failuresBefore { passed.append(name) }
        }
        print("aws-c-auth/v4 \(form) signing: \(passed.count)/\(cases.count) cases passed")
        XCTAssertEqual(passed.count, cases.count)
    }

    // MARK: - Unit checks beyond the suites

    func testDoubleEncodesEscapedPathAndNormalises() {
        XCTAssertEqual(SigV4Signer.canonicalURI(path: "/basepathmappings/%28none%29"), "/basepathmappings/%2528none%2529")
        XCTAssertEqual(SigV4Signer.canonicalURI(path: "//a/./b/../c//"), "/a/c/")
        XCTAssertEqual(SigV4Signer.canonicalURI(path: ""), "/")
        XCTAssertEqual(SigV4Signer.canonicalURI(path: "/a b/~x", normalize: false), "/a%20b/~x")
    }

    /// Every path of up to 8 characters over {'/', '.', 'a'} against a direct port of botocore's remove_dot_segments
    /// (the signer takes a shortcut for paths that are already normal; this pins the shortcut to the slow path).
    func testRemoveDotSegmentsMatchesBotocoreExhaustively() {
        func reference(_ url: String) -> String {
            if url.isEmpty { return "/" }
            var out: [Substring] = []
            for x in url.split(separator: "/", omittingEmptySubsequences: false) where !x.isEmpty && x != "." {
                if x == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(x) }
            }
            return (url.hasPrefix("/") ? "/" : "") + out.joined(separator: "/") + (url.hasSuffix("/") && !out.isEmpty ? "/" : "")
        }
        var paths = [""]
        var frontier = [""]
        for _ in 0..<8 {
            frontier = frontier.flatMap { p in ["/", ".", "a"].map { p + $0 } }
            paths += frontier
        }
        var mismatches: [String] = []
        for p in paths where SigV4Signer.removeDotSegments(p) != reference(p) { mismatches.append(p) }
        XCTAssertEqual(mismatches, [], "removeDotSegments differs from botocore for \(mismatches.prefix(10))")
        XCTAssertEqual(paths.count, 9841)
    }

    func testHostWithPortAndTokenAndContentHash() {
        let creds = Credentials(accessKeyId: "AKID", secretAccessKey: "SECRETKEY", sessionToken: "TOKEN")
        var request = HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1:5000", path: "/restapis")
        SigV4Signer(credentials: creds, region: "us-east-1", service: "apigateway")
            .sign(&request, date: Self.suiteDate)
        XCTAssertEqual(request.header("Host"), "127.0.0.1:5000")
        XCTAssertEqual(request.header("X-Amz-Date"), "20150830T123600Z")
        XCTAssertEqual(request.header("X-Amz-Security-Token"), "TOKEN")
        XCTAssertEqual(request.header("x-amz-content-sha256"), SigV4Signer.emptyPayloadHash)
        XCTAssertTrue(request.header("Authorization")!.hasPrefix(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/apigateway/aws4_request, "
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="))
    }

    func testResigningReplacesPreviousSignature() {
        let signer = SigV4Signer(credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "S"),
                                 region: "us-east-1", service: "ec2")
        var once = HTTPRequest(method: "POST", host: "ec2.us-east-1.amazonaws.com", body: Data("Action=X".utf8))
        once.setHeader("User-Agent", "privgw/1")
        var twice = once
        signer.sign(&once, date: Self.suiteDate)
        signer.sign(&twice, date: Self.suiteDate.addingTimeInterval(-60))
        signer.sign(&twice, date: Self.suiteDate)
        XCTAssertEqual(Self.headerSet(once.headers), Self.headerSet(twice.headers))
        XCTAssertEqual(twice.headers.filter { $0.name == "Authorization" }.count, 1)
        XCTAssertFalse(once.header("Authorization")!.contains("user-agent"), "User-Agent is not signed")
    }

    func testNoSecretsInDescriptions() {
        let creds = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SUPERSECRETKEYVALUE", sessionToken: "TOKENVALUE123")
        let signer = SigV4Signer(credentials: creds, region: "us-east-1", service: "sts")
        var request = HTTPRequest(method: "POST", host: "sts.amazonaws.com")
        let details = signer.signWithDetails(&request, date: Self.suiteDate)
        var dumped = ""
        dump(signer, to: &dumped)
        dump(details, to: &dumped)
        for text in [String(describing: signer), String(reflecting: signer), "\(details)", dumped] {
            XCTAssertFalse(text.contains("SUPERSECRETKEYVALUE"), text)
            XCTAssertFalse(text.contains("TOKENVALUE123"), text)
        }
    }

    func testSigningKeyMatchesAWSDocumentationExample() {
        // docs.aws.amazon.com "Examples of how to derive a signing key for Signature Version 4".
        let key = SigV4Signer.signingKey(secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         dateStamp: "20120215", region: "us-east-1", service: "iam")
        XCTAssertEqual(Crypto.hex(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }

    func testConcurrentSigningIsConsistent() async {
        let signer = SigV4Signer(credentials: Credentials(accessKeyId: "AKID", secretAccessKey: "S"),
                                 region: "eu-west-1", service: "route53")
        var reference = HTTPRequest(method: "GET", host: "route53.amazonaws.com", path: "/2013-04-01/hostedzone")
        signer.sign(&reference, date: Self.suiteDate)
        let expected = reference.header("Authorization")
        let results = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    var r = HTTPRequest(method: "GET", host: "route53.amazonaws.com", path: "/2013-04-01/hostedzone")
                    signer.sign(&r, date: Self.suiteDate)
                    return r.header("Authorization")
                }
            }
            return await group.reduce(into: [String?]()) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 64)
        XCTAssertTrue(results.allSatisfy { $0 == expected })
    }

    // MARK: - Helpers

    static let stsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    struct CRTContext: Decodable {
        struct Creds: Decodable { let access_key_id: String; let secret_access_key: String; let token: String? }
        let credentials: Creds
        let expiration_in_seconds: Int
        let normalize: Bool
        let region: String
        let service: String
        let sign_body: Bool
        let timestamp: String
        let omit_session_token: Bool?
    }

    private var failureCount: Int { testRun.map { Int($0.totalFailureCount) } ?? 0 }

    static func findCases(under root: URL, marker: (URL) -> Bool) throws -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [URL] = []
        for case let url as URL in walker where marker(url) { found.append(url) }
        return found.sorted { $0.path < $1.path }
    }

    /// The expected file exactly as stored (none of them ends in a newline).
    static func text(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespaces) }

    /// Headers as comparable strings: lower-cased name, trimmed value, sorted by name (stable for repeats).
    static func headerSet(_ headers: [(name: String, value: String)], droppingAuthorization: Bool = false) -> [String] {
        struct Entry { let index: Int; let name: String; let value: String }
        var entries: [Entry] = []
        for (i, h) in headers.enumerated() {
            let name = h.name.lowercased()
            if droppingAuthorization && name == "authorization" { continue }
            entries.append(Entry(index: i, name: name, value: trim(h.value)))
        }
        entries.sort { $0.name != $1.name ? $0.name < $1.name : $0.index < $1.index }
        return entries.map { $0.name + ":" + $0.value }
    }

    /// A request as the suites write it: `METHOD TARGET HTTP/1.1`, `Name:value` lines (a line starting with whitespace
    /// continues the previous value, kept with its line break: the signer must fold it), a blank line, the body.
    /// The target may contain spaces and raw UTF-8; the path is kept as written (it is the wire path), the query is
    /// split on `&`/`=` and percent-decoded into `QueryItem`s.
    struct RawHTTPRequest {
        var method: String
        var path: String
        var query: [QueryItem]
        var headers: [(name: String, value: String)]
        var body: Data

        struct ParseError: Error, CustomStringConvertible { let description: String }

        static func parse(_ data: Data) throws -> RawHTTPRequest {
            let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            var lines = text.components(separatedBy: "\n")
            guard !lines.isEmpty else { throw ParseError(description: "empty request") }
            let requestLine = lines.removeFirst()
            guard let firstSpace = requestLine.firstIndex(of: " "),
                  let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace else {
                throw ParseError(description: "bad request line: \(requestLine)")
            }
            let method = String(requestLine[..<firstSpace])
            let target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
            var headers: [(name: String, value: String)] = []
            var bodyLines: [String]? = nil
            for (i, line) in lines.enumerated() {
                if line.isEmpty { bodyLines = Array(lines[(i + 1)...]); break }
                if let c = line.first, c == " " || c == "\t", !headers.isEmpty {
                    headers[headers.count - 1].value += "\n" + line
                    continue
                }
                guard let colon = line.firstIndex(of: ":") else { throw ParseError(description: "bad header line: \(line)") }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            let body = Data((bodyLines ?? []).joined(separator: "\n").utf8)
            var path = target
            var query: [QueryItem] = []
            if let q = target.firstIndex(of: "?") {
                path = String(target[..<q])
                for pair in target[target.index(after: q)...].split(separator: "&", omittingEmptySubsequences: true) {
                    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let name = String(parts[0]), value = parts.count > 1 ? String(parts[1]) : ""
                    query.append(QueryItem(name.removingPercentEncoding ?? name, value.removingPercentEncoding ?? value))
                }
            }
            return RawHTTPRequest(method: method, path: path, query: query, headers: headers, body: body)
        }

        func httpRequest() -> HTTPRequest {
            let host = headers.first { $0.name.lowercased() == "host" }.map { $0.value.trimmingCharacters(in: .whitespaces) }
            return HTTPRequest(method: method, scheme: "https", host: host ?? "example.amazonaws.com", path: path,
                               query: query, headers: headers, body: body)
        }
    }
}
