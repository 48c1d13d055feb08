// Why a test-support helper could not do its job; the message says what to look at.
import Foundation

public enum TestSupportError: Error, CustomStringConvertible {
    /// The moto harness did not print its ready line; `log` is the end of its stderr.
    case harnessDidNotStart(reason: String, log: String)
    /// A control call to the harness (reset, recorder, reset-auth) failed.
    case controlCallFailed(path: String, detail: String)
    /// A command ran longer than allowed and was killed.
    case timedOut(command: String, seconds: TimeInterval, stdout: String, stderr: String)
    /// The privgw executable is not where the tests were built.
    case privgwBinaryNotFound(searched: [String])
    /// A python helper failed or printed something unexpected.
    case helperFailed(command: String, status: Int32, stderr: String)

    public var description: String {
        switch self {
        case let .harnessDidNotStart(reason, log):
            return "moto harness did not start: \(reason)\n--- harness log (tail) ---\n\(log)"
        case let .controlCallFailed(path, detail):
            return "moto control call \(path) failed: \(detail)"
        case let .timedOut(command, seconds, stdout, stderr):
            return "\(command) did not finish within \(Int(seconds)) s and was killed\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
        case let .privgwBinaryNotFound(searched):
            return "privgw binary not found; looked in: \(searched.joined(separator: ", ")). "
                + "Build it with the same --scratch-path as the tests (`swift build`), or set PRIVGW_BIN."
        case let .helperFailed(command, status, stderr):
            return "\(command) exited with \(status)\n\(stderr)"
        }
    }
}
