// Reading moto's request recording: which AWS calls privgw made, by service and operation.
import Foundation

/// One request moto saw (rejected ones included), named by Tests/Support/python/recording.py.
public struct RecordedCall: Decodable, Sendable, Equatable, CustomStringConvertible {
    /// The signing name from the credential scope: `ec2`, `elasticloadbalancing`, `apigateway`, `route53`, ...
    public var service: String?
    /// `CreateVpcEndpoint`, `GetDomainName`, ...; nil when the request matched no operation of the service.
    public var operation: String?
    public var method: String
    public var path: String
    /// The query string as sent (`domainNameId=abc&limit=500`); empty when there is none.
    public var query: String?
    /// False for Describe*/List*/Get*/Head* operations.
    public var mutating: Bool

    public var description: String { "\(service ?? "?"):\(operation ?? "\(method) \(path)")" }

    /// The values of one query parameter (e.g. `domainNameId`), percent-decoded.
    public func queryValues(_ name: String) -> [String] {
        (query ?? "").split(separator: "&").compactMap { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard kv.first == name else { return nil }
            return kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
    }
}

extension MotoServer {
    /// The calls recorded so far (start the server with `recording: true`), oldest first.
    public func recordedCalls() throws -> [RecordedCall] {
        guard let recordingURL else { return [] }
        guard FileManager.default.fileExists(atPath: recordingURL.path) else { return [] }
        let out = try runHelper("recording.py", [recordingURL.path])
        return try JSONDecoder().decode([RecordedCall].self, from: Data(out.utf8))
    }

    /// The recorded calls that change something.
    public func recordedMutatingCalls() throws -> [RecordedCall] {
        try recordedCalls().filter(\.mutating)
    }

    /// Empties the recording (`POST /moto-api/recorder/reset-recording`), e.g. after setting up fixtures.
    public func resetRecording() throws { try control("/moto-api/recorder/reset-recording") }

    /// Pauses and resumes recording (`/moto-api/recorder/stop-recording`, `start-recording`).
    public func setRecording(_ on: Bool) throws {
        try control(on ? "/moto-api/recorder/start-recording" : "/moto-api/recorder/stop-recording")
    }
}
