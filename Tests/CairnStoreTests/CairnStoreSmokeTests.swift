import Testing

@Test func CairnStoreTargetBuilds() { #expect(Bool(true)) }
