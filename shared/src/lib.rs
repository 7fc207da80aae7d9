//! The VPN shop library: everything the Lambda functions decide lives here.

pub mod app;
pub mod bot;
pub mod config;
pub mod health;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod lambda;
pub mod outbox;
pub mod panel;
pub mod pay;
pub mod queue;
pub mod refcode;
pub mod sender;
pub mod store;
pub mod types;
