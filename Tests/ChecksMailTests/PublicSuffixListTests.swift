import Checks
import Foundation
import Testing

/// The organisational domain by the Public Suffix List, on Debian's copy of the list (the
/// cases are the list's own test set, as Internet.nl uses them).
struct PublicSuffixListTests {
    static let debianFile = "/usr/share/publicsuffix/public_suffix_list.dat"
    static let debian: PublicSuffixList? = (try? String(contentsOfFile: debianFile, encoding: .utf8)).map(PublicSuffixList.init(text:))

    @Test(.enabled(if: FileManager.default.fileExists(atPath: debianFile)), arguments: [
        ("example", nil), ("example.example", "example.example"), ("b.example.example", "example.example"),
        ("biz", nil), ("domain.biz", "domain.biz"), ("a.b.domain.biz", "domain.biz"),
        ("com", nil), ("example.com", "example.com"), ("a.b.example.com", "example.com"),
        ("uk.com", nil), ("example.uk.com", "example.uk.com"), ("a.b.example.uk.com", "example.uk.com"),
        ("test.ac", "test.ac"),
        ("mm", nil), ("c.mm", nil), ("b.c.mm", "b.c.mm"), ("a.b.c.mm", "b.c.mm"),
        ("jp", nil), ("test.jp", "test.jp"), ("www.test.jp", "test.jp"), ("ac.jp", nil), ("test.ac.jp", "test.ac.jp"),
        ("kyoto.jp", nil), ("test.kyoto.jp", "test.kyoto.jp"), ("ide.kyoto.jp", nil), ("b.ide.kyoto.jp", "b.ide.kyoto.jp"),
        ("c.kobe.jp", nil), ("b.c.kobe.jp", "b.c.kobe.jp"), ("city.kobe.jp", "city.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"),
        ("ck", nil), ("test.ck", nil), ("b.test.ck", "b.test.ck"), ("www.ck", "www.ck"), ("www.www.ck", "www.ck"),
        ("us", nil), ("test.us", "test.us"), ("ak.us", nil), ("test.ak.us", "test.ak.us"), ("k12.ak.us", nil),
        ("minfin.nl", "minfin.nl"), ("www.rijksoverheid.nl", "rijksoverheid.nl"), ("WWW.Example.NL.", "example.nl"),
        ("xn--85x722f.com.cn", "xn--85x722f.com.cn"), ("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn"), ("xn--55qx5d.cn", nil),
    ] as [(String, String?)])
    func organisationalDomain(_ domain: String, _ expected: String?) throws {
        let list = try #require(Self.debian)
        #expect(list.count > 5000)
        #expect(list.organisationalDomain(of: domain) == expected, "\(domain)")
    }

    @Test func exceptionsAndWildcards() {
        let list = PublicSuffixList(text: "*.ck\n!www.ck\n// a comment\n  indented lines are not rules\nnl\n")
        #expect(list.publicSuffix(of: "a.b.ck") == "b.ck")
        #expect(list.publicSuffix(of: "www.ck") == "ck")
        #expect(list.organisationalDomain(of: "x.www.ck") == "www.ck")
        #expect(list.organisationalDomain(of: "a.b.example.nl") == "example.nl")
        #expect(list.organisationalDomain(of: "a.unlisted") == "a.unlisted")
        #expect(list.organisationalDomain(of: "") == nil)
    }
}
