//! Running the shop: the alarm forwarder (`alarms`), `/health` (`health`) and the background jobs
//! dispatcher (`jobs`).

pub mod alarms;
pub mod health;
pub mod jobs;
