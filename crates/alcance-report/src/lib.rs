//! alcance-report
