import ArgumentParser

/// `peil`: the one executable. Each subcommand lives in its own file and is listed here.
@main
struct Peil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peil",
        abstract: "Measure how domains apply the Internet.nl standards, with a coordinator and agents.",
        subcommands: [
            // one line per subcommand
            LabCommand.self,
            ResolveCommand.self,
            KeysCommand.self, CoordinatorCommand.self, AgentCommand.self, AgentsCommand.self, DatabaseCommand.self,
            ImportCommand.self, SetsCommand.self, MeasureCommand.self, ScheduleCommand.self, StatusCommand.self, ResultsCommand.self,
            ImportResultsCommand.self, ReportCommand.self, CompareCommand.self, ExplainCommand.self, DiffCommand.self, RescanCommand.self,
            ServeCommand.self,
            RPKICommand.self,
            LintCommand.self, ScanCommand.self, ProbeCommand.self,
            HostileAgentCommand.self,
            BenchCommand.self,
        ]
    )
}
