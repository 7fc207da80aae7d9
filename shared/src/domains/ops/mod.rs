//! Running the shop: the alarm forwarder (`alarms`) and the background
//! jobs dispatcher (`jobs`). `/health` probes the stack itself and lives
//! with the adapters (`adapters::health`).

pub mod alarms;
pub mod jobs;
