import Testing

@Test func CairnCoreTargetBuilds() { #expect(Bool(true)) }
