import Testing

@Test func CairnCLITargetBuilds() { #expect(Bool(true)) }
