import ArgumentParser
import Foundation
import PeilModel
import Store

/// `peil explain DOMAIN COLUMN --text … [--until DATE] [--by NAME]`, `--list`, `--remove ID`:
/// comply or explain.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Record an organisation's explanation for not applying a standard (comply or explain); list or withdraw them.",
        discussion: """
            COLUMN is a bulk column, web.hsts or mail.dane, or its bare name when only one test has it \
            (ipv6_nameserver needs web. or mail.). Reports mark a failed cell explained (failed*) and give \
            adoption with and without the explained failures. An explanation counts for every measurement \
            dated on or before --until (inclusive; without --until, every measurement), if it was recorded \
            before the report was made: a later measurement finds it expired (docs/REPORTS.md).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The domain, as a set names it.")
    var domain: String?

    @Argument(help: "The column: web.hsts, mail.dane, or a bare name only one test has.")
    var column: String?

    @Option(help: "The explanation.")
    var text: String?

    @Option(help: "The last day it holds, YYYY-MM-DD (default: no end).")
    var until: String?

    @Option(name: .customLong("by"), help: "Who gives it (default: the Unix user).")
    var author: String?

    @Flag(help: "List the explanations.")
    var list = false

    @Option(help: "Withdraw the explanation with this id.")
    var remove: Int64?

    func validate() throws {
        let adding = domain != nil || column != nil || text != nil || until != nil || author != nil
        guard [adding, list, remove != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give DOMAIN COLUMN --text TEXT, or --list, or --remove ID")
        }
        guard adding else { return }
        guard let domain, let column else { throw ValidationError("give the domain and the column") }
        guard (try? DomainName(parsing: domain)) != nil else { throw ValidationError("'\(domain)' is not a domain name") }
        do { _ = try BulkColumns.column(named: column) } catch { throw ValidationError(error.description) }
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("give the explanation with --text") }
        if let until, !PeilStore.isDay(until) { throw ValidationError("--until is a day YYYY-MM-DD, not '\(until)'") }
        if let author, author.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--by names no one") }
    }

    func run() throws {
        let store = try database.open()
        if list {
            let all = try store.explanations()
            if all.isEmpty { print("no explanations; record one with 'peil explain DOMAIN COLUMN --text TEXT'") }
            for explanation in all { print(Self.line(explanation)) }
        } else if let remove {
            do {
                print("withdrawn: " + Self.line(try store.removeExplanation(id: remove)))
            } catch let error as ExplanationError {
                throw ValidationError(error.description)
            }
        } else if let domain, let column, let text {
            do {
                let explanation = try store.addExplanation(domain: try DomainName(parsing: domain), column: try BulkColumns.column(named: column),
                                                           text: text, by: author ?? Self.unixUser(), until: until)
                print("recorded: " + Self.line(explanation))
            } catch let error as ExplanationError {
                throw ValidationError(error.description)
            }
        }
    }

    /// `3  mail.dane  example.nl  by alice on 2026-12-03 (until 2027-06-30): text`.
    static func line(_ explanation: Explanation) -> String {
        "\(explanation.id)  \(explanation.column.key)  \(explanation.domain)  \(explanation.note)"
    }

    /// The Unix user running the command.
    static func unixUser() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }
}
