//! Running the shop: `/health` (`health`) and the background jobs
//! dispatcher (`jobs`).

pub mod health;
pub mod jobs;
