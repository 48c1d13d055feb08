// Plain HTTP request and response values shared by the signer, the transport and the protocols.
import Foundation

/// One query-string parameter, kept decoded; encoding happens when the URL is built or signed.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }
}

public struct HTTPRequest: Sendable {
    public var method: String
    /// `https` or `http`.
    public var scheme: String
    /// Host name, with `:port` when the port is not the scheme's default (e.g. `127.0.0.1:5000`).
    public var host: String
    /// The path exactly as sent on the wire (already percent-encoded where needed), starting with `/`.
    public var path: String
    public var query: [QueryItem]
    /// Header names are kept as given; lookups are case-insensitive.
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// Send at most once: on a new connection, so that the transport never resends it on its own. libcurl
    /// transparently repeats a request whose reused keep-alive connection closed without an answer; for a call
    /// that is not idempotent (it may have taken effect) that repeat would make a second resource.
    public var sendAtMostOnce = false

    public init(method: String, scheme: String = "https", host: String, path: String = "/",
                query: [QueryItem] = [], headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.scheme = scheme
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Sets a header, replacing any existing one of that name.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append((name, value))
    }

    /// The query string as sent on the wire (RFC 3986 unreserved characters kept, all else escaped).
    public var encodedQuery: String {
        query.map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }.joined(separator: "&")
    }

    public var urlString: String {
        let q = encodedQuery
        return "\(scheme)://\(host)\(path)" + (q.isEmpty ? "" : "?\(q)")
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Percent-encoding as SigV4 and the AWS protocols define it: only A-Z a-z 0-9 - _ . ~ stay as they are.
public enum URIEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8))
    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Encodes every byte outside the unreserved set; with `keepSlash`, `/` stays too (for paths).
    public static func encode(_ s: String, keepSlash: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if unreserved.contains(b) || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Sends one HTTP request and returns the whole response. Implementations must be safe to call concurrently.
public protocol HTTPTransport: Sendable {
    /// Throws `AWSError` of kind `.transport` when no complete response arrived.
    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse
}
