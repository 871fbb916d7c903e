import CairnCore
import CairnDAG
import CairnPrivate
import CairnStore
#if canImport(Glibc)
import Glibc
#endif

extension NodeError {
    /// Converts a lower layer's error into a `NodeError` with the right category; `context` names the operation.
    public static func wrapping(_ error: any Error, context: String) -> NodeError {
        switch error {
        case let error as NodeError:
            return error
        case let error as StoreError:
            return NodeError(code(for: error), "\(context): \(error)", cause: error)
        case let error as DAGError:
            return NodeError(code(for: error), "\(context): \(error)", cause: error)
        case let error as CARError:
            return NodeError(code(for: error), "\(context): \(error)", cause: error)
        case let error as MultiformatError:
            return NodeError(.invalidInput, "\(context): \(error)", cause: error)
        case let error as BlockError:
            return NodeError(.corrupt, "\(context): \(error)", cause: error)
        case let error as PrivateFileError:
            return NodeError(code(for: error), "\(context): \(error)", cause: error)
        case let error as KeyringError:
            return NodeError(code(for: error), "\(context): \(error)", cause: error)
        case let error as CapabilityError:
            return NodeError(.invalidInput, "\(context): \(error)", cause: error)
        default:
            return NodeError(.failed, "\(context): \(error)", cause: error)
        }
    }

    private static func code(for error: PrivateFileError) -> Code {
        switch error {
        case .wrongKey: .accessDenied
        case .invalidKey, .invalidParameters, .input: .invalidInput
        case .notEnoughShares, .tableUnavailable: .notFound
        case .segmentAuthenticationFailed, .segmentOutOfRange, .truncatedSegment, .invalidPadding, .malformedManifest,
             .malformedTable, .shareSizeMismatch, .manifestMismatch: .corrupt
        }
    }

    private static func code(for error: KeyringError) -> Code {
        switch error {
        case .wrongPassphrase: .accessDenied
        case .malformed, .emptyPassphrase: .invalidInput
        case .corrupt: .corrupt
        case .unknownFile: .notFound
        }
    }

    private static func code(for error: StoreError) -> Code {
        switch error {
        case .blockNotFound, .notPinned: .notFound
        case .corruptBlock, .unverifiableBlock, .garbageCollectionAborted: .corrupt
        case .io(_, _, let errno) where errno == ENOSPC || errno == EDQUOT: .diskFull
        default: .failed
        }
    }

    private static func code(for error: DAGError) -> Code {
        switch error {
        case .notFound, .notADirectory, .notAFile: .notFound
        case .rangeOutOfBounds: .invalidInput
        case .io, .unsupportedFileType, .invalidChunker, .invalidEntryName, .duplicateEntry: .invalidInput
        case .blockUnavailable: .notFound
        default: .corrupt
        }
    }

    private static func code(for error: CARError) -> Code {
        switch error {
        case .blockHashMismatch: .corrupt
        default: .invalidInput
        }
    }
}

/// Runs `body`, converting any error into a `NodeError`.
@discardableResult
func mapErrors<T>(_ context: String = "repository", _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw NodeError.wrapping(error, context: context)
    }
}
