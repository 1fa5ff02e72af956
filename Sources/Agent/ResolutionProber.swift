import PeilModel
import Probes

/// Runs `resolve` tasks through the agent's validating resolver.
public struct ResolutionProber: TaskProber {
    private let resolution: DomainResolution

    /// `followUp`: the extra questions the mail verdicts need (see ``Probes/FollowUpQuestions``).
    public init(resolver: any DNSQuestionAnswering, followUp: FollowUpQuestions? = nil) {
        resolution = DomainResolution(resolver: resolver, followUp: followUp)
    }

    public func run(_ task: TaskAssignment) async -> TaskReport {
        switch task.kind {
        case .resolve:
            do {
                let observation = try await resolution.resolve(domain: task.domain, webHost: task.webHost)
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed, resolution: observation)
            } catch {
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "\(error)")
            }
        case .reach, .nameserver, .web, .mail:
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "not a resolve task")
        }
    }
}
