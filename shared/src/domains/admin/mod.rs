//! The operator's desk: what admins may do to users, with every change
//! recorded in the audit log and the panel brought along through the sync
//! queue; the business counters and the chart drawn from them.
//!
//! Nothing here checks who is asking: the bot authorises every action
//! (`config.admin(id)` and a proven origin) at the moment it runs and
//! passes the admin's id in.

pub mod audit;
pub mod broadcast;
pub mod chart;
pub mod stats;
pub mod users;
