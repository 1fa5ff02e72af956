import Foundation
import Hummingbird
import Report
import Store

/// The pages' frame: the layout, escaping, forms and answers. No external asset and no script:
/// the one style sheet is `/assets/style.css` (the report's own plus a few rules), live
/// progress is a meta refresh. Every value from outside goes through ``text(_:)``.
enum PageHTML {
    /// The pages' Content-Security-Policy: their own style sheet and forms to the server itself,
    /// nothing else (no script, image, font, frame, connection or plugin).
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// The style sheet: the report's, and the pages' navigation and forms.
    static let styleSheet = HTMLReport.styleSheet + """

        nav.top{display:flex;flex-wrap:wrap;gap:14px;align-items:center;padding:8px 0}nav.top form{margin-left:auto}
        form.inline{display:inline}fieldset{border:1px solid #ccc;margin:10px 0;padding:8px 12px}
        label{display:block;margin:4px 0}textarea{width:100%;min-height:8em;font-family:monospace}
        .error{background:#fbe9e7;border-left:4px solid #b3261e;padding:6px 10px}
        progress{width:220px}
        """

    /// `text` safe in elements and quoted attributes: `& < > " '` as character references, and
    /// control characters (but tab and line breaks) as U+FFFD, so none reaches the browser.
    static func text(_ text: String) -> String {
        HTMLReport.escape(withoutControls(text))
    }

    /// `text` with every control character but tab and line breaks as U+FFFD.
    static func withoutControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "\u{FFFD}" : $0 }))
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || (0x7F...0x9F).contains(scalar.value)
    }

    /// A whole page: `body` (already-escaped HTML) under the navigation; `refresh` reloads the
    /// page after that many seconds (live progress without script).
    static func page(_ title: String, _ context: APIContext, refresh: Int? = nil, _ body: String) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + (refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
            + "<title>\(text(title)) · Peil</title><link rel=\"stylesheet\" href=\"\(PageRoutes.stylePath)\"></head><body>"
        html += "<header><nav class=\"top\"><b>Peil</b>"
        if let key = context.key {
            html += "<a id=\"nav-measurements\" href=\"/measurements\">Measurements</a><a id=\"nav-sets\" href=\"/sets\">Sets</a>"
                + "<a id=\"nav-explanations\" href=\"/explanations\">Explanations</a>"
                + "<span id=\"whoami\">key <b>\(text(key.name))</b> (\(text(key.role.rawValue))"
                + (key.tag.map { ", only \(text($0.name))=\(text($0.value))" } ?? "") + ")</span>"
                + form("/logout", id: "logout-form", context, "", button: "Log out", buttonID: "logout")
        }
        html += "</nav><h1>\(text(title))</h1></header><main>\(body)</main></body></html>\n"
        return html
    }

    /// A POST form to `action` with the session's CSRF token, `fields` (escaped HTML) and a submit button.
    static func form(_ action: String, id: String, _ context: APIContext, _ fields: String, button: String, buttonID: String,
                     className: String? = nil) -> String {
        "<form method=\"post\" action=\"\(text(action))\" id=\"\(text(id))\"" + (className.map { " class=\"\(text($0))\"" } ?? "") + ">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"\(text(context.session?.csrfToken ?? ""))\">" + fields
            + "<button type=\"submit\" id=\"\(text(buttonID))\">\(text(button))</button></form>"
    }

    /// A table of already-escaped cells, with an id.
    static func table(id: String, _ header: [String], _ rows: [String], className: String = "numbers") -> String {
        "<div class=\"wide\"><table id=\"\(text(id))\" class=\"\(className)\"><thead><tr>" + header.map { "<th>\(text($0))</th>" }.joined()
            + "</tr></thead><tbody>" + rows.joined() + "</tbody></table></div>"
    }

    /// An HTML answer. Control characters left in it (the report's sections escape markup but
    /// keep them) become U+FFFD here, so no page ever carries one.
    static func response(_ html: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: withoutControls(html))))
    }

    /// 303 to `location` (after a POST: the browser GETs the result).
    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.location] = location
        return Response(status: .seeOther, headers: fields)
    }

    /// An error as a page: its status, message and every problem (`#problems`), in `#error`.
    static func errorResponse(_ error: APIError, context: APIContext) -> Response {
        var body = "<div class=\"error\" id=\"error\"><p id=\"error-message\">\(text(error.message))</p>"
        if !error.problems.isEmpty { body += "<ul id=\"problems\">" + error.problems.map { "<li>\(text($0))</li>" }.joined() + "</ul>" }
        body += "<p><a href=\"/measurements\">Back to the measurements</a></p></div>"
        var headers = error.headers
        headers[.wwwAuthenticate] = nil
        return response(page("\(error.status.code) \(error.status.reasonPhrase)", context, body), status: error.status, headers: headers)
    }

    /// A measurement's name for people: its name, else `#id`.
    static func name(_ info: MeasurementInfo) -> String { info.name ?? "#\(info.id)" }

    /// `yyyy-mm-dd hh:mm` UTC.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
