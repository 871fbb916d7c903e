import Testing

@Test func CairnInteropTargetBuilds() { #expect(Bool(true)) }
