import Testing

@Test func CairnDAGTargetBuilds() { #expect(Bool(true)) }
