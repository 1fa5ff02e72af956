import ArgumentParser
import Foundation
import Store

/// `peil bench`: benchmarks against a scratch database. They measure and print; they never
/// pass or fail on a time (tests do not time, benchmarks do not assert).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (claim: against a scratch database, whose queue it empties; ingest, import, read: in a database of their own).",
        subcommands: [ClaimBenchCommand.self, IngestBenchCommand.self, DispatchBenchCommand.self, ImportBenchCommand.self, ReadBenchCommand.self, DecodeBenchCommand.self]
    )
}

/// `peil bench claim`: how long one claim takes as the queue grows (docs/SCALE.md).
///
/// Per queue size: empties the scratch database's queue, fills it with that many synthetic
/// queued tasks (one `INSERT … SELECT generate_series`; reach tasks, or with `--mix twin` the
/// twin's kinds, resolve tasks without family among them) whose connect tasks' addresses follow a
/// Zipf-like law over a pool (shared hosting: a few addresses carry much of the work), warms up
/// until `--in-flight` tasks are leased, then times `--claims` claims of `--limit` tasks,
/// finishing the oldest leases after each so the work in flight stays put. Reports p50/p99 and
/// the temporary-file bytes PostgreSQL wrote and the buffer pages a claim touched
/// (`pg_stat_database`: `temp_bytes`, `blks_hit + blks_read`), which a busy machine does not skew.
struct ClaimBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Time claims against queues of growing size (a scratch database: its queue is emptied)."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Comma-separated queue sizes (queued tasks), e.g. 10000,100000,1000000,6300000.")
    var sizes = "10000,100000,1000000"

    @Option(help: "Timed claims per size.")
    var claims = 200

    @Option(help: "Tasks asked for per claim (an agent's free credits).")
    var limit = 16

    @Option(help: "Leased tasks kept in flight while timing.")
    var inFlight = 256

    @Option(name: .customLong("per-address"), help: "The per-address cap of the claims.")
    var perAddress = 4

    @Option(help: "Distinct target addresses per queued task (the pool is size × this, at least 64).")
    var addressRatio = 0.1

    @Option(help: "The queue's task kinds: reach (connect tasks only), or twin (the twin's mix: resolve tasks, which have no family, 23 %; web 40 %; mail 11 %; reach 25 %; nameserver 1 %).")
    var mix = ClaimBench.Mix.reach

    @Option(help: "Tasks leased and completed before the timed claims, per queued task (e.g. 0.5 at 1000000: 500,000 done first), the table then analyzed but not vacuumed: as a long measurement leaves it.")
    var doneRatio = 0.0

    @Flag(help: "Drop the index of the queued tasks without a family (tasks_queued_unfamilied, migration 11) for the run, as before it; without this flag it is made again if missing.")
    var withoutUnfamiliedIndex = false

    @Option(help: "Write the figures as JSON to this file.")
    var json: String?

    func validate() throws {
        guard !parsedSizes.isEmpty, parsedSizes.allSatisfy({ $0 > 0 && $0 <= 50_000_000 }) else {
            throw ValidationError("--sizes must be comma-separated counts between 1 and 50000000")
        }
        guard claims > 0, limit > 0, inFlight >= 0, perAddress > 0, addressRatio > 0, addressRatio <= 1 else {
            throw ValidationError("--claims, --limit and --per-address must be positive, --address-ratio in (0, 1]")
        }
        guard (0...10).contains(doneRatio) else { throw ValidationError("--done-ratio must be 0…10") }
    }

    var parsedSizes: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        // Filling millions of rows (and main's claim on them) outlasts the default statement timeout.
        let store = try PeilStore.open(connectionString: database.url, statementTimeout: max(database.statementTimeout, .seconds(3600)))
        try ClaimBench.refuseUnlessScratch(store.database)
        try ClaimBench.setUnfamiliedIndex(present: !withoutUnfamiliedIndex, in: store.database)
        var figures: [ClaimBench.Figures] = []
        // Straight to the file descriptor: a size can take minutes, and its row should show then.
        func show(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        show("  queued    addresses  claims  p50 ms  p99 ms  max ms  temp bytes  blocks  fill s")
        for size in parsedSizes {
            let bench = ClaimBench(store: store, limit: limit, inFlight: inFlight, perAddress: perAddress, mix: mix, doneRatio: doneRatio)
            let result = try bench.run(size: size, addresses: max(64, Int(Double(size) * addressRatio)), claims: claims)
            figures.append(result)
            show(result.row)
        }
        try writeBenchFigures(figures, to: json)
    }
}
