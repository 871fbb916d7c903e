import CairnStorage
import Testing

@Suite struct StorageModuleTests {
    @Test func protocolIDIsVersioned() {
        #expect(CairnStorage.protocolID.hasSuffix("/\(CairnStorage.protocolVersion).0.0"))
    }
}
