//! Native tools around the shared domain logic. The backtest replays real
//! deliveries through the promise engine's learner, walking forward in time.

pub mod backtest;
pub mod deliveries;
pub mod load;
