import PeilModel
import Probes

/// Runs `resolve` tasks through the agent's validating resolver.
///
/// A resolution in which a question timed out is reported as a retryable `timeout` while
/// `task.countedAttempt < finalAttempt` (the coordinator's max attempts, from WELCOME; attempts
/// lost to the agent's own network are not counted, as the store does not count them), so the
/// coordinator asks again (another agent, or a warmer cache) before the result is final; the
/// last attempt's observation is kept whatever it holds, and its timed-out questions make the
/// verdicts `error`, never `failed`. The resolution's questions end a little before the task's
/// deadline (a quarter of the time left, at most 2 s), so what was answered by then is kept and the
/// rest is recorded as timed out; a resolution still running at the deadline itself is
/// cancelled and reported as `timeout` ("task deadline reached"), never as an observation.
public struct ResolutionProber: TaskProber {
    private let resolution: DomainResolution

    /// `followUp`: the extra questions the mail verdicts need (see ``Probes/FollowUpQuestions``);
    /// `retry`: when a failed question is asked again (the agent gives ``Probes/LookupRetry/standard``).
    public init(resolver: any DNSQuestionAnswering, followUp: FollowUpQuestions? = nil, retry: LookupRetry? = nil) {
        resolution = DomainResolution(resolver: resolver, followUp: followUp, retry: retry)
    }

    public func run(_ task: TaskAssignment, finalAttempt: Int, deadline: ProbeDeadline) async -> TaskReport {
        switch task.kind {
        case .resolve:
            let resolution = self.resolution
            let questionsEnd = deadline.instant - min(.seconds(2), deadline.remaining / 4)
            let work = Task { () async throws(ResolverError) -> ResolutionObservation in
                try await resolution.resolve(domain: task.domain, webHost: task.webHost, deadline: questionsEnd)
            }
            guard let finished = await firstResult(of: work, by: deadline) else {
                work.cancel()
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout,
                                  detail: "\(deadline.reason) before the resolution finished")
            }
            do {
                let observation = try finished.get()
                let timedOut = observation.queries.filter { $0.rcode == "TIMEOUT" }
                if !timedOut.isEmpty, task.countedAttempt < finalAttempt {
                    let names = timedOut.prefix(3).map { "\($0.name) \($0.type)" }.joined(separator: ", ")
                    return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout,
                                      detail: "\(timedOut.count) questions timed out (\(names)); asking again")
                }
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed, resolution: observation)
            } catch {
                return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "\(error)")
            }
        case .reach, .nameserver, .web, .mail:
            return TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .probeError, detail: "not a resolve task")
        }
    }
}
