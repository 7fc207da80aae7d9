//! VPN access: the sync worker that makes the panel match DynamoDB
//! (`sync`), the panel's webhooks (`webhook`), reconciliation
//! (`reconcile`), the built-in install guide (`guide`) and the guide a
//! subscriber reads, from the panel's configuration or the built-in one
//! (`subpage`). The panel's API client is `crate::adapters::panel`.
//! See `docs/panel.md`.

pub mod crypt4;
pub mod guide;
pub mod reconcile;
pub mod subpage;
pub mod sync;
pub mod webhook;
