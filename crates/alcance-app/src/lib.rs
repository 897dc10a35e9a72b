//! alcance-app
