//! anyfetch (skeleton, being written)
