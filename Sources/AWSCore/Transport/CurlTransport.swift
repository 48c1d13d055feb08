// HTTP over libcurl: blocking easy handles driven from a worker thread, pooled for connection reuse.
import CCurl
import Dispatch
import Foundation

/// libcurl-backed `HTTPTransport`.
///
/// Each request takes an idle easy handle from the pool (or makes one) and gives it back afterwards, so
/// consecutive calls to the same host reuse the handle's open connection while concurrent requests never
/// share a handle. Proxies come from the usual `http_proxy`/`https_proxy`/`no_proxy` variables (libcurl reads
/// them itself); TLS peers are always verified, against `AWS_CA_BUNDLE` when it is set.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    public struct Options: Sendable {
        public var connectTimeout: TimeInterval
        public var caBundle: String?
        public var maxIdleHandles: Int
        public init(connectTimeout: TimeInterval = 10, caBundle: String? = ProcessInfo.processInfo.environment["AWS_CA_BUNDLE"],
                    maxIdleHandles: Int = 8) {
            self.connectTimeout = connectTimeout
            self.caBundle = caBundle
            self.maxIdleHandles = maxIdleHandles
        }
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private let options: Options
    private let lock = NSLock()
    // Guarded by `lock`.
    private var idle: [UnsafeMutableRawPointer] = []
    /// Requests run on this queue so that awaiting callers never block a cooperative-pool thread.
    private let queue = DispatchQueue(label: "privgw.curl", attributes: .concurrent)

    public init(options: Options = Options()) {
        _ = CurlTransport.globalInit
        self.options = options
    }

    deinit {
        for h in idle { curl_easy_cleanup(h) }
    }

    public func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<HTTPResponse, Error>) in
            queue.async {
                cont.resume(with: Result { try self.perform(request, timeout: timeout) })
            }
        }
    }

    private func checkout() -> UnsafeMutableRawPointer? {
        lock.lock()
        defer { lock.unlock() }
        if let h = idle.popLast() { return h }
        return curl_easy_init()
    }

    private func checkin(_ h: UnsafeMutableRawPointer, healthy: Bool) {
        lock.lock()
        if healthy && idle.count < options.maxIdleHandles {
            idle.append(h)
            lock.unlock()
        } else {
            lock.unlock()
            curl_easy_cleanup(h)
        }
    }

    /// Accumulates the response while libcurl calls back into Swift.
    private final class Sink {
        var body = Data()
        var headers: [(name: String, value: String)] = []
    }

    private func perform(_ request: HTTPRequest, timeout: TimeInterval) throws -> HTTPResponse {
        guard let h = checkout() else {
            throw AWSError(kind: .transport, code: "TransportUnavailable", message: "libcurl could not create a handle")
        }
        curl_easy_reset(h)
        let sink = Sink()
        let sinkPtr = Unmanaged.passRetained(sink).toOpaque()
        defer { Unmanaged<Sink>.fromOpaque(sinkPtr).release() }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // curl would otherwise add these on its own; neither is wanted (nor signed).
        headerList = curl_slist_append(headerList, "Expect:")
        if request.header("Content-Type") == nil { headerList = curl_slist_append(headerList, "Content-Type:") }
        defer { curl_slist_free_all(headerList) }

        privgw_curl_setopt_string(h, CURLOPT_URL, request.urlString)
        privgw_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        privgw_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        privgw_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        privgw_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        privgw_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        privgw_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        // A fresh connection is never "reused", so libcurl never retries the request by itself (see sendAtMostOnce).
        if request.sendAtMostOnce { privgw_curl_setopt_long(h, CURLOPT_FRESH_CONNECT, 1) }
        if let ca = options.caBundle, !ca.isEmpty { privgw_curl_setopt_string(h, CURLOPT_CAINFO, ca) }
        privgw_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)

        switch request.method {
        case "GET":
            privgw_curl_setopt_long(h, CURLOPT_HTTPGET, 1)
        case "HEAD":
            privgw_curl_setopt_long(h, CURLOPT_NOBODY, 1)
        case "POST":
            privgw_curl_setopt_long(h, CURLOPT_POST, 1)
        default:
            privgw_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            if request.method != "POST" { privgw_curl_setopt_string(h, CURLOPT_CUSTOMREQUEST, request.method) }
            privgw_curl_setopt_offt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                // COPYPOSTFIELDS copies, so the buffer need not outlive this call.
                _ = privgw_curl_setopt_pointer(h, CURLOPT_COPYPOSTFIELDS,
                                               UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }

        privgw_curl_setopt_writefn(h, CURLOPT_WRITEFUNCTION) { ptr, size, count, user in
            let n = size * count
            guard let ptr, let user else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
            sink.body.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: n)
            return n
        }
        privgw_curl_setopt_pointer(h, CURLOPT_WRITEDATA, sinkPtr)
        privgw_curl_setopt_writefn(h, CURLOPT_HEADERFUNCTION) { ptr, size, count, user in
            let n = size * count
            guard let ptr, let user else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("HTTP/") {
                sink.headers.removeAll() // a new response (after 100-continue): start over
            } else if let colon = line.firstIndex(of: ":") {
                let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
                let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                sink.headers.append((name, value))
            }
            return n
        }
        privgw_curl_setopt_pointer(h, CURLOPT_HEADERDATA, sinkPtr)

        let rc = curl_easy_perform(h)
        if rc != CURLE_OK {
            checkin(h, healthy: false)
            throw CurlTransport.error(for: rc, request: request)
        }
        var status = 0
        privgw_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        let connectionClose = sink.headers.contains {
            $0.name.caseInsensitiveCompare("Connection") == .orderedSame && $0.value.lowercased() == "close"
        }
        checkin(h, healthy: true)
        _ = connectionClose // curl itself drops a connection the server closes; the handle stays reusable
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// Maps a libcurl failure to a transport error whose code tells whether the request may have reached AWS.
    static func error(for rc: CURLcode, request: HTTPRequest) -> AWSError {
        let detail = String(cString: curl_easy_strerror(rc))
        let code: String
        switch rc {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            code = TransportErrorCode.dnsFailure
        case CURLE_COULDNT_CONNECT:
            code = TransportErrorCode.connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            code = TransportErrorCode.timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
            code = TransportErrorCode.tls
        default:
            code = TransportErrorCode.connectionReset
        }
        let hint: String?
        switch code {
        case TransportErrorCode.dnsFailure, TransportErrorCode.connectFailed:
            hint = "check the network, proxy settings and the endpoint (--endpoint-url / AWS_ENDPOINT_URL)"
        case TransportErrorCode.tls:
            hint = "check the CA bundle (AWS_CA_BUNDLE) and any TLS-intercepting proxy"
        default:
            hint = nil
        }
        return AWSError(kind: .transport, code: code, message: "\(detail) (\(request.method) \(request.scheme)://\(request.host))",
                        hint: hint)
    }
}

/// Local codes for transport failures; `connectFailed`, `dnsFailure` and `tls` mean the request was never sent.
public enum TransportErrorCode {
    public static let dnsFailure = "DNSFailure"
    public static let connectFailed = "ConnectFailed"
    public static let tls = "TLSError"
    public static let timeout = "Timeout"
    public static let connectionReset = "ConnectionReset"

    /// True when the request certainly never reached the server, so even a non-idempotent call may be retried.
    public static func neverSent(_ code: String) -> Bool {
        code == dnsFailure || code == connectFailed || code == tls
    }
}
