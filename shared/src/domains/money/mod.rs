//! Money: what is sold (`catalog`), orders and the crediting transaction
//! (`orders`), starting a payment (`checkout`, `links`), provider webhooks
//! (`payhooks`, `settle`), what follows a credit (`effects`; the inviter's
//! reward is granted by `adapters::store::rewards`) and refunds (`refunds`).
//! See `docs/payments.md`.

pub mod catalog;
pub mod checkout;
pub mod effects;
pub mod links;
pub mod orders;
pub mod payhooks;
pub mod refunds;
pub mod settle;
