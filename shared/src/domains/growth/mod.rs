//! Growth: promo codes, referral rewards beyond the crediting transaction,
//! and ad campaigns' counters.

pub mod campaigns;
pub mod promo;
