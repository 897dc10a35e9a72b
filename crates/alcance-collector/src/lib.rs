//! alcance-collector
