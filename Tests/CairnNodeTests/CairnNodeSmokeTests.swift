import Testing

@Test func CairnNodeTargetBuilds() { #expect(Bool(true)) }
