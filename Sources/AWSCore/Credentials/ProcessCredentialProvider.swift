// Credentials printed by a profile's `credential_process` command (JSON, Version 1), run with /bin/sh -c.
import Foundation

public struct ProcessCredentialProvider: RedactedCredentialProvider {
    public let profile: String
    let command: String?
    let environment: [String: String]

    /// `command` nil means the profile has no `credential_process` (the chain moves on).
    public init(profile: String, command: String?, environment: [String: String]) {
        self.profile = profile
        self.command = command
        self.environment = environment
    }

    public func credentials() async throws -> Credentials {
        guard let command else {
            throw AWSError.notConfigured("profile '\(profile)' has no credential_process")
        }
        let result: (status: Int32, stdout: Data, stderr: Data)
        do {
            result = try await Self.run(command, environment: environment)
        } catch {
            throw AWSError.credentials("CredentialProcessFailed",
                                       "credential_process of profile '\(profile)' could not be started: \(error.localizedDescription)")
        }
        guard result.status == 0 else {
            // stderr is the command's own diagnostic (not its credentials, which go to stdout): show its start.
            let stderr = String(decoding: result.stderr.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw AWSError.credentials("CredentialProcessFailed",
                                       "credential_process of profile '\(profile)' exited with status \(result.status)"
                                           + (stderr.isEmpty ? "" : ": \(stderr)"),
                                       hint: "run the command by hand to see why it fails")
        }
        let what = "credential_process of profile '\(profile)'"
        guard let object = (try? JSONSerialization.jsonObject(with: result.stdout)) as? [String: Any] else {
            throw AWSError.credentials("MalformedCredentials", "\(what) did not print a JSON object")
        }
        guard (object["Version"] as? NSNumber)?.intValue == 1 else {
            throw AWSError.credentials("MalformedCredentials", "\(what) printed no \"Version\": 1 (the only version defined)")
        }
        return try CredentialDocument.parse(result.stdout, source: "process:\(profile)", what: what)
    }

    /// Runs `/bin/sh -c command`, draining both pipes while it runs so a chatty command cannot block.
    static func run(_ command: String, environment: [String: String]) async throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let group = DispatchGroup()
                let stderrBox = PipeBox()
                group.enter()
                DispatchQueue.global().async {
                    stderrBox.data = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let stdout = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, stdout, stderrBox.data))
            }
        }
    }

    public var description: String { "ProcessCredentialProvider(profile: \(profile))" }
}

/// Carries one pipe's bytes from its reader thread to the waiting thread (ordered by the DispatchGroup).
private final class PipeBox: @unchecked Sendable {
    var data = Data()
}
