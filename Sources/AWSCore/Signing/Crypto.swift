// SHA-256, HMAC-SHA256 and lower-case hex over OpenSSL 3 libcrypto, for SigV4 and anything else that needs a digest.
import CCrypto
import Foundation

/// SHA-256 and HMAC-SHA256 via libcrypto's EVP API.
///
/// The SHA-256 implementation is fetched once (`EVP_MD_fetch`) and shared: OpenSSL 3 otherwise does a provider
/// lookup on every one-shot `SHA256()`/`HMAC()` call, which costs more than hashing a short string.
/// HMAC is the RFC 2104 construction over that digest (two digest passes, no extra copies of the message).
public enum Crypto {
    public static let sha256Length = 32
    private static let blockSize = 64

    private struct Digest: @unchecked Sendable {
        // An `EVP_MD *` owned for the life of the process; EVP_MD objects are immutable and safe to share.
        let md: OpaquePointer
    }

    private static let sha256MD: Digest = {
        if let fetched = EVP_MD_fetch(nil, "SHA256", nil) { return Digest(md: fetched) }
        return Digest(md: EVP_sha256())
    }()

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
            key.withUnsafeBytes { hmac(key: $0, message: UnsafeRawBufferPointer(msg)) }
        }
    }

    /// HMAC-SHA256 of `message` under `key`.
    public static func hmacSHA256<K: ContiguousBytes, M: ContiguousBytes>(key: K, message: M) -> [UInt8] {
        key.withUnsafeBytes { k in message.withUnsafeBytes { m in hmac(key: k, message: m) } }
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

    // MARK: - libcrypto calls

    private static func sha256(buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sha256Length)
        out.withUnsafeMutableBufferPointer { o in
            var len: UInt32 = 0
            let ok = EVP_Digest(buffer.baseAddress ?? UnsafeRawPointer(o.baseAddress!), buffer.count,
                                o.baseAddress, &len, sha256MD.md, nil)
            precondition(ok == 1 && len == UInt32(sha256Length), "libcrypto SHA-256 failed")
        }
        return out
    }

    private static func hmac(key: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> [UInt8] {
        // RFC 2104: K' = key (hashed first if longer than the block), inner = H((K' ^ ipad) || m),
        // result = H((K' ^ opad) || inner).
        var block = [UInt8](repeating: 0, count: blockSize)
        if key.count > blockSize {
            let hashed = sha256(buffer: key)
            block.replaceSubrange(0..<hashed.count, with: hashed)
        } else if key.count > 0 {
            block.withUnsafeMutableBytes { $0.copyMemory(from: key) }
        }
        var ipad = block
        var opad = block
        for i in 0..<blockSize {
            ipad[i] ^= 0x36
            opad[i] ^= 0x5c
        }
        guard let ctx = EVP_MD_CTX_new() else { fatalError("libcrypto: EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(ctx) }
        var inner = [UInt8](repeating: 0, count: sha256Length)
        var out = [UInt8](repeating: 0, count: sha256Length)
        var len: UInt32 = 0
        var ok: Int32 = 1
        ok &= EVP_DigestInit_ex2(ctx, sha256MD.md, nil)
        ok &= ipad.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        if message.count > 0 { ok &= EVP_DigestUpdate(ctx, message.baseAddress, message.count) }
        ok &= inner.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &len) }
        ok &= EVP_DigestInit_ex2(ctx, sha256MD.md, nil)
        ok &= opad.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        ok &= inner.withUnsafeBytes { EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) }
        ok &= out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &len) }
        precondition(ok == 1, "libcrypto HMAC-SHA256 failed")
        return out
    }
}
