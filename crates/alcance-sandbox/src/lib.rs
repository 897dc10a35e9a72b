//! alcance-sandbox
