//! VPN access on the Remnawave 3.x panel: the API client, the sync worker
//! that makes the panel match DynamoDB, the panel's webhooks, and admin
//! reconciliation (`/sync`). See `docs/panel.md`.

pub mod client;
pub mod reconcile;
pub mod sync;
pub mod webhook;
