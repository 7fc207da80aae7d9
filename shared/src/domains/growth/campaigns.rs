//! Ad campaigns: first-touch attribution kept as counters on the
//! campaign's item, each added when its event happens (never a scan).
//! Starts and registrations are counted by the bot as they arrive, trials
//! here, payments inside the crediting transaction.

use crate::adapters::app::App;
use crate::adapters::store::StoreError;

/// Counts a `/start` with a campaign parameter; false when an admin
/// deactivated that campaign (the start is then neither counted nor
/// attributed).
pub async fn count_start(app: &App, param: &str) -> Result<bool, StoreError> {
    app.store.count_campaign_start(param).await
}

/// A campaign's start parameter as an admin types it: what Telegram allows
/// in a start link (A-Z a-z 0-9 _ -, up to 64), and not a referral or promo link.
pub fn valid_param(param: &str) -> bool {
    (1..=64).contains(&param.len())
        && param
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !param.starts_with("ref_")
        && !param.starts_with("promo_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_what_a_start_link_can_carry() {
        assert!(valid_param("vk_ads-nov"));
        assert!(!valid_param("ref_abc"));
        assert!(!valid_param("promo_X"));
        assert!(!valid_param("a b"));
        assert!(!valid_param(&"a".repeat(65)));
    }
}
