// swift-tools-version:6.1
import PackageDescription

/// Peil: a distributed scanner for the Internet.nl standards.
///
/// Layering, bottom to top. Every target, with exactly the targets it depends on (the list
/// below declares the same; Swift packages aside):
///
///     CZeroMQ CLDNS CUnbound COpenSSL CLibPQ CIDN2        C shims over Debian's -dev packages
///     CEpoll                                              Linux's epoll (glibc; Swift's Glibc module lacks it)
///     PeilModel    → CIDN2                                pure values
///     Checks       → PeilModel                            verdict rules, no I/O
///     Probes       → PeilModel CUnbound CLDNS COpenSSL    network I/O towards measured targets
///     Wire         → PeilModel CZeroMQ                    coordinator–agent transport
///     Store        → PeilModel CLibPQ                     PostgreSQL
///     DANE         → PeilModel Checks COpenSSL            TLSA matching, DANE verdicts
///     Report       → PeilModel                            reports (writes files only)
///     LabEndpoints → COpenSSL CEpoll                      the lab's endpoint server
///     Lab          → PeilModel LabEndpoints CLDNS         the lab (zones signed with libldns)
///     Verdicts     → PeilModel Checks DANE Store Report Lab   verdict assembly from stored observations
///     Coordinator  → PeilModel Wire Store                 role
///     Agent        → PeilModel Wire Probes                role
///     Telemetry    (swift-metrics, Prometheus, NIO only)  /metrics and /health over HTTP
///     Serve        → PeilModel Checks Store Verdicts Report COpenSSL (Hummingbird, HummingbirdTLS)   `peil serve`: the JSON API, the pages
///     peil         → every target above but the shims     the one executable
///
/// Checks and Probes do not know each other: what a probe needs from the rules (the mail
/// follow-up questions, the cipher-order lists) is a value the caller passes in
/// (`FollowUpQuestions`, `CipherOrderPlan`), and `peil` wires the Checks implementation in.
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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // Without the default trait ConfigurationSupport: Peil reads no swift-configuration
        // `ConfigReader`, so that package is not built (docs/DEPENDENCIES.md).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
    ],
    targets: [
        // System libraries from Debian's -dev packages.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CLDNS", providers: [.apt(["libldns-dev"])]),
        .systemLibrary(name: "CUnbound", providers: [.apt(["libunbound-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CIDN2", providers: [.apt(["libidn2-dev"])]),
        .systemLibrary(name: "CEpoll"),

        // Pure values: domains, sets, tasks, observations, status words, the TLS cipher-suite registry.
        .target(name: "PeilModel", dependencies: ["CIDN2"]),
        // All network I/O towards measured targets (not Checks: the rules it needs are passed in).
        .target(name: "Probes", dependencies: ["PeilModel", "CUnbound", "CLDNS", "COpenSSL"]),
        // ZeroMQ transport and the coordinator–agent protocol.
        .target(name: "Wire", dependencies: ["PeilModel", "CZeroMQ"]),
        // PostgreSQL: migrations, sets, measurements, tasks, results.
        // The SQL migrations are compiled into the binary, never read from a folder at run time.
        .target(name: "Store", dependencies: ["PeilModel", "CLibPQ"], resources: [.embedInCode("Migrations")]),
        // Roles.
        .target(name: "Coordinator", dependencies: [
            "PeilModel", "Wire", "Store",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Agent", dependencies: [
            "PeilModel", "Wire", "Probes",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Metrics in Prometheus text format and a health answer over a small NIO HTTP/1.1 listener.
        .target(name: "Telemetry", dependencies: [
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The lab's endpoint server (web and mail over OpenSSL) and its certificates.
        .target(name: "LabEndpoints", dependencies: ["COpenSSL", "CEpoll"]),
        .target(name: "Lab", dependencies: ["PeilModel", "LabEndpoints", "CLDNS"]),
        // Verdict rules: pure functions from observations to subtest statuses (no I/O).
        .target(name: "Checks", dependencies: ["PeilModel"]),
        // DANE: TLSA records, matching through OpenSSL's DANE support, the DANE verdicts.
        .target(name: "DANE", dependencies: ["COpenSSL", "PeilModel", "Checks"]),
        // Reports: adoption per set, layer and baseline, suppliers; HTML/SVG, CSV, JSON, Markdown (no I/O but writing files).
        .target(name: "Report", dependencies: ["PeilModel"]),
        // Verdict assembly: a measurement's stored observations, read once, judged under a rule set
        // into bulk columns; `peil results`' formats; the inputs of `peil report` (no argument parsing).
        .target(name: "Verdicts", dependencies: ["PeilModel", "Checks", "DANE", "Store", "Report", "Lab"]),
        // `peil serve`: the JSON API and the dashboard's pages over the store, Hummingbird on SwiftNIO (TLS: swift-nio-ssl).
        .target(name: "Serve", dependencies: [
            "PeilModel", "Checks", "Store", "Verdicts", "Report", "COpenSSL",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("openapi.json")]),
        // The one executable.
        .executableTarget(name: "peil", dependencies: [
            "PeilModel", "Store", "Wire", "Probes", "Coordinator", "Agent", "Lab", "LabEndpoints", "Checks", "DANE", "Report", "Verdicts", "Telemetry", "Serve",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),

        // Test support (only test targets depend on it): one process runner, one temporary
        // database, the repository and ../shared (PEIL_SHARED), requirement checks.
        .target(name: "PeilTestSupport", dependencies: ["PeilModel", "Store", "Lab"], path: "Tests/PeilTestSupport"),

        .testTarget(name: "PeilModelTests", dependencies: ["PeilModel", "PeilTestSupport"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "PeilTestSupport"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "Coordinator", "Agent", "Store", "PeilModel", "PeilTestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "Probes", "PeilModel", "Wire", "LabEndpoints"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "Agent", "Probes", "Store", "PeilTestSupport", "Wire", "PeilModel", "Telemetry",
                                                           .product(name: "Logging", package: "swift-log"),
                                                           .product(name: "Metrics", package: "swift-metrics")]),
        .testTarget(name: "StoreTests", dependencies: ["PeilTestSupport", "Store"]),
        .testTarget(name: "ProbesTests", dependencies: ["PeilTestSupport", "Probes", "Lab"]),
        .testTarget(name: "ProbesTLSTests", dependencies: ["PeilTestSupport", "Probes", "Checks", "PeilModel"]),
        .testTarget(name: "LabTests", dependencies: ["PeilTestSupport", "Lab", "LabEndpoints", "Checks"]),
        .testTarget(name: "IntegrationTests", dependencies: ["PeilTestSupport", "Store", "Lab", "LabEndpoints", "Wire", "PeilModel"]),
        .testTarget(name: "ChecksWebTests", dependencies: ["PeilTestSupport", "Checks", "PeilModel"]),
        .testTarget(name: "ChecksRPKITests", dependencies: ["PeilTestSupport", "Checks", "PeilModel"]),
        .testTarget(name: "ChecksDANETests", dependencies: ["PeilTestSupport", "DANE", "Checks", "PeilModel"]),
        .testTarget(name: "VerdictsTests", dependencies: ["PeilTestSupport", "Verdicts", "Checks", "Store", "Lab", "PeilModel", "Report"],
                    exclude: ["Resources"]),
        .testTarget(name: "ReportTests", dependencies: ["PeilTestSupport", "Report", "Store", "Lab", "Checks", "PeilModel"]),
        .testTarget(name: "ServeTests", dependencies: [
            "PeilTestSupport", "Serve", "Store", "PeilModel",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "ChecksMailTests", dependencies: ["PeilTestSupport", "Checks", "PeilModel", .product(name: "Yams", package: "Yams")]),
    ]
)

// Fuzz targets (docs/FUZZING.md): one executable per parser of network input, declared only when
// `ops/fuzz` builds them (PEIL_FUZZ=1, build path .build-fuzz, `-sanitize=fuzzer,address`), so the
// normal `swift build`/`swift test` neither builds them nor sees libFuzzer's flags. Each target's
// main.swift exports `LLVMFuzzerTestOneInput` (`@_cdecl`) and hands the command line to libFuzzer
// (`FuzzDriver`, a C call of `LLVMFuzzerRunDriver`).
if Context.environment["PEIL_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzWireMessage", ["Wire", "PeilModel"]),
        ("FuzzTLSServerHello", ["Probes", "PeilModel"]),
        ("FuzzDNSAnswer", ["Probes"]),
        ("FuzzHTTPHead", ["Probes"]),
        ("FuzzSMTPReply", ["Probes"]),
        ("FuzzSPF", ["Checks"]),
        ("FuzzDMARC", ["Checks"]),
        ("FuzzHSTS", ["Checks"]),
        ("FuzzCSP", ["Checks"]),
        ("FuzzTLSA", ["DANE"]),
    ]
    package.targets.append(.target(name: "FuzzDriver", path: "Fuzz/FuzzDriver"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: target.name, dependencies: target.dependencies + ["FuzzDriver"],
            path: "Fuzz/\(target.name)", exclude: ["seeds"]
        ))
    }
}
