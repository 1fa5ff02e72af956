// swift-tools-version:6.0
import PackageDescription

/// Peil: a distributed scanner for the Internet.nl standards.
/// Layering (bottom to top): C shims → PeilModel (pure values) → Probes / Wire / Store (I/O)
/// → Coordinator / Agent / Lab (roles) → `peil` (thin executable).
let package = Package(
    name: "Peil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "peil", targets: ["peil"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        // System libraries from Debian's -dev packages.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CLDNS", providers: [.apt(["libldns-dev"])]),
        .systemLibrary(name: "CUnbound", providers: [.apt(["libunbound-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CIDN2", providers: [.apt(["libidn2-dev"])]),

        // Pure values: domains, sets, tasks, observations, status words.
        .target(name: "PeilModel", dependencies: ["CIDN2"]),
        // All network I/O towards measured targets.
        .target(name: "Probes", dependencies: ["PeilModel", "Checks", "CUnbound", "CLDNS", "COpenSSL"]),
        // ZeroMQ transport and the coordinator–agent protocol.
        .target(name: "Wire", dependencies: ["PeilModel", "CZeroMQ"]),
        // PostgreSQL: migrations, sets, measurements, tasks, results.
        // The SQL migrations are compiled into the binary, never read from a folder at run time.
        .target(name: "Store", dependencies: ["PeilModel", "CLibPQ"], resources: [.embedInCode("Migrations")]),
        // Roles.
        .target(name: "Coordinator", dependencies: [
            "PeilModel", "Wire", "Store",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Agent", dependencies: [
            "PeilModel", "Wire", "Probes",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The lab's endpoint server (web and mail over OpenSSL) and its certificates.
        .target(name: "LabEndpoints", dependencies: ["COpenSSL"]),
        .target(name: "Lab", dependencies: ["PeilModel", "LabEndpoints"]),
        // Verdicts: pure functions from observations to subtest statuses (no I/O).
        .target(name: "Checks", dependencies: ["PeilModel"]),
        // DANE: TLSA records, matching through OpenSSL's DANE support, the DANE verdicts.
        .target(name: "DANE", dependencies: ["COpenSSL", "PeilModel", "Checks"]),
        // Reports: adoption per set, layer and baseline, suppliers; HTML/SVG, CSV, JSON, Markdown (no I/O but writing files).
        .target(name: "Report", dependencies: ["PeilModel"]),
        // The one executable.
        .executableTarget(name: "peil", dependencies: [
            "PeilModel", "Store", "Wire", "Probes", "Coordinator", "Agent", "Lab", "LabEndpoints", "Checks", "DANE", "Report",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // Test support (only test targets depend on it): one process runner, one temporary
        // database, the repository and ../shared (PEIL_SHARED), requirement checks.
        .target(name: "PeilTestSupport", dependencies: ["Store", "Lab"], path: "Tests/PeilTestSupport"),

        .testTarget(name: "PeilModelTests", dependencies: ["PeilModel", "PeilTestSupport"]),
        .testTarget(name: "WireTests", dependencies: ["Wire"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Probes", "PeilModel"]),
        .testTarget(name: "StoreTests", dependencies: ["PeilTestSupport", "Store"]),
        .testTarget(name: "ProbesTests", dependencies: ["PeilTestSupport", "Probes", "Lab"]),
        .testTarget(name: "ProbesTLSTests", dependencies: ["PeilTestSupport", "Probes", "Checks", "PeilModel"]),
        .testTarget(name: "LabTests", dependencies: ["PeilTestSupport", "Lab", "Checks"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PeilTestSupport", "Store", "Lab", "Wire", "PeilModel"]),
        .testTarget(name: "ChecksWebTests", dependencies: ["PeilTestSupport", "Checks", "PeilModel"]),
        .testTarget(name: "ChecksDANETests", dependencies: ["PeilTestSupport", "DANE", "Checks", "PeilModel"]),
        .testTarget(name: "ReportTests", dependencies: ["PeilTestSupport", "Report", "Store", "Lab", "Checks", "PeilModel"]),
        .testTarget(name: "ChecksMailTests", dependencies: ["PeilTestSupport", "Checks", "PeilModel", .product(name: "Yams", package: "Yams")]),
    ]
)
