// SHA-256, HMAC-SHA256 and lower-case hex over OpenSSL 3 libcrypto, for SigV4 and anything else that needs a digest.
import CCrypto
import Foundation

/// SHA-256 and HMAC-SHA256 via libcrypto's low-level SHA-256 (the same assembly as EVP's, SHA-NI where the CPU has it).
///
/// The state is a plain C struct: no allocation, no provider lookup (OpenSSL 3's one-shot `SHA256()`/`HMAC()` fetch
/// the implementation on every call, which costs more than hashing a short string), and copyable by value, so an
/// HMAC key can be prepared once (`HMACKey`: the inner and outer states after the padded key block) and each MAC
/// under it costs only the message's blocks plus two finalisations.
public enum Crypto {
    public static let sha256Length = 32
    private static let blockSize = 64

    /// SHA-256 of `bytes`.
    public static func sha256<Bytes: ContiguousBytes>(_ bytes: Bytes) -> [UInt8] {
        bytes.withUnsafeBytes { sha256(buffer: $0) }
    }

    /// SHA-256 of the UTF-8 bytes of `string`.
    public static func sha256(_ string: String) -> [UInt8] {
        var s = string
        return s.withUTF8 { sha256(buffer: UnsafeRawBufferPointer($0)) }
    }

    public static func sha256Hex<Bytes: ContiguousBytes>(_ bytes: Bytes) -> String { hex(sha256(bytes)) }
    public static func sha256Hex(_ string: String) -> String { hex(sha256(string)) }

    /// HMAC-SHA256 of the UTF-8 bytes of `message` under `key`.
    public static func hmacSHA256(key: [UInt8], _ message: String) -> [UInt8] {
        var m = message
        return m.withUTF8 { msg in
            key.withUnsafeBytes { HMACKey($0).mac(UnsafeRawBufferPointer(msg)) }
        }
    }

    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256<K: ContiguousBytes, M: ContiguousBytes>(key: K, message: M) -> [UInt8] {
        key.withUnsafeBytes { k in message.withUnsafeBytes { m in HMACKey(k).mac(m) } }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hexadecimal, two characters per byte.
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = hexDigits[Int(b >> 4)]
                out[i + 1] = hexDigits[Int(b & 0x0F)]
                i += 2
            }
            return i
        }
    }

    /// Appends the lower-case hex of `bytes` to `out`.
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2) { buf in
            var i = 0
            for b in bytes {
                buf[i] = hexNibble(b >> 4)
                buf[i + 1] = hexNibble(b & 0x0F)
                i += 2
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<i]))
        }
    }

    @inline(__always) static func hexNibble(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    // MARK: - libcrypto calls

    /// A running SHA-256.
    struct SHA256: @unchecked Sendable {
        private var ctx = SHA256_CTX()
        init() { precondition(privgw_sha256_init(&ctx) == 1, "libcrypto SHA-256 failed") }

        mutating func update(_ buffer: UnsafeRawBufferPointer) {
            guard buffer.count > 0 else { return }
            precondition(privgw_sha256_update(&ctx, buffer.baseAddress, buffer.count) == 1, "libcrypto SHA-256 failed")
        }

        /// Writes the 32-byte digest to `out`; the state is spent.
        mutating func finish(into out: UnsafeMutablePointer<UInt8>) {
            precondition(privgw_sha256_final(out, &ctx) == 1, "libcrypto SHA-256 failed")
        }

        mutating func finish() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: sha256Length)
            out.withUnsafeMutableBufferPointer { finish(into: $0.baseAddress!) }
            return out
        }
    }

    /// An HMAC-SHA256 key made ready (RFC 2104): K' = key (hashed first if longer than a block), and the states
    /// after `K' ^ ipad` and `K' ^ opad`. Holds key material: never printed.
    struct HMACKey: @unchecked Sendable {
        private let inner: SHA256
        private let outer: SHA256

        init(_ key: UnsafeRawBufferPointer) {
            var block = [UInt8](repeating: 0, count: blockSize)
            if key.count > blockSize {
                var h = SHA256()
                h.update(key)
                let hashed = h.finish()
                block.replaceSubrange(0..<hashed.count, with: hashed)
            } else if key.count > 0 {
                block.withUnsafeMutableBytes { $0.copyMemory(from: key) }
            }
            var i = SHA256(), o = SHA256()
            for j in 0..<blockSize { block[j] ^= 0x36 }
            block.withUnsafeBytes { i.update($0) }
            for j in 0..<blockSize { block[j] ^= 0x36 ^ 0x5c }
            block.withUnsafeBytes { o.update($0) }
            inner = i
            outer = o
        }

        init(_ key: [UInt8]) { self = key.withUnsafeBytes { HMACKey($0) } }

        /// The MAC of `message`, written to `out` (32 bytes).
        func mac(_ message: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<UInt8>) {
            var i = inner
            i.update(message)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: sha256Length) { innerDigest in
                i.finish(into: innerDigest.baseAddress!)
                var o = outer
                o.update(UnsafeRawBufferPointer(innerDigest))
                o.finish(into: out)
            }
        }

        func mac(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: sha256Length)
            out.withUnsafeMutableBufferPointer { mac(message, into: $0.baseAddress!) }
            return out
        }
    }

    static func sha256(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var h = SHA256()
        h.update(buffer)
        return h.finish()
    }
}
