//! Tests only: see `tests/idna.rs`.
