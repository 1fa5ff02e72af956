import Lab
import PeilTestSupport
import XCTest

/// The minimal lab of one test class: brought up once before its tests (when running as root)
/// and taken down after them.
final class ClassLab: @unchecked Sendable {
    private let prefix: String
    private var lab: Lab?
    private var failure: Error?

    init(prefix: String) {
        self.prefix = prefix
    }

    /// Call from the class's `setUp()`.
    func up() {
        guard TestRequirements.isMet(.root) else { return }
        let lab = Lab(prefix: prefix)
        do {
            try lab.up()
            self.lab = lab
        } catch {
            failure = error
            try? lab.down()
        }
    }

    /// Call from the class's `tearDown()`.
    func down() {
        try? lab?.down()
        lab = nil
    }

    /// A backbone on the lab; throws when the lab did not come up.
    func backbone() throws -> Backbone {
        if let failure { throw IntegrationError("the lab did not come up: \(failure)") }
        return try Backbone(lab: try XCTUnwrap(lab))
    }
}
