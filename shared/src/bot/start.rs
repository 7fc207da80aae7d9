//! `/start` deep-link parameters.

/// What a `/start <param>` link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartParam {
    /// No parameter.
    None,
    /// `ref_<code>` or `ref_u<code>`: an inviter's referral code, as given
    /// (see [`StartParam::referral_candidates`]).
    Referral(String),
    /// `promo_<CODE>`: a promo code to apply.
    Promo(String),
    /// Anything else: an ad campaign tag (first touch only).
    Campaign(String),
}

/// Parses the text of a `/start` message (`/start`, `/start abc`, `/start@bot abc`).
pub fn parse_start(text: &str) -> Option<StartParam> {
    let mut parts = text.trim().splitn(2, char::is_whitespace);
    let command = parts.next()?;
    let name = command.split('@').next()?;
    if name != "/start" {
        return None;
    }
    let param = parts.next().unwrap_or("").trim();
    Some(classify(param))
}

impl StartParam {
    /// The codes to look up for a referral parameter, in order: the code as
    /// given, then without the `u` of the `ref_u<code>` form.
    pub fn referral_candidates(code: &str) -> Vec<&str> {
        let mut out = vec![code];
        if let Some(rest) = code
            .strip_prefix('u')
            .filter(|c| crate::base::refcode::plausible(c))
        {
            out.push(rest);
        }
        out
    }

    /// The inviter's Telegram id for an old `ref_<telegram id>` link.
    pub fn legacy_referrer(code: &str) -> Option<crate::base::types::TelegramId> {
        code.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(crate::base::types::TelegramId)
    }
}

fn classify(param: &str) -> StartParam {
    // Telegram allows A-Z a-z 0-9 _ - up to 64 characters; anything else is
    // not a link Telegram produced.
    if param.is_empty()
        || param.len() > 64
        || !param
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return StartParam::None;
    }
    if let Some(code) = param.strip_prefix("ref_") {
        return if code.is_empty() {
            StartParam::None
        } else {
            StartParam::Referral(code.to_owned())
        };
    }
    if let Some(code) = param.strip_prefix("promo_") {
        return if code.is_empty() {
            StartParam::None
        } else {
            StartParam::Promo(code.to_uppercase())
        };
    }
    StartParam::Campaign(param.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_start() {
        assert_eq!(parse_start("/start"), Some(StartParam::None));
        assert_eq!(
            parse_start("/start@example_vpn_bot"),
            Some(StartParam::None)
        );
        assert_eq!(parse_start("/help"), None);
        assert_eq!(parse_start("/starter"), None);
    }

    #[test]
    fn referral_forms() {
        assert_eq!(
            parse_start("/start ref_abcd2345xy"),
            Some(StartParam::Referral("abcd2345xy".into()))
        );
        assert_eq!(
            parse_start("/start ref_uabcd2345xy"),
            Some(StartParam::Referral("uabcd2345xy".into()))
        );
        assert_eq!(
            StartParam::referral_candidates("uabcd2345xy"),
            vec!["uabcd2345xy", "abcd2345xy"]
        );
        assert_eq!(StartParam::referral_candidates("abcd"), vec!["abcd"]);
        assert_eq!(
            StartParam::legacy_referrer("42"),
            Some(crate::base::types::TelegramId(42))
        );
        assert_eq!(StartParam::legacy_referrer("4a2"), None);
        assert_eq!(
            parse_start("/start ref_42"),
            Some(StartParam::Referral("42".into()))
        );
        assert_eq!(parse_start("/start ref_"), Some(StartParam::None));
    }

    #[test]
    fn promo_and_campaign() {
        assert_eq!(
            parse_start("/start promo_spring25"),
            Some(StartParam::Promo("SPRING25".into()))
        );
        assert_eq!(
            parse_start("/start@bot vk_ads-nov"),
            Some(StartParam::Campaign("vk_ads-nov".into()))
        );
        assert_eq!(parse_start("/start bad<param>"), Some(StartParam::None));
    }
}
