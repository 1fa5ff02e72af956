import Foundation

/// The small Python helper the hostile-report test runs (python3 and python3-selenium): it
/// opens one file:// page in headless Chromium through chromedriver and prints what the page
/// became as JSON. Kept here as text (a `.py` file in the test target would be a file SwiftPM
/// does not handle) and written next to the page it checks.
enum DOMCheck {
    /// Writes the helper into `folder` and returns its path.
    static func write(into folder: URL) throws -> String {
        let url = folder.appendingPathComponent("dom-check.py")
        try Data(script.utf8).write(to: url)
        return url.path
    }

    static let script = #"""
#!/usr/bin/env python3
"""Opens one local HTML file in headless Chromium through chromedriver and prints, as JSON,
what the page became: every element's name and how often, every attribute's name and how
often, the href and title values, the document's text, the header's computed border width
(proof that the inline style sheet applied) and the browser's console messages.

Usage: dom-check.py CHROMIUM CHROMEDRIVER FILE_URL [CHROMIUM_FLAG...]

Only a file:// URL is opened; the flags (given by the test) keep Chromium offline.
Exit status 77 when python3-selenium is not installed (the test skips then).
"""
import json
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    print("python3-selenium is not installed (apt-get install python3-selenium)", file=sys.stderr)
    sys.exit(77)

COLLECT = """
const tags = {}, attributes = {}, hrefs = [], titles = [];
for (const element of document.querySelectorAll('*')) {
  tags[element.localName] = (tags[element.localName] || 0) + 1;
  for (const attribute of element.attributes) {
    attributes[attribute.name] = (attributes[attribute.name] || 0) + 1;
    if (attribute.name === 'href') hrefs.push(attribute.value);
    if (attribute.name === 'title') titles.push(attribute.value);
  }
}
const header = document.querySelector('header');
const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
return {
  tags: tags, attributes: attributes, hrefs: hrefs, titles: titles,
  text: document.documentElement.textContent,
  headerBorder: header ? getComputedStyle(header).borderBottomWidth : null,
  policy: policy ? policy.getAttribute('content') : null,
};
"""


def main():
    if len(sys.argv) < 4 or not sys.argv[3].startswith("file://"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    chromium, chromedriver, page, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in flags:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(page)
        result = driver.execute_script(COLLECT)
        result["console"] = [entry.get("message", "") for entry in driver.get_log("browser")]
    finally:
        driver.quit()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
"""#
}
