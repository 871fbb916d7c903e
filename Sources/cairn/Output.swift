#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import CairnCore
import CairnDaemon
import CairnNode
import Foundation

/// Writing results and errors the way scripts expect: data on stdout, one-line errors on stderr,
/// and an exit code that says what kind of failure happened.
enum Output {
    /// Prints `value` as pretty, key-sorted JSON on stdout (dates in ISO 8601).
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints a line on stdout.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a one-line error on stderr.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("cairn: \(text)\n".utf8))
    }

    /// Writes raw bytes to stdout, retrying short writes; a closed pipe ends the program quietly.
    static func writeRaw(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = write(STDOUT_FILENO, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw ExitCode(0) }
                throw NodeError(.failed, "cannot write to standard output: \(String(cString: strerror(errno)))")
            }
            remaining -= n
            base += n
        }
    }
}

/// Runs a command body, converting errors into a one-line message and a meaningful exit code.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as NodeError {
        Output.error(error.message)
        throw ExitCode(exitStatus(for: error.code))
    } catch let failure as ControlFailure {
        Output.error(failure.message)
        throw ExitCode(exitStatus(for: NodeError.Code(controlCode: failure.code)))
    } catch let error as MultiformatError {
        Output.error("\(error.description); check the CID or address")
        throw ExitCode(2)
    } catch {
        Output.error(String(describing: error))
        throw ExitCode(1)
    }
}

/// The exit code documented in `cairn --help` for each failure category.
func exitStatus(for code: NodeError.Code) -> Int32 {
    switch code {
    case .failed: 1
    case .invalidInput: 2
    case .repository: 3
    case .notFound: 4
    case .corrupt: 5
    case .diskFull: 6
    case .busy: 7
    case .noDaemon: 8
    case .network: 9
    case .accessDenied: 10
    }
}
