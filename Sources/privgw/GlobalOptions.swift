// The options every privgw command accepts (spec file, AWS settings, output format, state directory, verbosity).
import ArgumentParser
import Foundation
import PrivGW

extension OutputFormat: ExpressibleByArgument {}

struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file")], help: "The stack spec.")
    var file = "privgw.yaml"

    @Option(help: "AWS region (else the spec's, else AWS_REGION / ~/.aws/config).")
    var region: String?

    @Option(help: "Named profile from ~/.aws/config and ~/.aws/credentials.")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call to this URL (e.g. a local moto server).")
    var endpointURL: String?

    @Option(help: "Output format: text or json (one JSON document on stdout; progress as JSON lines on stderr).")
    var output: OutputFormat = .text

    @Option(name: .customLong("state-dir"), help: "Directory of the run journal and lock.")
    var stateDir = ".privgw"

    @Flag(name: .customShort("v"), help: "More output: -v prints AWS call statistics, -vv also logs each HTTP call (never secrets).")
    var verbose: Int

    @Flag(name: .customLong("no-color"), help: "No ANSI colour (also off when NO_COLOR is set or output is not a terminal).")
    var noColor = false
}
