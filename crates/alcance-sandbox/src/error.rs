//! The sandbox's error type.

use std::net::SocketAddr;

use crate::replay::ReplayError;

/// Why the sandbox could not start or stopped serving. Request-level problems are never
/// errors here: they become HTTP answers in the platform's own error envelope.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The listening socket could not be bound (port in use, address not local,
    /// permissions).
    #[error("cannot bind the sandbox to {addr}: {source}")]
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Replay mode: the directory of recorded exchanges could not be loaded (the error
    /// names the file at fault).
    #[error("cannot load the replay directory: {0}")]
    Replay(#[from] ReplayError),
    /// The server failed while serving (accept loop I/O error).
    #[error("the sandbox server failed: {0}")]
    Serve(#[source] std::io::Error),
}
