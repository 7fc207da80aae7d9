//! VPN access: the sync worker that makes the panel match DynamoDB
//! (`sync`), the panel's webhooks (`webhook`) and reconciliation
//! (`reconcile`), the built-in install guide (`guide`). The panel's API client is `crate::adapters::panel`.
//! See `docs/panel.md`.

pub mod guide;
pub mod reconcile;
pub mod sync;
pub mod webhook;
