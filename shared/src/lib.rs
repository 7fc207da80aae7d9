//! The VPN shop library: everything the Lambda functions decide lives here.

pub mod app;
pub mod bot;
pub mod checkout;
pub mod config;
pub mod effects;
pub mod health;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod lambda;
pub mod orders;
pub mod outbox;
pub mod panel;
pub mod pay;
pub mod payhooks;
pub mod providers;
pub mod queue;
pub mod refcode;
pub mod sender;
pub mod settle;
pub mod store;
pub mod types;
