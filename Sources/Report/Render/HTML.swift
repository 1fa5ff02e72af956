/// The page's building blocks: its Content-Security-Policy, tables and inline style sheet
/// (escaping: `Escaping.swift`).
enum HTML {
    /// The page's Content-Security-Policy: nothing may load or run (no scripts, no frames, no
    /// fetches, no images, no fonts); only the inline style sheet and `style` attributes apply.
    /// The inline SVG charts are part of the document and need nothing more.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    /// A table from a header row and body rows of already-escaped HTML cells.
    static func table(_ header: [String], _ rows: [[String]], className: String = "numbers") -> String {
        var html = "<div class=\"wide\"><table class=\"\(className)\"><thead><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</tbody></table></div>"
    }

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0 auto;max-width:1240px;padding:0 16px 40px;color:#222;line-height:1.4}
        header{border-bottom:3px solid #1f5fa8;margin-bottom:12px}
        h1{font-size:1.6em;margin:18px 0 6px}h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:32px}h3{margin:18px 0 6px}
        nav a{margin-right:14px}
        .meta{color:#555;margin:4px 0 10px}
        .note{background:#f4f6f9;border-left:4px solid #1f5fa8;padding:6px 10px;margin:8px 0}
        table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
        th,td{border:1px solid #ddd;padding:3px 7px;vertical-align:top}
        th{background:#f1f3f6;text-align:left}
        table.numbers td{text-align:right;white-space:nowrap}table.numbers td:first-child{text-align:left}
        .pos{color:#1e7b3a}.neg{color:#b3261e}
        .chart,.wide{overflow-x:auto;margin:6px 0 12px}
        table.domains{font-size:11px}
        table.domains th{position:sticky;top:0;writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;padding:6px 2px}
        table.domains th.name{writing-mode:horizontal-tb;transform:none}
        table.domains td{white-space:nowrap;padding:1px 4px;position:relative}
        .s-passed{background:#d9f2e1}.s-failed{background:#f8d3cf}.s-warning{background:#fde9c4}.s-info{background:#e0ebf8}
        .s-not_tested,.s-not_applicable,.s-no_mx{background:#f2f2f2;color:#666}
        .s-error,.s-unreachable,.s-not_testable{background:#e9e1f2}
        details{cursor:pointer}details summary{list-style:none}details summary::-webkit-details-marker{display:none}
        details summary::after{content:" \\25B8";color:#b3261e}details[open] summary::after{content:" \\25BE"}
        details div{white-space:normal;width:max-content;max-width:420px;background:#fff;border:1px solid #b3261e;padding:4px 6px;margin-top:2px}
        table.domains details div{position:absolute;z-index:2;left:0;top:100%;box-shadow:0 2px 6px rgba(0,0,0,.2)}
        details.subtests{margin:4px 0}table.subtests{font-size:12px;margin:4px 0 12px}table.subtests td.evidence{max-width:640px;word-break:break-word}
        footer{margin-top:40px;color:#777;font-size:12px}
        """
}
