import ArgumentParser
import Checks
import Foundation
import Probes
import Store
import Verdicts

/// The Public Suffix List for the mail-authentication follow-up questions, read once per
/// process (`peil agent`, `peil resolve`).
struct MailAuthOptions: ParsableArguments {
    @Option(help: "The Public Suffix List file (Debian's publicsuffix package), for the DMARC organisational domain.")
    var publicSuffixList: String = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// The list, parsed.
    func loadList() throws -> PublicSuffixList {
        guard let text = try? String(contentsOfFile: publicSuffixList, encoding: .utf8) else {
            throw ValidationError("cannot read the Public Suffix List at \(publicSuffixList) (apt-get install publicsuffix, or give --public-suffix-list)")
        }
        return PublicSuffixList(text: text)
    }

    /// The follow-up questions the mail verdicts need (``MailAuthPlanner``).
    static func followUp(_ psl: PublicSuffixList) -> FollowUpQuestions {
        let planner = MailAuthPlanner(psl: psl)
        return FollowUpQuestions { domain, answers in await planner.nextTXTNames(domain: domain, answers: answers) }
    }
}

extension ReportLoader {
    /// A loader reading the Public Suffix List these options name, with notes on standard error.
    init(store: PeilStore, mailAuth: MailAuthOptions) {
        let options = mailAuth
        self.init(store: store, loadSuffixList: { try options.loadList() },
                  warn: { FileHandle.standardError.write(Data("note: \($0)\n".utf8)) })
    }
}
