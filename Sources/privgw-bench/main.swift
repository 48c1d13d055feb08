// privgw-bench: measures SigV4Signer throughput on a batch of requests (driven by scripts/bench-signer).
//
//   privgw-bench sign  < batch.json   -> {"authorizations": [...]} (to check against botocore first)
//   privgw-bench bench SECONDS < batch.json -> {"signatures": N, "seconds": S, "per_second": R}
//
// The batch format is Tests/Support/python/botocore_sign.py's, so both signers see the very same requests.
import AWSCore
import Foundation

struct Spec: Decodable {
    var method: String
    var scheme: String
    var host: String
    var path: String
    var query: [[String]]
    var headers: [[String]]
    var body_b64: String
    var access_key: String
    var secret_key: String
    var token: String?
    var region: String
    var service: String
    var epoch: Int64
    var content_sha256: Bool
}

struct Prepared {
    let request: HTTPRequest
    let credentials: Credentials
    let region: String
    let service: String
    let date: Date
    let signContentSHA256: Bool

    init(_ s: Spec) {
        request = HTTPRequest(method: s.method, scheme: s.scheme, host: s.host, path: s.path,
                              query: s.query.map { QueryItem($0[0], $0[1]) },
                              headers: s.headers.map { (name: $0[0], value: $0[1]) },
                              body: Data(base64Encoded: s.body_b64) ?? Data())
        credentials = Credentials(accessKeyId: s.access_key, secretAccessKey: s.secret_key, sessionToken: s.token)
        region = s.region
        service = s.service
        date = Date(timeIntervalSince1970: TimeInterval(s.epoch))
        signContentSHA256 = s.content_sha256
    }

    /// One signature, the way AWSClient does it: a signer per request.
    func sign() -> HTTPRequest {
        var r = request
        SigV4Signer(credentials: credentials, region: region, service: service)
            .sign(&r, date: date, signContentSHA256: signContentSHA256)
        return r
    }
}

struct Batch: Decodable { let requests: [Spec] }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("privgw-bench: \(message)\n".utf8))
    exit(2)
}

let args = CommandLine.arguments.dropFirst()
let mode = args.first ?? ""
let input = FileHandle.standardInput.readDataToEndOfFile()
let batch: [Prepared]
do { batch = try JSONDecoder().decode(Batch.self, from: input).requests.map(Prepared.init) } catch {
    fail("cannot read the request batch on stdin: \(error)")
}
if batch.isEmpty { fail("empty batch") }

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

switch mode {
case "sign":
    emit(["authorizations": batch.map { $0.sign().header("Authorization") ?? "" }])
case "bench":
    let budget = args.dropFirst().first.flatMap(Double.init) ?? 3.0
    var sink = 0
    for p in batch.prefix(50) { sink &+= p.sign().headers.count }  // warm-up
    let clock = ContinuousClock()
    let start = clock.now
    var count = 0
    var elapsed = 0.0
    repeat {
        for p in batch { sink &+= p.sign().headers.count }
        count += batch.count
        let d = clock.now - start
        elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    } while elapsed < budget
    emit(["signatures": count, "seconds": elapsed, "per_second": Double(count) / elapsed, "sink": sink])
default:
    fail("usage: privgw-bench sign|bench [SECONDS] < batch.json")
}
