// The network, zones and API a privgw stack needs, created in moto by Tests/Support/python/fixtures.py.
import Foundation

/// Ids of what `fixtures.py` created: a VPC 10.20.0.0/16 with two subnets in two AZs, a public zone
/// `example.com`, private zones `example.com` and `example.internal` attached to the VPC, and a PRIVATE
/// REST API with a deployed stage.
public struct MotoFixtures: Decodable, Sendable, Equatable {
    public var vpcId: String
    public var subnetIds: [String]
    public var availabilityZones: [String]
    public var publicZoneId: String
    public var privateZoneId: String
    public var internalZoneId: String
    public var restApiId: String
    public var stage: String
    public var region: String
}

extension MotoServer {
    /// Creates the fixtures in this server (call again after `reset()`).
    public func createFixtures() throws -> MotoFixtures {
        let out = try runHelper("fixtures.py", ["--endpoint", endpoint, "--key", accessKeyId,
                                                "--secret", secretAccessKey, "--region", region])
        return try JSONDecoder().decode(MotoFixtures.self, from: Data(out.utf8))
    }
}
