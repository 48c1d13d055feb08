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
        _ = signHeaderForm(&request, date: date, signContentSHA256: signContentSHA256, details: false)
    }

    /// `sign`, returning the intermediate values.
    @discardableResult
    public func signWithDetails(_ request: inout HTTPRequest, date: Date = Date(),
                                signContentSHA256: Bool = true) -> Details {
        signHeaderForm(&request, date: date, signContentSHA256: signContentSHA256, details: true)!
    }

    /// The header form. The hot path of every AWS call: the canonical request and the string to sign are built as
    /// bytes in one buffer each and hashed there; Strings are made only for the headers added (and, with `details`,
    /// for the intermediate values).
    func signHeaderForm(_ request: inout HTTPRequest, date: Date, signContentSHA256: Bool, details: Bool) -> Details? {
        let (amzDate, dateStamp) = Self.timestamp(date)
        let token = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }

        // The headers as `sign` leaves them: Authorization and X-Amz-Date dropped; then X-Amz-Date, Host (if
        // absent), the session token and the content hash (each replacing any of the same name) appended in that order.
        var hasHost = false
        var existingHash: String?
        for h in request.headers {
            switch Self.knownHeader(h.name) {
            case .host: hasHost = true
            case .contentSHA256: if existingHash == nil { existingHash = h.value }
            default: break
            }
        }
        let payloadHash: String
        let setHash: Bool
        if let existingHash, !Self.isSHA256Hex(existingHash) {
            payloadHash = Self.canonicalHeaderValue(existingHash)
            setHash = false
        } else {
            payloadHash = Self.payloadHash(request.body)
            setHash = signContentSHA256 || existingHash != nil
        }
        // In place: no copy when the caller holds the only reference (AWSClient builds a request per attempt).
        request.headers.removeAll { h in
            switch Self.knownHeader(h.name) {
            case .authorization, .date: return true
            case .securityToken: return token != nil
            case .contentSHA256: return setHash
            case .host, .other: return false
            }
        }
        request.headers.reserveCapacity(request.headers.count + 5)
        request.headers.append(("X-Amz-Date", amzDate))
        if !hasHost { request.headers.append(("Host", Self.lowercasedHost(request.host))) }
        if let token { request.headers.append(("X-Amz-Security-Token", token)) }
        if setHash { request.headers.append(("X-Amz-Content-SHA256", payloadHash)) }

        // The Authorization value is built first up to the signed header names (they go into the canonical request
        // too), and finished with the signature: "AWS4-HMAC-SHA256 Credential=AK/SCOPE, SignedHeaders=..., Signature=...".
        var auth: [UInt8] = []
        auth.reserveCapacity(224 + credentials.accessKeyId.utf8.count + region.utf8.count + service.utf8.count)
        auth.append(contentsOf: "\(Self.algorithm) Credential=".utf8)
        auth.append(contentsOf: credentials.accessKeyId.utf8)
        auth.append(0x2F)
        // Credential scope: date/region/service/aws4_request.
        let scopeStart = auth.count
        auth.append(contentsOf: dateStamp.utf8)
        auth.append(0x2F)
        auth.append(contentsOf: region.utf8)
        auth.append(0x2F)
        auth.append(contentsOf: service.utf8)
        auth.append(contentsOf: "/aws4_request".utf8)
        let scopeEnd = auth.count
        auth.append(contentsOf: ", SignedHeaders=".utf8)

        // Canonical request: method, URI, query, header block, blank line, signed names, payload hash.
        var canonical: [UInt8] = []
        canonical.reserveCapacity(1024 + request.path.utf8.count * 3)
        canonical.append(contentsOf: request.method.utf8)
        canonical.append(0x0A)
        Self.appendCanonicalURI(request.path, normalize: normalizesPath, to: &canonical)
        canonical.append(0x0A)
        Self.appendCanonicalQuery(request.query, to: &canonical)
        canonical.append(0x0A)
        let signedStart = auth.count
        Self.appendCanonicalHeaders(request.headers, block: &canonical, signed: &auth)
        let signedEnd = auth.count
        canonical.append(0x0A)
        canonical.append(contentsOf: auth[signedStart..<signedEnd])
        canonical.append(0x0A)
        canonical.append(contentsOf: payloadHash.utf8)

        // String to sign: algorithm, date, scope, hex SHA-256 of the canonical request.
        var sts: [UInt8] = []
        sts.reserveCapacity(128 + scopeEnd - scopeStart)
        sts.append(contentsOf: Self.algorithm.utf8)
        sts.append(0x0A)
        sts.append(contentsOf: amzDate.utf8)
        sts.append(0x0A)
        sts.append(contentsOf: auth[scopeStart..<scopeEnd])
        sts.append(0x0A)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Crypto.sha256Length) { digest in
            var h = Crypto.SHA256()
            canonical.withUnsafeBytes { h.update($0) }
            h.finish(into: digest.baseAddress!)
            Crypto.appendHex(UnsafeRawBufferPointer(digest), to: &sts)
        }

        // The signature: the hex HMAC of the string to sign under the derived key.
        let key = SigningKeyCache.shared.hmacKey(credentials: credentials, dateStamp: dateStamp, region: region,
                                                 service: service)
        auth.append(contentsOf: ", Signature=".utf8)
        let signatureStart = auth.count
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Crypto.sha256Length) { mac in
            sts.withUnsafeBytes { key.mac($0, into: mac.baseAddress!) }
            Crypto.appendHex(UnsafeRawBufferPointer(mac), to: &auth)
        }
        let authorization = String(decoding: auth, as: UTF8.self)
        request.headers.append(("Authorization", authorization))
        guard details else { return nil }
        return Details(canonicalRequest: String(decoding: canonical, as: UTF8.self),
                       stringToSign: String(decoding: sts, as: UTF8.self),
                       credentialScope: String(decoding: auth[scopeStart..<scopeEnd], as: UTF8.self),
                       signedHeaders: String(decoding: auth[signedStart..<signedEnd], as: UTF8.self),
                       signature: String(decoding: auth[signatureStart...], as: UTF8.self), authorization: authorization)
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
        var out: [UInt8] = []
        appendCanonicalURI(path, normalize: normalize, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCanonicalURI(_ path: String, normalize: Bool, to out: inout [UInt8]) {
        if path.isEmpty { out.append(0x2F); return }
        appendEncoded(normalize && !isNormalized(path) ? removeDotSegments(path) : path, keepSlash: true, to: &out)
    }

    /// Percent-encodes (upper-case hex) every byte outside A-Z a-z 0-9 - _ . ~ (and `/` with `keepSlash`), as
    /// `URIEncoding.encode` does, appending to `out`.
    static func appendEncoded(_ s: String, keepSlash: Bool, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            // Usually nothing to escape: one copy.
            if bytes.allSatisfy({ isUnreserved($0) || (keepSlash && $0 == 0x2F) }) {
                out.append(contentsOf: bytes)
                return
            }
            for b in bytes {
                if isUnreserved(b) || (keepSlash && b == 0x2F) {
                    out.append(b)
                } else {
                    out.append(0x25)
                    let hi = b >> 4, lo = b & 0x0F
                    out.append(hi < 10 ? 0x30 + hi : 0x37 + hi)
                    out.append(lo < 10 ? 0x30 + lo : 0x37 + lo)
                }
            }
        }
    }

    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
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
        var out: [UInt8] = []
        appendCanonicalQuery(items, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCanonicalQuery(_ items: [QueryItem], to out: inout [UInt8]) {
        if items.isEmpty { return }
        // Encoded names and values side by side in one buffer; the pairs sorted by bytes (all ASCII once encoded).
        var text: [UInt8] = []
        text.reserveCapacity(items.count * 32)
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        pairs.reserveCapacity(items.count)
        for item in items {
            let n0 = text.count
            appendEncoded(item.name, keepSlash: false, to: &text)
            let v0 = text.count
            appendEncoded(item.value, keepSlash: false, to: &text)
            pairs.append((n0..<v0, v0..<text.count))
        }
        text.withUnsafeBufferPointer { t in
            if pairs.count > 1 {
                pairs.sort { a, b in
                    let byName = compareBytes(t, a.name, b.name)
                    return byName != 0 ? byName < 0 : compareBytes(t, a.value, b.value) < 0
                }
            }
            for (i, pair) in pairs.enumerated() {
                if i > 0 { out.append(0x26) }
                out.append(contentsOf: t[pair.name])
                out.append(0x3D)
                out.append(contentsOf: t[pair.value])
            }
        }
    }

    /// Lexicographic byte order of two ranges of `buffer`: negative, zero or positive.
    @inline(__always) static func compareBytes(_ buffer: UnsafeBufferPointer<UInt8>, _ a: Range<Int>, _ b: Range<Int>) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(buffer.baseAddress! + a.lowerBound, buffer.baseAddress! + b.lowerBound, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// The canonical header block (`name:value\n` per header, sorted by name) and the `;`-joined signed names.
    public static func canonicalHeaders(_ headers: [(name: String, value: String)])
        -> (canonicalHeaders: String, signedHeaders: String) {
        var block: [UInt8] = [], signed: [UInt8] = []
        appendCanonicalHeaders(headers, block: &block, signed: &signed)
        return (String(decoding: block, as: UTF8.self), String(decoding: signed, as: UTF8.self))
    }

    /// Appends the canonical header block to `block` and the signed names to `signed`: names lower-cased and
    /// trimmed, values trimmed with whitespace runs collapsed, sorted by name (bytes), repeated names joined with
    /// `,` in request order, `unsignedHeaderNames` left out.
    static func appendCanonicalHeaders(_ headers: [(name: String, value: String)], block: inout [UInt8],
                                       signed: inout [UInt8]) {
        var text: [UInt8] = []
        text.reserveCapacity(512)
        var entries: [(name: Range<Int>, value: Range<Int>)] = []
        entries.reserveCapacity(headers.count)
        for header in headers {
            let n0 = text.count
            appendLowercasedName(header.name, to: &text)
            if isUnsignedName(text, n0..<text.count) {
                text.removeSubrange(n0...)
                continue
            }
            let v0 = text.count
            appendCanonicalValue(header.value, to: &text)
            entries.append((n0..<v0, v0..<text.count))
        }
        text.withUnsafeBufferPointer { t in
            // Insertion sort: stable (repeated names keep request order), and a request has a handful of headers.
            var i = 1
            while i < entries.count {
                let e = entries[i]
                var j = i - 1
                while j >= 0 && compareBytes(t, entries[j].name, e.name) > 0 {
                    entries[j + 1] = entries[j]
                    j -= 1
                }
                entries[j + 1] = e
                i += 1
            }
            for (i, entry) in entries.enumerated() {
                if i > 0 && compareBytes(t, entries[i - 1].name, entry.name) == 0 {
                    block.append(0x2C)
                } else {
                    if i > 0 { block.append(0x0A); signed.append(0x3B) }
                    block.append(contentsOf: t[entry.name])
                    block.append(0x3A)
                    signed.append(contentsOf: t[entry.name])
                }
                block.append(contentsOf: t[entry.value])
            }
        }
        if !entries.isEmpty { block.append(0x0A) }
    }

    /// `lowercasedName`, appended as bytes (a byte loop for ASCII names).
    static func appendLowercasedName(_ name: String, to out: inout [UInt8]) {
        var name = name
        let ascii: Bool = name.withUTF8 { bytes in
            var start = 0, end = bytes.count
            for b in bytes where b >= 0x80 { return false }
            while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
            while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
            let first = out.count
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
            out.withUnsafeMutableBufferPointer { o in
                for i in first..<o.count where o[i] >= 0x41 && o[i] <= 0x5A { o[i] |= 0x20 }
            }
            return true
        }
        if !ascii { out.append(contentsOf: lowercasedName(name).utf8) }
    }

    private static let unsignedNameBytes: [[UInt8]] = unsignedHeaderNames.map { Array($0.utf8) }

    static func isUnsignedName(_ text: [UInt8], _ range: Range<Int>) -> Bool {
        for name in unsignedNameBytes where name.count == range.count {
            if text[range].elementsEqual(name) { return true }
        }
        return false
    }

    @inline(__always) static func isHeaderWhitespace(_ b: UInt8) -> Bool {
        // ASCII whitespace as Python's str.split() sees it (botocore's Trimall): \t \n \v \f \r, 0x1C-0x1F, space.
        b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)
    }

    /// `canonicalHeaderValue`, appended as bytes.
    static func appendCanonicalValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            // Usually nothing to trim or collapse: one copy.
            if isCleanValue(bytes) {
                out.append(contentsOf: bytes)
                return
            }
            let start = out.count
            var pendingSpace = false
            for b in bytes {
                if isHeaderWhitespace(b) {
                    pendingSpace = out.count > start
                } else {
                    if pendingSpace { out.append(0x20); pendingSpace = false }
                    out.append(b)
                }
            }
        }
    }

    /// True when trimming and collapsing whitespace would change nothing: no whitespace but single spaces between
    /// other bytes.
    @inline(__always) static func isCleanValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Every whitespace byte is <= 0x20: a value without any (most, and long tokens) is clean. A plain minimum,
        // which the compiler vectorises.
        var lowest: UInt8 = 0xFF
        for b in bytes { lowest = Swift.min(lowest, b) }
        if lowest > 0x20 { return true }
        var previous: UInt8 = 0x20  // so a leading space counts as "not clean"
        for b in bytes {
            if isHeaderWhitespace(b) && (b != 0x20 || previous == 0x20) { return false }
            previous = b
        }
        return previous != 0x20 || bytes.isEmpty
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
        if body.isEmpty { return emptyPayloadHash }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Crypto.sha256Length) { digest in
            var h = Crypto.SHA256()
            body.withUnsafeBytes { h.update($0) }
            h.finish(into: digest.baseAddress!)
            return String(unsafeUninitializedCapacity: Crypto.sha256Length * 2) { out in
                for (i, b) in digest.enumerated() {
                    out[2 * i] = Crypto.hexNibble(b >> 4)
                    out[2 * i + 1] = Crypto.hexNibble(b & 0x0F)
                }
                return Crypto.sha256Length * 2
            }
        }
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
        guard name.utf8.count == lowered.utf8.count else { return false }
        var a = name, b = lowered
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count {
                    let c = x[i]
                    if ((c >= 0x41 && c <= 0x5A) ? c | 0x20 : c) != y[i] { return false }
                }
                return true
            }
        }
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

    /// The headers `sign` adds, removes or looks at.
    enum KnownHeader { case authorization, date, host, securityToken, contentSHA256, other }

    @inline(__always) static func knownHeader(_ name: String) -> KnownHeader {
        switch name.utf8.count {
        case 4: return nameMatches(name, "host") ? .host : .other
        case 10: return nameMatches(name, "x-amz-date") ? .date : .other
        case 13: return nameMatches(name, "authorization") ? .authorization : .other
        case 20:
            if nameMatches(name, "x-amz-content-sha256") { return .contentSHA256 }
            return nameMatches(name, "x-amz-security-token") ? .securityToken : .other
        default: return .other
        }
    }

    /// The Host header value: the host lower-cased.
    static func lowercasedHost(_ host: String) -> String {
        var h = host
        let lower = h.withUTF8 { bytes in !bytes.contains { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 } }
        return lower ? host : host.lowercased()
    }

    static func isSHA256Hex(_ value: String) -> Bool {
        let v = value.utf8
        guard v.count == 64 else { return false }
        return v.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }
    }
}

/// Derived signing keys by (credentials, date, region, service). Process-wide and lock-protected; bounded, since
/// the date changes daily and credentials rotate. Entries hold key material, so nothing here is ever printed.
/// Each entry keeps the key ready for HMAC (its inner and outer states), and the few used last are checked first:
/// a run signs with one key per service and day, so the lookup rarely hashes anything.
final class SigningKeyCache: @unchecked Sendable {
    static let shared = SigningKeyCache()

    private struct Key: Hashable {
        let accessKeyId: String
        let secretAccessKey: String
        let dateStamp: String
        let region: String
        let service: String
    }

    private final class Entry {
        let id: Key
        let key: [UInt8]
        let hmac: Crypto.HMACKey
        init(id: Key, key: [UInt8]) {
            self.id = id
            self.key = key
            self.hmac = Crypto.HMACKey(key)
        }
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    /// The most recently used entries, newest first, scanned before hashing (a run interleaves a few services).
    private var recent: [Entry] = []
    private let recentCapacity = 8
    private let capacity = 64

    func key(credentials: Credentials, dateStamp: String, region: String, service: String) -> [UInt8] {
        entry(credentials: credentials, dateStamp: dateStamp, region: region, service: service).key
    }

    func hmacKey(credentials: Credentials, dateStamp: String, region: String, service: String) -> Crypto.HMACKey {
        entry(credentials: credentials, dateStamp: dateStamp, region: region, service: service).hmac
    }

    private func entry(credentials: Credentials, dateStamp: String, region: String, service: String) -> Entry {
        lock.lock()
        for i in recent.indices {
            let id = recent[i].id
            if id.dateStamp == dateStamp && id.service == service && id.region == region
                && id.accessKeyId == credentials.accessKeyId && id.secretAccessKey == credentials.secretAccessKey {
                let e = recent[i]
                lock.unlock()
                return e
            }
        }
        let k = Key(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
                    dateStamp: dateStamp, region: region, service: service)
        let hit = entries[k]
        if let hit { remember(hit) }
        lock.unlock()
        if let hit { return hit }
        let entry = Entry(id: k, key: SigV4Signer.signingKey(secretAccessKey: credentials.secretAccessKey,
                                                             dateStamp: dateStamp, region: region, service: service))
        lock.lock()
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true); recent.removeAll() }
        entries[k] = entry
        remember(entry)
        lock.unlock()
        return entry
    }

    /// Under the lock.
    private func remember(_ entry: Entry) {
        if recent.count >= recentCapacity { recent.removeLast() }
        recent.insert(entry, at: 0)
    }
}
