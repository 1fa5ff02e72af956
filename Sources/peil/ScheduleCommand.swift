import ArgumentParser
import Foundation
import Store

/// `peil schedule add|list|remove|run`: recurring measurements the coordinator starts itself.
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Recurring measurements, started by the coordinator (every 30 s it looks for one that is due).",
        discussion: """
            A fixed schedule measures its sets at --first and then every --every-months months \
            (twice a year: --every-months 6); dates it missed while no coordinator ran are skipped, \
            not made up. A rolling schedule measures each domain every --rolling-days days, a \
            day's share of the domains each day (chosen by a hash of the name, so a domain keeps \
            its day and no day has a peak); days it missed are measured together.
            """,
        subcommands: [Add.self, List.self, Remove.self, Run.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a schedule.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The schedule's name.")
        var name: String

        @Option(help: "Comma-separated set names.")
        var sets: String

        @Option(help: "A fixed schedule: months between two measurements (1–120).")
        var everyMonths: Int?

        @Option(help: "A rolling schedule: days in which every domain is measured once (1–3660).")
        var rollingDays: Int?

        @Option(help: "The first run, ISO 8601 (2027-03-01T06:00:00Z; default: now).")
        var first: String?

        func validate() throws {
            guard (everyMonths == nil) != (rollingDays == nil) else {
                throw ValidationError("give either --every-months (fixed) or --rolling-days (rolling)")
            }
            if let first, (try? Date(first, strategy: .iso8601)) == nil {
                throw ValidationError("--first \(first) is not an ISO 8601 time such as 2027-03-01T06:00:00Z")
            }
        }

        func run() throws {
            let names = sets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw ValidationError("--sets names no set") }
            let cadence: Schedule.Cadence = everyMonths.map { .fixed(months: $0) } ?? .rolling(days: rollingDays ?? 0)
            let start = try first.map { try Date($0, strategy: .iso8601) } ?? Date()
            try database.open().addSchedule(Schedule(name: name, sets: names, cadence: cadence, nextRun: start))
            print("schedule \(name) added; first run \(start.formatted(.iso8601))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules and their next runs.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let schedules = try database.open().schedules()
            guard !schedules.isEmpty else { print("no schedules"); return }
            for schedule in schedules {
                let cadence = switch schedule.cadence {
                case .fixed(let months): "every \(months) month\(months == 1 ? "" : "s")"
                case .rolling(let days): "rolling over \(days) day\(days == 1 ? "" : "s"), next slice \(schedule.nextSlice)"
                }
                print("\(schedule.name)\t\(schedule.sets.joined(separator: ","))\t\(cadence)\tnext \(schedule.nextRun.formatted(.iso8601))")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a schedule (its measurements stay).")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "The schedule's name.")
        var name: String

        func run() throws {
            guard try database.open().removeSchedule(named: name) else { throw ValidationError("there is no schedule named \(name)") }
            print("schedule \(name) removed")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the measurements that are due now, as the coordinator does (for a deployment without one running).")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let runs = try database.open().runDueSchedules()
            guard !runs.isEmpty else { print("nothing due"); return }
            for run in runs {
                let slices = run.sliceCount.map { " (slices \(run.slices.map(String.init).joined(separator: ",")) of \($0))" } ?? ""
                print("\(run.schedule): measurement \(run.measurementID), \(run.domains) domains\(slices)")
            }
        }
    }
}
