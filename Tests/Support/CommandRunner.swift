// Runs a child process to completion with a deadline, capturing its output: privgw itself and the python helpers.
import Foundation

/// What a finished command printed and how it exited.
public struct CommandResult: Sendable, CustomStringConvertible {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var description: String { "exit \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)" }
}

public enum CommandRunner {
    /// Runs `executable` (a path, or a name looked up in `PATH`) with exactly `environment` and waits for it.
    /// Stdout and stderr are read while it runs, so a chatty child cannot block on a full pipe. After `timeout`
    /// seconds the child gets SIGTERM, then SIGKILL, and `TestSupportError.timedOut` is thrown.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                           stdin: String? = nil, currentDirectory: URL? = nil,
                           timeout: TimeInterval = 120) throws -> CommandResult {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }

        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        process.standardInput = input ?? FileHandle.nullDevice

        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        let readers = DispatchGroup()
        let stdoutData = DataBox(), stderrData = DataBox()
        for (pipe, box) in [(out, stdoutData), (err, stderrData)] {
            DispatchQueue.global().async(group: readers) { box.set(pipe.fileHandleForReading.readDataToEndOfFile()) }
        }
        if let input, let stdin {
            let writer = input.fileHandleForWriting
            DispatchQueue.global().async {
                try? writer.write(contentsOf: Data(stdin.utf8))
                try? writer.close()
            }
        }

        let label = ([executable] + arguments).joined(separator: " ")
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            terminate(process, exited: exited)
            _ = readers.wait(timeout: .now() + 5)
            throw TestSupportError.timedOut(command: label, seconds: timeout,
                                            stdout: stdoutData.text, stderr: stderrData.text)
        }
        // A grandchild could keep the pipes open after the child exits; don't wait for it forever.
        _ = readers.wait(timeout: .now() + 10)
        return CommandResult(status: process.terminationStatus, stdout: stdoutData.text, stderr: stderrData.text)
    }

    /// SIGTERM, up to five seconds' grace, then SIGKILL.
    static func terminate(_ process: Process, exited: DispatchSemaphore) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if exited.wait(timeout: .now() + 5) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
        }
    }
}

/// Bytes written by one reader thread and read by another.
final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.withLock { data = value } }
    func append(_ value: Data) { lock.withLock { data.append(value) } }
    var value: Data { lock.withLock { data } }
    var text: String { String(decoding: value, as: UTF8.self) }
}
