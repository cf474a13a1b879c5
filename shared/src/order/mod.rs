//! Orders and the promises they carry: the FTC option workflow (`ftc`).

pub mod ftc;
