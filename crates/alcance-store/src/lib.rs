//! alcance-store
