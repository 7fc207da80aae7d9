//! The VPN shop library: everything the Lambda functions decide lives here.
//!
//! Four layers, each folder one layer; a module may use its own layer and
//! the layers below it, never one above (`tests/layers.rs` keeps this true):
//!
//! ```text
//! bot       the Telegram interface: updates, screens, commands
//! domains   what the business does: money, VPN access, messaging, operations
//! adapters  the outside world: the table, the queues, the HTTP edge, providers, the panel
//! base      values and settings: types, configuration, texts, formatting (no IO)
//! ```

pub mod base;

pub mod adapters;

pub mod domains;

pub mod bot;
