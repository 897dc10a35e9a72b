//! Shared helpers for Alcance's end-to-end tests.
