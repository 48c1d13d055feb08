// swift-tools-version:6.0
// privgw: give a private API Gateway REST API a custom DNS name inside a VPC.
// Module map (each a folder under Sources/):
//   CCurl, CCrypto  system libraries (libcurl, OpenSSL libcrypto) + tiny C shims
//   AWSCore         the AWS HTTP stack: signing, credentials, transport, protocols, retry, endpoints
//   AWSServices     thin typed clients for EC2, ELBv2, API Gateway, Route 53, ACM, STS
//   PrivGW          the provisioning model: spec, steps, designs, engine (runner, journal, plan)
//   privgw          the command-line interface
import PackageDescription

// Release builds on Linux link the Swift runtime and Foundation statically: loading and binding them was most of
// `privgw --version`'s start-up time (docs/performance.md). Compiling with the flag too makes each module record the
// static libraries it needs (FoundationXML's, ICU's) for the linker. Debug builds and tests stay dynamic.
let staticStdlib: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]
let staticStdlibLink: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux], configuration: .release))]

let package = Package(
    name: "privgw",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "privgw", targets: ["privgw"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .target(name: "AWSCore", dependencies: ["CCurl", "CCrypto"], swiftSettings: staticStdlib),
        .target(name: "AWSServices", dependencies: ["AWSCore"], swiftSettings: staticStdlib),
        .target(name: "PrivGW", dependencies: [
            "AWSCore", "AWSServices",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: staticStdlib),
        .executableTarget(name: "privgw", dependencies: [
            "PrivGW", "AWSCore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: staticStdlib, linkerSettings: staticStdlibLink),
        .executableTarget(name: "privgw-bench", dependencies: ["AWSCore"], swiftSettings: staticStdlib,
                          linkerSettings: staticStdlibLink),  // scripts/bench-signer
        .target(name: "TestSupport", dependencies: ["AWSCore"], path: "Tests/Support", exclude: ["python"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "TestSupport"]),
        .testTarget(name: "AWSServicesTests", dependencies: ["AWSServices", "AWSCore", "TestSupport"]),
        .testTarget(name: "PrivGWTests", dependencies: ["PrivGW", "AWSServices", "AWSCore", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PrivGW", "AWSServices", "AWSCore", "TestSupport"]),
    ]
)
