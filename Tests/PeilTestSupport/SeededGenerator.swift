import PeilModel

/// A randomised test's generator: ``SplitMix64``, so a test sees the same values on every run
/// and a failing round can be seen again.
public typealias SeededGenerator = SplitMix64
