// The per-stack run lock: flock on <stateDir>/<stack>.lock so two privgw runs never work on one stack at once.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Another run holds the stack, or the lock file is unusable.
public enum LockError: Error, Sendable, CustomStringConvertible, Equatable {
    case held(path: String, pid: Int32?)
    case io(path: String, operation: String, errno: Int32)

    public var description: String {
        switch self {
        case let .held(path, pid):
            let who = pid.map { "process \($0)" } ?? "another process"
            return "another privgw run (\(who)) is working on this stack: \(path) is locked"
                + "\n  hint: wait for it to finish; if that process no longer exists the lock is already free, so just retry"
        case let .io(path, operation, errno):
            return "lock file \(path): \(operation) failed: \(String(cString: strerror(errno)))"
        }
    }
}

/// An exclusive `flock` on `<stateDirectory>/<stack>.lock` (mode 0600) holding the owner's pid.
/// The kernel releases it when the process dies; `release()` (or deinit) releases it explicitly.
/// flock locks belong to the open file description, so a second `acquire` fails even in the same process.
public final class StateLock: Sendable {
    public let path: String
    private let fd: Locked<Int32>

    public static func path(stateDirectory: String, stack: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("\(stack).lock")
    }

    /// Takes the lock or fails at once (never waits).
    public static func acquire(path: String) throws -> StateLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LockError.io(path: path, operation: "open", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            let pid = readPid(fd)
            closeDescriptor(fd)
            if err == EWOULDBLOCK || err == EAGAIN { throw LockError.held(path: path, pid: pid) }
            throw LockError.io(path: path, operation: "flock", errno: err)
        }
        _ = fchmod(fd, 0o600)
        // Record who holds it, for the message a second run prints.
        let text = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StateLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = Locked(fd)
    }

    deinit { release() }

    /// Releases the lock (idempotent). The file stays: unlinking it would race with a run acquiring it.
    public func release() {
        fd.withLock { fd in
            guard fd >= 0 else { return }
            _ = flock(fd, LOCK_UN)
            closeDescriptor(fd)
            fd = -1
        }
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buf, buf.count, 0)
        guard n > 0 else { return nil }
        let s = String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(s)
    }
}
