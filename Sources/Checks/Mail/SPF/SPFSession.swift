/// One `check_host()` run with its counters. Used by one task only.
final class SPFSession {
    let evaluator: SPFEvaluator
    let ip: IPAddress
    let local: String
    let senderDomain: String
    let helo: String
    var lookups = 0
    var voids = 0
    private var validatedName: String?

    init(evaluator: SPFEvaluator, ip: IPAddress, local: String, senderDomain: String, helo: String) {
        self.evaluator = evaluator
        self.ip = ip
        self.local = local
        self.senderDomain = senderDomain
        self.helo = helo
    }

    private enum Match { case match, noMatch, error(SPFResult, String) }

    private var resolver: any MailResolver { evaluator.resolver }

    /// `check_host(ip, domain, sender)`; `explain` computes `exp=` on fail (not inside include).
    func checkHost(_ domainText: String, explain: Bool) async -> (SPFResult, String, String?) {
        let domain = domainText.hasSuffix(".") ? String(domainText.dropLast()) : domainText
        guard SPFEvaluator.isQueryable(domain, strict: true) else { return (.none, "'\(domainText)' is not a valid domain name", nil) }
        let answer = await resolver.lookup(domain, .txt)
        if case .failure(let why) = answer { return (.temperror, "TXT lookup of \(domain) failed: \(why)", nil) }
        let spf = answer.records.filter(SPFRecord.isSPF)
        guard !spf.isEmpty else { return (.none, "\(domain) has no SPF record", nil) }
        guard spf.count == 1 else { return (.permerror, "\(domain) has \(spf.count) SPF records", nil) }
        let record: SPFRecord
        do { record = try SPFRecord(parsing: spf[0]) } catch { return (.permerror, "\(domain): \(error)", nil) }

        for directive in record.directives {
            switch await evaluate(directive.mechanism, domain: domain) {
            case .noMatch: continue
            case .error(let result, let why): return (result, "\(directive.term): \(why)", nil)
            case .match:
                let result = directive.qualifier.result
                var explanation: String?
                if result == .fail, explain, let exp = record.explanation {
                    explanation = await self.explanation(exp, domain: domain)
                }
                return (result, "\(directive.term) matched", explanation)
            }
        }
        if let redirect = record.redirect {
            guard countLookup() else { return (.permerror, "more than \(evaluator.lookupLimit) DNS lookups at redirect=\(redirect)", nil) }
            let target = SPFEvaluator.targetName(await expand(redirect, domain: domain))
            let (result, reason, explanation) = await checkHost(target, explain: explain)
            if result == .none { return (.permerror, "redirect=\(target): \(reason)", nil) }
            return (result, reason, explanation)
        }
        return (.neutral, "no mechanism matched", nil)
    }

    private func countLookup() -> Bool {
        lookups += 1
        return lookups <= evaluator.lookupLimit
    }

    private func countVoid(_ answer: MailDNSAnswer) -> Bool {
        if answer.isVoid { voids += 1 }
        return voids <= evaluator.voidLookupLimit
    }

    private func evaluate(_ mechanism: SPFMechanism, domain: String) async -> Match {
        if mechanism.costsLookup, !countLookup() {
            return .error(.permerror, "more than \(evaluator.lookupLimit) DNS lookups")
        }
        func target(_ spec: SPFMacroString?) async -> String {
            guard let spec else { return domain }
            return SPFEvaluator.targetName(await expand(spec, domain: domain))
        }
        switch mechanism {
        case .all:
            return .match
        case .ip4(let network, let prefix), .ip6(let network, let prefix):
            return network.contains(ip, prefix: prefix) ? .match : .noMatch
        case .include(let spec):
            let name = await target(spec)
            let (result, reason, _) = await checkHost(name, explain: false)
            switch result {
            case .pass: return .match
            case .fail, .softfail, .neutral: return .noMatch
            case .temperror: return .error(.temperror, reason)
            case .permerror, .none: return .error(.permerror, "include:\(name): \(reason)")
            }
        case .a(let spec, let v4, let v6):
            let name = await target(spec)
            guard SPFEvaluator.isQueryable(name, strict: false) else { return .noMatch }
            return await addressMatch(name, v4: v4, v6: v6, countsVoid: true)
        case .mx(let spec, let v4, let v6):
            let name = await target(spec)
            guard SPFEvaluator.isQueryable(name, strict: false) else { return .noMatch }
            let answer = await resolver.lookup(name, .mx)
            if case .failure(let why) = answer { return .error(.temperror, "MX lookup of \(name) failed: \(why)") }
            guard countVoid(answer) else { return .error(.permerror, "more than \(evaluator.voidLookupLimit) void lookups") }
            let hosts = answer.records.compactMap { record -> String? in
                guard let host = record.split(separator: " ").last.map(String.init) else { return nil }
                let trimmed = host.hasSuffix(".") ? String(host.dropLast()) : host
                return trimmed.isEmpty ? nil : trimmed
            }
            guard answer.records.count <= 10 else { return .error(.permerror, "\(name) has more than 10 MX records") }
            for host in hosts where SPFEvaluator.isQueryable(host, strict: false) {
                let match = await addressMatch(host, v4: v4, v6: v6, countsVoid: false)
                if case .noMatch = match { continue }
                return match
            }
            return .noMatch
        case .ptr(let spec):
            let name = await target(spec).lowercased()
            let answer = await resolver.lookup(ip.reverseName, .ptr)
            if case .failure = answer { return .noMatch }
            guard countVoid(answer) else { return .error(.permerror, "more than \(evaluator.voidLookupLimit) void lookups") }
            for host in answer.records.prefix(10).map(Self.bare) where host == name || host.hasSuffix("." + name) {
                let valid = await validates(host)
                if valid { return .match }
            }
            return .noMatch
        case .exists(let spec):
            let name = await target(spec)
            guard SPFEvaluator.isQueryable(name, strict: false) else { return .noMatch }
            let answer = await resolver.lookup(name, .a)
            if case .failure(let why) = answer { return .error(.temperror, "A lookup of \(name) failed: \(why)") }
            guard countVoid(answer) else { return .error(.permerror, "more than \(evaluator.voidLookupLimit) void lookups") }
            return answer.records.isEmpty ? .noMatch : .match
        }
    }

    private func addressMatch(_ name: String, v4: Int, v6: Int, countsVoid: Bool) async -> Match {
        let answer = await resolver.lookup(name, ip.isIPv4 ? .a : .aaaa)
        if case .failure(let why) = answer { return .error(.temperror, "address lookup of \(name) failed: \(why)") }
        if countsVoid, !countVoid(answer) { return .error(.permerror, "more than \(evaluator.voidLookupLimit) void lookups") }
        let prefix = ip.isIPv4 ? v4 : v6
        let matched = answer.records.contains { IPAddress($0).map { $0.contains(ip, prefix: prefix) } ?? false }
        return matched ? .match : .noMatch
    }

    /// Whether `host`'s addresses include the client (a failed lookup does not).
    private func validates(_ host: String) async -> Bool {
        let answer = await resolver.lookup(host, ip.isIPv4 ? .a : .aaaa)
        return answer.records.contains { IPAddress($0).map { $0 == ip || $0.unmapped == ip } ?? false }
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// `%{p}`: a validated reverse name, preferring the domain itself, then a subdomain of it.
    private func validatedDomain(_ domain: String) async -> String {
        if let validatedName { return validatedName }
        var names: [String] = []
        let answer = await resolver.lookup(ip.reverseName, .ptr)
        for host in answer.records.prefix(10).map(Self.bare) {
            let valid = await validates(host)
            if valid { names.append(host) }
        }
        let lower = domain.lowercased()
        let chosen = names.first { $0 == lower } ?? names.first { $0.hasSuffix("." + lower) } ?? names.first ?? "unknown"
        validatedName = chosen
        return chosen
    }

    func expand(_ spec: SPFMacroString, domain: String) async -> String {
        await spec.expand { letter in await self.value(letter, domain: domain) }
    }

    private func value(_ letter: Character, domain: String) async -> String {
        switch letter {
        case "s": "\(local)@\(senderDomain)"
        case "l": local
        case "o": senderDomain
        case "d": domain
        case "i": ip.macroForm
        case "c": ip.description
        case "p": await validatedDomain(domain)
        case "v": ip.isIPv4 ? "in-addr" : "ip6"
        case "h": helo
        case "r": evaluator.receiver
        case "t": String(evaluator.timestamp)
        default: ""
        }
    }

    /// The `exp=` text (RFC 7208 §6.2); nil when anything about it is unusable.
    private func explanation(_ spec: SPFMacroString, domain: String) async -> String? {
        let name = SPFEvaluator.targetName(await expand(spec, domain: domain))
        guard SPFEvaluator.isQueryable(name, strict: false) else { return nil }
        let records = await resolver.lookup(name, .txt).records
        guard records.count == 1, let text = try? SPFMacroString(parsing: records[0], explanation: true) else { return nil }
        return await expand(text, domain: domain)
    }
}
