//! instagram
