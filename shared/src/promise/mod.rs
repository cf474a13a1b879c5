//! The delivery promise: when a parcel ships and when it arrives.
//!
//! Static configuration (warehouses, cutoffs, holidays, lanes) says what the
//! merchant intends; learned durations say what carriers actually do. The
//! engine combines both and names every reason that moved a date.

pub mod calendar;
pub mod calibration;
pub mod config;
pub mod engine;
pub mod forecast;
pub mod ics;
pub mod learn;
pub mod shipments;
pub mod survival;
