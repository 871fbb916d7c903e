import CairnNode

extension ControlFailure {
    /// The failure a daemon reports for `error`: a `NodeError` keeps its category.
    public init(_ error: any Error) {
        if let failure = error as? ControlFailure {
            self = failure
        } else if let node = error as? NodeError {
            self.init(code: node.code.controlName, message: node.message)
        } else {
            self.init(code: "failed", message: "\(error)")
        }
    }
}

extension NodeError.Code {
    /// The name used for this category in control API error lines.
    public var controlName: String {
        switch self {
        case .repository: "repository"
        case .invalidInput: "invalidInput"
        case .notFound: "notFound"
        case .corrupt: "corrupt"
        case .diskFull: "diskFull"
        case .busy: "busy"
        case .noDaemon: "daemon"
        case .network: "network"
        case .accessDenied: "accessDenied"
        case .failed: "failed"
        }
    }

    /// The category named `controlName` in a control API error line (`failed` for unknown names).
    public init(controlCode: String) {
        switch controlCode {
        case "repository": self = .repository
        case "invalidInput": self = .invalidInput
        case "notFound": self = .notFound
        case "corrupt": self = .corrupt
        case "diskFull": self = .diskFull
        case "busy": self = .busy
        case "accessDenied": self = .accessDenied
        case "daemon": self = .noDaemon
        case "network": self = .network
        default: self = .failed
        }
    }
}
