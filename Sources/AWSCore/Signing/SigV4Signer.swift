// AWS Signature Version 4, written by hand (no SDK): the Authorization-header form every privgw call uses, and the
// presigned-query form. Verified against the official suites and, request by request, against botocore (see
// Tests/AWSCoreTests/SigV4SuiteTests.swift and SigV4DifferentialTests.swift).
import Foundation

/// Signs `HTTPRequest`s with AWS Signature Version 4 for one set of credentials, region and service.
///
/// Rules, as AWS (and botocore) apply them to every service except S3:
/// - Canonical URI: `request.path` is the path as sent on the wire (already percent-encoded); dot segments are
///   removed and repeated slashes collapsed (`normalizesPath`), then every byte outside `A-Za-z0-9-_.~/` is
///   percent-encoded once more, so `%28` becomes `%2528`.
/// - Canonical query: each decoded `QueryItem` is RFC 3986-encoded, then the pairs are sorted by name, then value.
/// - Signed headers: every header on the request, lower-cased, values trimmed and inner whitespace runs collapsed,
///   repeated headers joined with `,` in request order — except hop-by-hop and proxy-rewritten headers
///   (`unsignedHeaderNames`: `User-Agent`, `Expect`, `Transfer-Encoding`, `Connection`, ...), which botocore skips
///   too because the transport or a proxy may change them after signing.
///
/// Secrets (secret key, session token, derived keys) never appear in `description`, `debugDescription` or `dump`.
public struct SigV4Signer: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Hex SHA-256 of the empty string.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// Lower-cased names of headers left out of the signature (botocore's list, plus `authorization`).
    public static let unsignedHeaderNames: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]
    /// Query parameters the presigned form adds (and removes again before re-signing).
    static let presignParameterNames: Set<String> = [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires",
        "X-Amz-Security-Token", "X-Amz-Signature",
    ]

    public let credentials: Credentials
    public let region: String
    public let service: String
    /// Remove dot segments and collapse repeated slashes before encoding the path (true for every non-S3
    /// service; the suites' `-unnormalized` cases turn it off).
    public var normalizesPath: Bool = true

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// What one signing computed, for tests and diagnostics. Holds no key, but `canonicalRequest` contains the
    /// session token when one was signed: do not log it verbatim (`description` leaves it out).
    public struct Details: Sendable, CustomStringConvertible, CustomReflectable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var credentialScope: String
        public var signedHeaders: String
        public var signature: String
        /// The `Authorization` header value (header form); empty for the presigned form.
        public var authorization: String

        public var description: String {
            "SigV4(scope: \(credentialScope), signedHeaders: \(signedHeaders), signature: \(signature))"
        }
        public var customMirror: Mirror {
            Mirror(self, children: ["credentialScope": credentialScope, "signedHeaders": signedHeaders,
                                    "signature": signature])
        }
    }

    // MARK: - Signing

    /// Adds X-Amz-Date, Host (if absent), x-amz-security-token (when the credentials have a session token),
    /// x-amz-content-sha256 (when signContentSHA256 — we sign it on every request because moto needs it for GET/DELETE),
    /// and Authorization. Signs all headers present on the request (lower-cased, trimmed, sequential spaces collapsed),
    /// except the hop-by-hop ones in `unsignedHeaderNames`.
    ///
    /// Safe to call again on an already signed request (a retry): the old Authorization is dropped and the date,
    /// token and content hash are replaced. An existing `x-amz-content-sha256` whose value is not a hash (e.g.
    /// `UNSIGNED-PAYLOAD`) is kept and used as the payload hash.
    public func sign(_ request: inout HTTPRequest, date: Date = Date(), signContentSHA256: Bool = true) {
        signWithDetails(&request, date: date, signContentSHA256: signContentSHA256)
    }

    /// `sign`, returning the intermediate values.
    @discardableResult
    public func signWithDetails(_ request: inout HTTPRequest, date: Date = Date(),
                                signContentSHA256: Bool = true) -> Details {
        let (amzDate, dateStamp) = Self.timestamp(date)
        Self.removeHeader("authorization", from: &request.headers)
        Self.setHeader("X-Amz-Date", amzDate, in: &request.headers)
        if Self.headerIndex("host", in: request.headers) == nil {
            request.headers.append(("Host", request.host.lowercased()))
        }
        if let token = credentials.sessionToken, !token.isEmpty {
            Self.setHeader("X-Amz-Security-Token", token, in: &request.headers)
        }
        let payloadHash: String
        let existing = Self.headerIndex("x-amz-content-sha256", in: request.headers).map { request.headers[$0].value }
        if let existing, !Self.isSHA256Hex(existing) {
            payloadHash = Self.canonicalHeaderValue(existing)
        } else {
            payloadHash = Self.payloadHash(request.body)
            if signContentSHA256 || existing != nil {
                Self.setHeader("X-Amz-Content-SHA256", payloadHash, in: &request.headers)
            }
        }

        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let (canonical, signedHeaders) = Self.canonicalRequest(
            method: request.method, path: request.path, query: request.query, headers: request.headers,
            payloadHash: payloadHash, normalizePath: normalizesPath)
        let sts = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, credentialScope: scope)
        let sig = Self.signature(stringToSign: sts, signingKey: signingKey(dateStamp: dateStamp))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(sig)"
        request.headers.append(("Authorization", authorization))
        return Details(canonicalRequest: canonical, stringToSign: sts, credentialScope: scope,
                       signedHeaders: signedHeaders, signature: sig, authorization: authorization)
    }

    /// The presigned-URL form: adds `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`,
    /// `X-Amz-Expires`, `X-Amz-Security-Token` (with a session token) and `X-Amz-Signature` to the query, in that
    /// order, after the request's own items. Adds Host if absent; signs the headers present (as `sign` does) and the
    /// body's SHA-256 (or an existing `x-amz-content-sha256` value). Removes any Authorization header.
    @discardableResult
    public func presign(_ request: inout HTTPRequest, expires: Int = 900, date: Date = Date()) -> Details {
        let (amzDate, dateStamp) = Self.timestamp(date)
        Self.removeHeader("authorization", from: &request.headers)
        request.query.removeAll { Self.presignParameterNames.contains($0.name) }
        if Self.headerIndex("host", in: request.headers) == nil {
            request.headers.append(("Host", request.host.lowercased()))
        }
        let scope = "\(dateStamp)/\(region)/\(service)/aws4_request"
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        request.query.append(QueryItem("X-Amz-Algorithm", Self.algorithm))
        request.query.append(QueryItem("X-Amz-Credential", "\(credentials.accessKeyId)/\(scope)"))
        request.query.append(QueryItem("X-Amz-Date", amzDate))
        request.query.append(QueryItem("X-Amz-SignedHeaders", signedHeaders))
        request.query.append(QueryItem("X-Amz-Expires", String(expires)))
        if let token = credentials.sessionToken, !token.isEmpty {
            request.query.append(QueryItem("X-Amz-Security-Token", token))
        }
        let payloadHash = Self.headerIndex("x-amz-content-sha256", in: request.headers)
            .map { Self.canonicalHeaderValue(request.headers[$0].value) } ?? Self.payloadHash(request.body)
        let canonical = Self.assemble(method: request.method,
                                      uri: Self.canonicalURI(path: request.path, normalize: normalizesPath),
                                      query: Self.canonicalQueryString(request.query),
                                      canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders,
                                      payloadHash: payloadHash)
        let sts = Self.stringToSign(canonicalRequest: canonical, amzDate: amzDate, credentialScope: scope)
        let sig = Self.signature(stringToSign: sts, signingKey: signingKey(dateStamp: dateStamp))
        request.query.append(QueryItem("X-Amz-Signature", sig))
        return Details(canonicalRequest: canonical, stringToSign: sts, credentialScope: scope,
                       signedHeaders: signedHeaders, signature: sig, authorization: "")
    }

    /// The derived signing key for `dateStamp` (`yyyyMMdd`), from a small process-wide cache: clients build a
    /// signer per request, so a per-instance cache would never hit.
    func signingKey(dateStamp: String) -> [UInt8] {
        SigningKeyCache.shared.key(credentials: credentials, dateStamp: dateStamp, region: region, service: service)
    }

    // MARK: - Pure steps (public for the test suites)

    /// `X-Amz-Date` (`yyyyMMdd'T'HHmmss'Z'`, UTC, seconds truncated) and the scope date (`yyyyMMdd`).
    public static func timestamp(_ date: Date) -> (amzDate: String, dateStamp: String) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let hour = rem / 3600, minute = rem % 3600 / 60, second = rem % 60
        var out: [UInt8] = []
        out.reserveCapacity(16)
        func put(_ v: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
                divisor /= 10
            }
        }
        put(year, 4); put(month, 2); put(day, 2)
        let dateStamp = String(decoding: out, as: UTF8.self)
        out.append(UInt8(ascii: "T"))
        put(hour, 2); put(minute, 2); put(second, 2)
        out.append(UInt8(ascii: "Z"))
        return (String(decoding: out, as: UTF8.self), dateStamp)
    }

    /// The canonical request and the signed-header list for the header form.
    public static func canonicalRequest(method: String, path: String, query: [QueryItem],
                                        headers: [(name: String, value: String)], payloadHash: String,
                                        normalizePath: Bool = true) -> (canonicalRequest: String, signedHeaders: String) {
        let (canonicalHeaders, signedHeaders) = canonicalHeaders(headers)
        let text = assemble(method: method, uri: canonicalURI(path: path, normalize: normalizePath),
                            query: canonicalQueryString(query), canonicalHeaders: canonicalHeaders,
                            signedHeaders: signedHeaders, payloadHash: payloadHash)
        return (text, signedHeaders)
    }

    /// Convenience: the canonical request of `request` as it stands (sign it first to include the added headers).
    public static func canonicalRequest(_ request: HTTPRequest, payloadHash: String? = nil,
                                        normalizePath: Bool = true) -> (canonicalRequest: String, signedHeaders: String) {
        canonicalRequest(method: request.method, path: request.path, query: request.query, headers: request.headers,
                         payloadHash: payloadHash ?? Self.payloadHash(request.body), normalizePath: normalizePath)
    }

    static func assemble(method: String, uri: String, query: String, canonicalHeaders: String,
                         signedHeaders: String, payloadHash: String) -> String {
        var s = ""
        s.reserveCapacity(method.utf8.count + uri.utf8.count + query.utf8.count + canonicalHeaders.utf8.count
                          + signedHeaders.utf8.count + payloadHash.utf8.count + 8)
        s += method; s += "\n"
        s += uri; s += "\n"
        s += query; s += "\n"
        s += canonicalHeaders; s += "\n"
        s += signedHeaders; s += "\n"
        s += payloadHash
        return s
    }

    /// The path, normalised (unless `normalize` is false) and URI-encoded once more, `/` kept.
    public static func canonicalURI(path: String, normalize: Bool = true) -> String {
        if path.isEmpty { return "/" }
        return URIEncoding.encode(normalize ? removeDotSegments(path) : path, keepSlash: true)
    }

    /// RFC 3986 §5.2.4 dot-segment removal, also dropping empty segments (repeated slashes), keeping a leading and a
    /// trailing slash: `//a/./b/../c//` → `/a/c/`. Same as botocore's `remove_dot_segments`.
    public static func removeDotSegments(_ path: String) -> String {
        if path.isEmpty { return "/" }
        if isNormalized(path) { return path }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        var out = path.hasPrefix("/") ? "/" : ""
        out += segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { out += "/" }
        return out
    }

    /// True when `path` starts with `/` and has no empty or all-dots segment (a trailing `/` is fine), i.e. when
    /// `removeDotSegments` would return it unchanged. May say false for a normalised path; never true for one that isn't.
    static func isNormalized(_ path: String) -> Bool {
        let bytes = path.utf8
        guard bytes.first == UInt8(ascii: "/") else { return false }
        var length = 0, dots = 0  // current segment: its length, and how many dots if it is dots only (else -1)
        for b in bytes.dropFirst() {
            if b == UInt8(ascii: "/") {
                if dots == length { return false }  // "" or "." or ".." (or "...", left to the slow path)
                length = 0; dots = 0
            } else {
                length += 1
                dots = (dots >= 0 && b == UInt8(ascii: ".")) ? dots + 1 : -1
            }
        }
        return length == 0 || dots != length
    }

    /// Encoded `name=value` pairs sorted by encoded name, then encoded value, joined with `&`.
    public static func canonicalQueryString(_ items: [QueryItem]) -> String {
        if items.isEmpty { return "" }
        let pairs = items.map { (URIEncoding.encode($0.name), URIEncoding.encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }  // pure ASCII, so String order is byte order
        var s = ""
        for (i, pair) in pairs.enumerated() {
            if i > 0 { s += "&" }
            s += pair.0; s += "="; s += pair.1
        }
        return s
    }

    /// The canonical header block (`name:value\n` per header, sorted by name) and the `;`-joined signed names.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)])
        -> (canonicalHeaders: String, signedHeaders: String) {
        var entries: [(name: String, value: String, position: Int)] = []
        entries.reserveCapacity(headers.count)
        for (i, header) in headers.enumerated() {
            let lname = lowercasedName(header.name)
            if unsignedHeaderNames.contains(lname) { continue }
            entries.append((lname, canonicalHeaderValue(header.value), i))
        }
        // By name (bytes), repeated names kept in request order.
        entries.sort { $0.name != $1.name ? $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) : $0.position < $1.position }
        var block = "", signed = ""
        for (i, entry) in entries.enumerated() {
            if i > 0 && entries[i - 1].name == entry.name {
                block += ","
            } else {
                if i > 0 { block += "\n"; signed += ";" }
                block += entry.name; block += ":"
                signed += entry.name
            }
            block += entry.value
        }
        if !entries.isEmpty { block += "\n" }
        return (block, signed)
    }

    /// Trims the value and collapses every run of whitespace (spaces, tabs, folded line breaks) into one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        // Most values need nothing: no whitespace but single inner spaces.
        var clean = true
        var previous: UInt8 = 0x20  // so a leading space counts as "not clean"
        for b in value.utf8 {
            let ws = b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)
            if ws && (b != 0x20 || previous == 0x20) { clean = false; break }
            previous = b
        }
        if clean && previous != 0x20 || value.isEmpty { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        var pendingSpace = false
        for b in value.utf8 {
            // ASCII whitespace as Python's str.split() sees it (botocore's Trimall): \t \n \v \f \r, 0x1C-0x1F, space.
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func stringToSign(canonicalRequest: String, amzDate: String, credentialScope: String) -> String {
        "\(algorithm)\n\(amzDate)\n\(credentialScope)\n\(Crypto.sha256Hex(canonicalRequest))"
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
    public static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        let kDate = Crypto.hmacSHA256(key: Array(("AWS4" + secretAccessKey).utf8), dateStamp)
        let kRegion = Crypto.hmacSHA256(key: kDate, region)
        let kService = Crypto.hmacSHA256(key: kRegion, service)
        return Crypto.hmacSHA256(key: kService, "aws4_request")
    }

    /// Hex HMAC-SHA256 of the string to sign under the signing key.
    public static func signature(stringToSign: String, signingKey: [UInt8]) -> String {
        Crypto.hex(Crypto.hmacSHA256(key: signingKey, stringToSign))
    }

    /// Hex SHA-256 of the body.
    public static func payloadHash(_ body: Data) -> String {
        body.isEmpty ? emptyPayloadHash : Crypto.sha256Hex(body)
    }

    // MARK: - Descriptions without secrets

    public var description: String {
        "SigV4Signer(region: \(region), service: \(service), credentials: \(credentials))"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["region": region, "service": service, "credentials": credentials.description,
                                "normalizesPath": normalizesPath])
    }

    // MARK: - Header helpers (ASCII case-insensitive, no Foundation round trips)

    /// Lower-cased, surrounding spaces/tabs dropped; a byte loop for ASCII names (Foundation's case mapping
    /// dominated the profile).
    static func lowercasedName(_ name: String) -> String {
        var ascii = true, changed = false
        for b in name.utf8 {
            if b >= 0x80 { ascii = false; break }
            if (b >= 0x41 && b <= 0x5A) || b == 0x20 || b == 0x09 { changed = true }
        }
        if ascii && !changed { return name }
        let lowered = ascii ? name : name.lowercased()
        var bytes = Array(lowered.utf8)
        if ascii {
            for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] |= 0x20 }
        }
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    static func nameMatches(_ name: String, _ lowered: String) -> Bool {
        let a = name.utf8, b = lowered.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            if lx != y { return false }
        }
        return true
    }

    static func headerIndex(_ lowered: String, in headers: [(name: String, value: String)]) -> Int? {
        headers.firstIndex { nameMatches($0.name, lowered) }
    }

    static func removeHeader(_ lowered: String, from headers: inout [(name: String, value: String)]) {
        headers.removeAll { nameMatches($0.name, lowered) }
    }

    static func setHeader(_ name: String, _ value: String, in headers: inout [(name: String, value: String)]) {
        removeHeader(lowercasedName(name), from: &headers)
        headers.append((name, value))
    }

    static func isSHA256Hex(_ value: String) -> Bool {
        let v = value.utf8
        guard v.count == 64 else { return false }
        return v.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }
}

/// Derived signing keys by (credentials, date, region, service). Process-wide and lock-protected; bounded, since
/// the date changes daily and credentials rotate. Entries hold key material, so nothing here is ever printed.
final class SigningKeyCache: @unchecked Sendable {
    static let shared = SigningKeyCache()

    private struct Key: Hashable {
        let accessKeyId: String
        let secretAccessKey: String
        let dateStamp: String
        let region: String
        let service: String
    }

    private let lock = NSLock()
    private var entries: [Key: [UInt8]] = [:]
    private let capacity = 64

    func key(credentials: Credentials, dateStamp: String, region: String, service: String) -> [UInt8] {
        let k = Key(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
                    dateStamp: dateStamp, region: region, service: service)
        lock.lock()
        let hit = entries[k]
        lock.unlock()
        if let hit { return hit }
        let derived = SigV4Signer.signingKey(secretAccessKey: credentials.secretAccessKey, dateStamp: dateStamp,
                                             region: region, service: service)
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[k] = derived
        lock.unlock()
        return derived
    }
}
