//! What the business does, one folder per domain. Domains use `base` and
//! `adapters`, and each other without cycles; none knows the Telegram
//! interface (`bot`).

pub mod access;
pub mod admin;
pub mod error;
pub mod growth;
pub mod messaging;
pub mod money;
pub mod ops;
pub mod renewal;
pub mod schedule;
