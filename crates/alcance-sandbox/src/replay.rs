//! Replay of recorded exchanges (being written; see the interface in the sandbox docs).
