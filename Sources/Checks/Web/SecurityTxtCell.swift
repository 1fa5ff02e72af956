import PeilModel

extension SecurityTxtCheck {
    /// The `http_securitytxt` cell of one address from its web observation's fetch
    /// (``SecurityTxtFetch``), judged at the fetch's time against the URL it was found at.
    /// Not tested: no fetch (no HTTPS answer, the task deadline, an observation from before
    /// agents fetched it) or a redirect (Internet.nl follows it, Peil does not). Error: no
    /// answer, or the body of a 200 cut short. Otherwise ``evaluate(_:now:url:)``.
    public static func cell(_ web: WebObservation, address: String) -> StatusCell {
        guard let fetch = web.securityTxt, let last = fetch.exchanges.last else {
            let why = web.https?.status == nil ? "no HTTPS response to GET /"
                : "the observation has no security.txt fetch (measured before agents fetched it, or the task deadline came first)"
            return StatusCell(.notTested, "\(address): \(why)")
        }
        if let redirect = fetch.exchanges.first(where: { ($0.status ?? 0) / 100 == 3 }) {
            let target = redirect.values("Location").first.map { " to \($0)" } ?? ""
            return StatusCell(.notTested, "\(address): \(redirect.url) redirects (\(redirect.status ?? 0))\(target), not followed")
        }
        guard let status = last.status else {
            return StatusCell(.error, "\(address): \(last.url): no answer (\(last.error ?? "-"))")
        }
        if status == 200, let error = last.error {
            return StatusCell(.error, "\(address): \(last.url): body cut short (\(error))")
        }
        let retrieval = SecurityTxtRetrieval(status: status, contentType: last.values("Content-Type").joined(separator: ", "),
                                             foundAtLegacyPath: fetch.exchanges.count > 1 && status == 200, body: fetch.body)
        let result = evaluate(retrieval, now: fetch.fetchedAt, url: status == 200 ? last.url : nil)
        let cut = fetch.bodyTruncated ? ", first \(SecurityTxtFetch.maxBodyBytes / 1024) KiB judged" : ""
        return SubtestCells.cell(result, server: "\(address) \(last.url) (\(status)\(cut))")
    }
}
