//! alcance-sandbox
pub mod replay;
