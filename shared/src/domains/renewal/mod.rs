//! Auto-renewal with saved YooKassa cards (`YOOKASSA_AUTOPAYMENTS_ENABLED`):
//! a card saved by a successful payment is remembered on the user
//! (`cards`); a day before a subscription ends the user is told their card
//! will be charged, with a button to turn auto-renewal off; an hour before
//! the end the card is charged (`charge`), once per subscription end, by an
//! order whose id (and so YooKassa's `Idempotence-Key`) is derived from the
//! user and that end. A declined charge is retried once a day later, then
//! the ordinary expiry notices take over; a card YooKassa reports revoked
//! or expired is forgotten.
//!
//! Auto-renewal from the balance (`balance`, the user's opt-in) comes
//! first: with it on and the balance covering the price, the same notice
//! goes a day ahead and the balance is debited an hour before the end;
//! otherwise the saved card is charged as above.
//!
//! Nothing is charged that the notice did not name (`charge`), and only a
//! plan still on sale, at today's price (`money::catalog::renewal_price`).

pub mod balance;
pub mod cards;
pub mod charge;
