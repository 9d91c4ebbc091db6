//! Per-version validation (in progress).
