import Foundation
import FuzzDriver
import PeilModel
import Probes

/// libFuzzer entry: a server's answer to a ClientHello as the scanner reads it. The first byte
/// picks how the bytes arrive (with or without reading the flight to the ServerHelloDone, the
/// chunk size, a small size limit); the rest is what the server sent, fed to
/// `ServerHelloReader` in chunks and closed. Every ServerHello read is then used as the scan
/// uses it (version, sentinel, retry), and a ServerKeyExchange in the flight is parsed for
/// the hello's suite; the bytes are also given to `ServerHello.parse` and
/// `ServerKeyExchange.parse` directly. Reading in chunks must give what reading at once gives.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTLSServerHello(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = input.first else { return 0 }
    let stream = Array(input.dropFirst())
    let readFlight = mode & 0x80 != 0
    let limit = mode & 0x40 != 0 ? 64 + Int(mode & 0x0F) * 16 : 65_536
    let chunk = Int(mode & 0x3F) + 1

    var reader = ServerHelloReader(limit: limit, readFlight: readFlight)
    var start = 0
    while start < stream.count, reader.result == nil {
        reader.feed(stream[start..<min(start + chunk, stream.count)])
        start += chunk
    }
    // The reader is pure: the same bytes give the same outcome however they are split.
    var whole = ServerHelloReader(limit: limit, readFlight: readFlight)
    whole.feed(stream)
    guard whole.finish() == reader.finish(), whole.flight == reader.flight, whole.serverHello == reader.serverHello else {
        fatalError("ServerHelloReader: \(String(describing: reader.finish())) in chunks of \(chunk), \(String(describing: whole.finish())) at once")
    }
    if case .success(.serverHello(let hello))? = reader.finish() {
        use(hello)
        if let body = reader.flight.serverKeyExchange, let version = hello.negotiatedVersion {
            _ = ServerKeyExchange.parse(body, suite: hello.cipherSuite, version: version)?.keyExchange
        }
        _ = reader.flight.certificates.count
    }

    if case .success(let hello) = ServerHello.parse(stream) { use(hello) }
    if stream.count >= 2 {
        let suite = UInt16(stream[0]) << 8 | UInt16(stream[1])
        for version in TLSVersion.allCases {
            _ = ServerKeyExchange.parse(Array(stream.dropFirst(2)), suite: suite, version: version)?.keyExchange
        }
    }
    return 0
}

private func use(_ hello: ServerHello) {
    _ = hello.negotiatedVersion
    _ = hello.hasDowngradeSentinel
    _ = hello.isHelloRetryRequest
    _ = hello.extendedMasterSecret
}

exit(peil_fuzz_main(CommandLine.argc, CommandLine.unsafeArgv))
