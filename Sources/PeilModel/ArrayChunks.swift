extension Array {
    /// The array cut, in order, into consecutive pieces of `size` elements (the last may be
    /// shorter); none for an empty array.
    public func chunks(of size: Int) -> [ArraySlice<Element>] {
        precondition(size > 0, "a chunk holds at least one element")
        return stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
