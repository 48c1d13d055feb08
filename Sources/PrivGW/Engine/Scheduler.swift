// The step graph (validation, topological order) and the bounded-parallel DAG scheduler all phases share.
import Foundation

/// Steps and their dependencies, validated: unique ids, known dependencies, no cycles.
struct StepGraph: Sendable {
    /// Topological order (dependencies first); ties keep the declaration order, so runs are reproducible.
    let order: [String]
    let dependencies: [String: Set<String>]
    let dependents: [String: Set<String>]

    init(_ nodes: [(id: String, dependsOn: [String])]) throws {
        var deps: [String: Set<String>] = [:]
        var declared: [String] = []
        for n in nodes {
            guard !n.id.isEmpty else { throw RunnerError.invalidSteps("a step has an empty id") }
            guard deps[n.id] == nil else { throw RunnerError.invalidSteps("duplicate step id \(n.id)") }
            deps[n.id] = Set(n.dependsOn)
            declared.append(n.id)
        }
        var dependents: [String: Set<String>] = Dictionary(uniqueKeysWithValues: declared.map { ($0, Set<String>()) })
        for id in declared {
            for d in deps[id]! {
                guard deps[d] != nil else { throw RunnerError.invalidSteps("step \(id) depends on unknown step \(d)") }
                guard d != id else { throw RunnerError.invalidSteps("step \(id) depends on itself") }
                dependents[d]!.insert(id)
            }
        }
        // Kahn's algorithm, always taking the first ready step in declaration order.
        var remaining = declared
        var placed = Set<String>()
        var order: [String] = []
        while !remaining.isEmpty {
            guard let i = remaining.firstIndex(where: { deps[$0]!.isSubset(of: placed) }) else {
                throw RunnerError.invalidSteps("dependency cycle among " + remaining.joined(separator: ", "))
            }
            let id = remaining.remove(at: i)
            placed.insert(id)
            order.append(id)
        }
        self.order = order
        self.dependencies = deps
        self.dependents = dependents
    }
}

/// Runs a body per node once its prerequisites succeeded, at most `maxParallel` at a time.
enum DAGScheduler {
    enum NodeResult: Sendable, Equatable { case succeeded, failed, notStarted }

    struct Report: Sendable {
        var results: [String: NodeResult]
        /// Nodes in the order their bodies finished.
        var completion: [String]
        var interrupted: Bool
    }

    /// - order: launch preference (a valid topological order for `prerequisites`).
    /// - stopOnFailure: after a failure launch nothing more; otherwise only nodes depending on a failed or
    ///   not-started node are skipped.
    /// Bodies run in unstructured tasks so cancelling the caller never cancels a call in flight: on
    /// cancellation or `control` interrupt, running bodies finish, nothing new starts, `interrupted` is set.
    static func run(order: [String], prerequisites: [String: Set<String>], maxParallel: Int, stopOnFailure: Bool,
                    control: RunControl, body: @escaping @Sendable (String) async -> Bool) async -> Report {
        let limit = max(1, maxParallel)
        var results: [String: NodeResult] = [:]
        var completion: [String] = []
        var pending = order
        var running = 0
        var stopped = false
        var interrupted = false

        await withTaskGroup(of: (String, Bool).self) { group in
            while true {
                if control.isInterrupted || Task.isCancelled {
                    interrupted = true
                    stopped = true
                }
                if !stopped {
                    var i = 0
                    while i < pending.count && running < limit {
                        let id = pending[i]
                        let pre = prerequisites[id] ?? []
                        if pre.contains(where: { results[$0] == .failed || results[$0] == .notStarted }) {
                            // A prerequisite can no longer succeed: this node never runs.
                            results[id] = .notStarted
                            pending.remove(at: i)
                            i = 0
                            continue
                        }
                        if pre.allSatisfy({ results[$0] == .succeeded }) {
                            pending.remove(at: i)
                            running += 1
                            group.addTask {
                                let ok = await Task { await body(id) }.value
                                return (id, ok)
                            }
                            continue
                        }
                        i += 1
                    }
                }
                if running == 0 { break }
                guard let (id, ok) = await group.next() else { break }
                running -= 1
                results[id] = ok ? .succeeded : .failed
                completion.append(id)
                if !ok && stopOnFailure { stopped = true }
            }
        }
        for id in pending { results[id] = .notStarted }
        return Report(results: results, completion: completion, interrupted: interrupted)
    }
}
