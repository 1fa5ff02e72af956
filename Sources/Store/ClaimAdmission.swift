/// The last step of a claim, without I/O: which candidate tasks are leased, given what is
/// known exactly once the claim holds its addresses' locks.
///
/// Candidates come in claim order (oldest measurement first, then task id). A task without an
/// address is always admitted; a task on an address is admitted only when the claim holds that
/// address's lock and the address has fewer than `perAddress` leased tasks, counting the ones
/// this claim admits. At most `limit` are admitted.
public struct ClaimAdmission: Sendable, Equatable {
    /// A queued task the claim has locked: its id and target address (nil: no address).
    public struct Candidate: Sendable, Equatable {
        public var taskID: Int64
        public var address: String?

        public init(taskID: Int64, address: String?) {
            self.taskID = taskID
            self.address = address
        }
    }

    public var perAddress: Int
    public var limit: Int

    public init(perAddress: Int, limit: Int) {
        self.perAddress = perAddress
        self.limit = limit
    }

    /// The ids to lease, in claim order.
    /// - Parameters:
    ///   - candidates: in claim order.
    ///   - locked: the addresses whose lock the claim holds; others are being claimed elsewhere.
    ///   - leased: leased tasks per locked address, counted after its lock was taken (absent: none).
    public func admit(_ candidates: [Candidate], locked: Set<String>, leased: [String: Int]) -> [Int64] {
        var taken = leased
        var admitted: [Int64] = []
        for candidate in candidates where admitted.count < limit {
            guard let address = candidate.address else {
                admitted.append(candidate.taskID)
                continue
            }
            let count = taken[address, default: 0]
            guard locked.contains(address), count < perAddress else { continue }
            taken[address] = count + 1
            admitted.append(candidate.taskID)
        }
        return admitted
    }
}
