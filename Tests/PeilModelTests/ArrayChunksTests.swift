import PeilModel
import Testing

@Suite("Array chunks")
struct ArrayChunksTests {
    @Test func piecesInOrderTheLastShorter() {
        #expect(Array(1...7).chunks(of: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(Array(1...6).chunks(of: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6]])
        #expect([5].chunks(of: 128).map(Array.init) == [[5]])
        #expect([Int]().chunks(of: 3).isEmpty)
    }
}
