// The facade the CLI drives: one spec, one AWS configuration, the design's steps and the runner, per invocation.
import AWSCore
import AWSServices
import Foundation

/// Everything a command line says about where and how to run.
public struct StackOptions: Sendable {
    public var specPath: String
    public var region: String?
    public var profile: String?
    public var endpointURL: String?
    public var stateDir: String
    public var maxParallel: Int
    public var verbosity: Int
    public var debugLog: (@Sendable (String) -> Void)?
    /// The process environment (tests pass their own).
    public var environment: [String: String]

    public init(specPath: String = "privgw.yaml", region: String? = nil, profile: String? = nil, endpointURL: String? = nil,
                stateDir: String = ".privgw", maxParallel: Int = 4, verbosity: Int = 0,
                debugLog: (@Sendable (String) -> Void)? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.specPath = specPath
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
        self.stateDir = stateDir
        self.maxParallel = maxParallel
        self.verbosity = verbosity
        self.debugLog = debugLog
        self.environment = environment
    }
}

public final class StackSession: Sendable {
    public let spec: StackSpec
    public let specWarnings: [SpecDiagnostic]
    public let options: StackOptions
    let client: AWSClient
    let environment: AWSEnvironment
    /// The last `plan` of this session, for `up`/`down` to reuse.
    let lastPlan = Locked<PlanBasis?>(nil)

    public var region: String { client.region }
    public var callStatistics: CallStatistics { client.statistics }
    /// privgw's version, written into the journal's run records.
    public static let version = AWSCoreVersion.string

    init(spec: StackSpec, warnings: [SpecDiagnostic], options: StackOptions, client: AWSClient) {
        self.spec = spec
        self.specWarnings = warnings
        self.options = options
        self.client = client
        self.environment = AWSEnvironment(spec: spec, client: client)
    }

    /// Loads and validates the spec and resolves the AWS settings. Makes no AWS call: a bad spec (SpecError) or a
    /// missing region (AWSError `.configuration`) fails here, before anything is touched.
    public static func open(_ options: StackOptions) throws -> StackSession {
        let loaded = try StackSpec.loadWithWarnings(path: options.specPath)
        var config = try AWSConfigurationLoader.resolve(
            region: options.region ?? loaded.spec.region, profile: options.profile, endpointURL: options.endpointURL,
            environment: options.environment, debugLog: options.debugLog)
        if let specRegion = loaded.spec.region, options.region == nil, config.region != specRegion {
            config.region = specRegion
        }
        try checkCertificateRegion(loaded.spec, region: config.region)
        return StackSession(spec: loaded.spec, warnings: loaded.warnings, options: options,
                            client: AWSClient(configuration: config))
    }

    /// An ACM certificate is regional: the ALB and the API Gateway domain can use only one from their own region.
    static func checkCertificateRegion(_ spec: StackSpec, region: String) throws {
        guard case .existing(let arn) = spec.certificate else { return }
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 3, String(parts[3]) != region {
            throw AWSError(kind: .configuration, code: "CertificateInOtherRegion",
                           message: "certificate \(arn) is in \(parts[3]) but the stack runs in \(region)", resource: arn,
                           hint: "give a certificate from \(region), or use `certificate.validationZone` to have privgw request one")
        }
    }

    func runner(_ progress: any ProgressSink) throws -> Runner<AWSEnvironment> {
        try Runner(stackName: spec.name, steps: Designs.steps(for: spec), environment: environment,
                   stateDirectory: options.stateDir, version: Self.version, clock: clock, progress: progress)
    }

    /// The engine's clock. `PRIVGW_BENCH_TIME_SCALE=F` (undocumented outside docs/performance.md, for scripts/bench
    /// only) runs waits F times faster, to match a latency profile whose AWS times are divided by F.
    var clock: any EngineClock {
        if let f = options.environment["PRIVGW_BENCH_TIME_SCALE"].flatMap(Double.init), f > 0, f != 1 { return ScaledClock(factor: f) }
        return SystemClock()
    }

    /// What `up` (or, with `destroy`, `down`) would do. Reads only. The next `up`/`down` of this session executes
    /// this very plan when `reusePlan` and the journal has not changed since (so AWS is not asked twice).
    public func plan(destroy: Bool, progress: any ProgressSink = NullProgressSink()) async throws -> Plan {
        let basis = try await runner(progress).planBasis(destroy ? .down : .up, maxParallel: options.maxParallel)
        lastPlan.withLock { $0 = basis }
        return basis.plan
    }

    /// Creates or converges the stack. A failed step comes back as a result (status failed / rolled-back); an
    /// interrupt throws `RunnerError.interrupted`; lock and journal problems throw. `reusePlan: false` plans
    /// again under the lock even when this session's last `plan` is still current (e.g. after a long prompt).
    public func up(noRollback: Bool = false, rebuildJournal: Bool = false, reusePlan: Bool = true,
                   progress: any ProgressSink = NullProgressSink()) async throws -> RunResult {
        do {
            return try await runner(progress).up(maxParallel: options.maxParallel, noRollback: noRollback,
                                                 rebuildJournal: rebuildJournal, reusing: reusePlan ? lastPlan.current : nil)
        } catch RunnerError.stepFailed(_, let result) {
            return result
        }
    }

    /// Removes what the stack owns. Same error contract as `up`.
    public func down(reusePlan: Bool = true, progress: any ProgressSink = NullProgressSink()) async throws -> RunResult {
        do {
            return try await runner(progress).down(maxParallel: options.maxParallel, reusing: reusePlan ? lastPlan.current : nil)
        } catch RunnerError.stepFailed(_, let result) {
            return result
        }
    }

    /// Live state of every resource, target health and drift. Reads only.
    public func status() async throws -> StatusReport {
        let warningsBox = WarningCollector()
        let plan = try await runner(warningsBox).plan(.up, maxParallel: options.maxParallel)
        var resources: [StatusReport.Resource] = []
        var drift: [String] = []
        var targets: [StatusReport.Target] = []
        var anyOwnedPresent = false
        var degraded = false
        for p in plan.steps {
            let record = p.record
            var state: String
            var detail = Self.detail(for: record)
            switch p.action {
            case .keep, .none:
                state = record?.attributes["state"].flatMap { $0.isEmpty ? nil : $0 } ?? "ok"
                if record?.owned == true { anyOwnedPresent = true }
            case .adopt:
                state = record?.owned == false ? "ok" : "untracked"
                if record?.owned == true { anyOwnedPresent = true }
            case .change:
                state = "drift"
                detail = p.detail
                drift.append("\(p.step): \(p.detail)")
                anyOwnedPresent = true
                degraded = true
            case .create:
                state = "missing"
                degraded = true
            case .delete:
                state = "present"
            }
            if let r = record, r.step == "certificate", let s = r.attributes["status"], s != "ISSUED" { degraded = true }
            if let r = record, r.step == "alb", let s = r.attributes["state"], s != "active" { degraded = true }
            if p.step == "targets", let health = record?.attributes["health"] {
                for pair in health.split(separator: ",") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2 else { continue }
                    targets.append(.init(ip: kv[0], port: 443, state: kv[1], reason: nil))
                    if kv[1] != "healthy" { degraded = true }
                }
            }
            resources.append(.init(step: p.step, kind: p.kind, id: record?.id ?? p.resourceId, state: state,
                                   owned: record?.owned ?? true, detail: detail))
        }
        if let ep = plan.steps.first(where: { $0.step == "endpoint" })?.record, ep.attributes["privateDns"] == "true" {
            warningsBox.add("VPC endpoint \(ep.id) has private DNS on: every public API Gateway API is unreachable from \(spec.vpc)")
        }
        let verdict: StatusReport.Verdict = !anyOwnedPresent ? .notDeployed : (degraded ? .degraded : .healthy)
        return StatusReport(stack: spec.name, design: spec.design.rawValue, domains: spec.domains, verdict: verdict,
                            resources: resources, targets: targets, drift: drift,
                            warnings: plan.warnings + warningsBox.messages)
    }

    /// A short human summary of a record's most telling attributes.
    static func detail(for record: ResourceRecord?) -> String {
        guard let r = record else { return "" }
        let a = r.attributes
        switch r.step {
        case "network": return "cidr \(a["cidr"] ?? "?"), zones \(a["zones"] ?? "?")"
        case "endpoint": return "ips \(a["ips"] ?? ""), private DNS \(a["privateDns"] == "true" ? "on" : "off")"
        case "certificate": return "\(a["status"] ?? "?")" + (a["notAfter"].map { ", expires \($0)" } ?? "")
        case "alb": return "\(a["scheme"] ?? "?"), \(a["dnsName"] ?? "")"
        case "targets": return a["health"] ?? a["ips"] ?? ""
        case "listener": return "\(a["protocol"] ?? "") :\(a["port"] ?? "") \(a["sslPolicy"] ?? "")"
        default:
            if r.step.hasPrefix("record") { return "A alias → \(a["target"] ?? "")" }
            if r.step.hasPrefix("mappings") { return a["mappings"] ?? "" }
            if r.step.hasPrefix("domain-name") { return a["status"] ?? "" }
            return a["name"] ?? ""
        }
    }
}

/// Collects warning events (e.g. from `status`), ignoring everything else.
final class WarningCollector: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func handle(_ event: ProgressEvent) {
        if case .warning(_, let message) = event { add(message) }
    }
    func add(_ m: String) { lock.lock(); list.append(m); lock.unlock() }
    var messages: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
