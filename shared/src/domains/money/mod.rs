//! Money: what is sold (`catalog`), orders and the crediting transaction
//! (`orders`), starting a payment (`checkout`, `links`), provider webhooks
//! (`payhooks`, `settle`) and what follows a credit (`effects`).
//! See `docs/payments.md`.

pub mod catalog;
pub mod checkout;
pub mod effects;
pub mod links;
pub mod orders;
pub mod payhooks;
pub mod settle;
