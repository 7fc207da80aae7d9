//! Tribute subscriptions: webhooks signed with HMAC-SHA256 over the raw
//! body, keyed with the API key, hex in the `trbt-signature` header.
//!
//! Tribute sends no event id; [`TributeEvent::dedup_key`] builds one from
//! the event name, its creation time and the payload's ids, which stay the
//! same when Tribute delivers the event again.
//!
//! Which of our periods a subscription buys ([`period_of`]):
//! 1. the payload's `period` word: `monthly` → 1 month, `quarterly` → 3,
//!    `halfyearly` → 6, `yearly`/`annual` → 12 (a few spellings of each);
//! 2. otherwise, when the charge is in RUB and exactly one period that has a
//!    Tribute link (`TRIBUTE_LINK_*`) costs that much (`RUB_PRICE_*`, list
//!    `price` or charged `amount`), that period;
//! 3. otherwise none: the handler flags the event to the admins instead of
//!    guessing a length of service.

use super::{Money, PayError, Verified, hex_eq, wire};
use crate::base::config::{PlanConfig, Tribute};
use crate::base::types::{Period, TelegramId};
use serde_json::Value;

/// The header that carries the webhook signature.
pub const SIGNATURE_HEADER: &str = "trbt-signature";

/// A subscription as a subscription event reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TributeSubscription {
    /// The subscription's name in Tribute.
    pub subscription_name: String,
    /// Tribute's subscription id.
    pub subscription_id: u64,
    /// Tribute's id of the subscription period (price option).
    pub period_id: Option<u64>,
    /// The period word, e.g. `monthly`.
    pub period: Option<String>,
    /// List price, in minor units of `amount`'s currency.
    pub price: Option<Money>,
    /// Amount charged, minor units, currency upper-cased (`eur` → `EUR`).
    pub amount: Money,
    /// Tribute's user id.
    pub user_id: Option<u64>,
    /// The subscriber.
    pub telegram_user_id: TelegramId,
    /// Tribute's channel id.
    pub channel_id: Option<u64>,
    /// The channel's name.
    pub channel_name: Option<String>,
    /// End of the paid time.
    pub expires_at: Option<String>,
    /// Why it was cancelled (cancellations).
    pub cancel_reason: Option<String>,
    /// `regular`, `gift` or `trial` when Tribute says.
    pub subscription_type: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TributeKind {
    /// A subscription was bought (`new_subscription`).
    NewSubscription(TributeSubscription),
    /// A subscription was renewed and charged (`renewed_subscription`).
    RenewedSubscription(TributeSubscription),
    /// A subscription was cancelled (`cancelled_subscription`): it runs to `expires_at`.
    CancelledSubscription(TributeSubscription),
    /// Any other event (donations, physical orders...): nothing to do.
    Other,
}

/// A webhook event, proven authentic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TributeEvent {
    /// The event name as sent.
    pub name: String,
    /// When Tribute created the event (same on every delivery).
    pub created_at: String,
    /// When this delivery was sent.
    pub sent_at: Option<String>,
    /// What happened.
    pub kind: TributeKind,
}

impl TributeEvent {
    /// The subscription, for subscription events.
    pub fn subscription(&self) -> Option<&TributeSubscription> {
        match &self.kind {
            TributeKind::NewSubscription(s)
            | TributeKind::RenewedSubscription(s)
            | TributeKind::CancelledSubscription(s) => Some(s),
            TributeKind::Other => None,
        }
    }

    /// A key that is the same for every delivery of this event and differs
    /// between events: `tribute:<name>:<created_at>:<subscription>:<period>:<user>`.
    pub fn dedup_key(&self) -> String {
        match self.subscription() {
            Some(s) => format!(
                "tribute:{}:{}:{}:{}:{}",
                self.name,
                self.created_at,
                s.subscription_id,
                s.period_id.map_or_else(String::new, |p| p.to_string()),
                s.telegram_user_id.0
            ),
            None => format!("tribute:{}:{}", self.name, self.created_at),
        }
    }
}

/// Lower-case hex HMAC-SHA256 of `body` keyed with the API key's UTF-8 bytes.
pub fn signature(api_key: &str, body: &[u8]) -> String {
    wire::hmac_sha256_hex(api_key.as_bytes(), body)
}

/// Proves a webhook by its signature over the raw bytes received (hex,
/// constant time, case ignored), then reads it. `NotAuthentic` for a
/// missing or wrong signature; `Unreadable` for an authentic body we
/// cannot read.
pub fn verify_webhook(
    cfg: &Tribute,
    body: &[u8],
    signature_header: Option<&str>,
) -> Result<Verified<TributeEvent>, PayError> {
    let given = signature_header
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| PayError::NotAuthentic(format!("tribute: no {SIGNATURE_HEADER} header")))?;
    if !hex_eq(&signature(&cfg.api_key, body), given) {
        return Err(PayError::NotAuthentic(
            "tribute: signature does not match the body".into(),
        ));
    }
    let event = parse_event(body).map_err(|e| PayError::Unreadable(e.to_string()))?;
    Ok(Verified::trust(event))
}

fn malformed(what: &str) -> PayError {
    PayError::Malformed(format!("tribute: {what}"))
}

fn uint(v: &Value) -> Option<u64> {
    wire::id_text(v).and_then(|s| s.parse().ok())
}

fn parse_event(body: &[u8]) -> Result<TributeEvent, PayError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| malformed("body is not JSON"))?;
    let name = v["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| malformed("event without name"))?
        .to_owned();
    let created_at = v["created_at"]
        .as_str()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| malformed("event without created_at"))?
        .to_owned();
    let sent_at = v["sent_at"].as_str().map(str::to_owned);
    let kind = match name.as_str() {
        "new_subscription" => TributeKind::NewSubscription(parse_subscription(&v["payload"])?),
        "renewed_subscription" => {
            TributeKind::RenewedSubscription(parse_subscription(&v["payload"])?)
        }
        "cancelled_subscription" => {
            TributeKind::CancelledSubscription(parse_subscription(&v["payload"])?)
        }
        _ => TributeKind::Other,
    };
    Ok(TributeEvent {
        name,
        created_at,
        sent_at,
        kind,
    })
}

fn parse_subscription(p: &Value) -> Result<TributeSubscription, PayError> {
    let text = |k: &str| p[k].as_str().map(str::to_owned);
    let currency = p["currency"]
        .as_str()
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphabetic()))
        .ok_or_else(|| malformed("subscription without currency"))?
        .to_ascii_uppercase();
    if Money::from_minor(0, &currency).is_none() {
        return Err(malformed(&format!("currency {currency:?}")));
    }
    let money = |k: &str| {
        p[k].as_u64()
            .and_then(|minor| Money::from_minor(minor, &currency))
    };
    let amount =
        money("amount").ok_or_else(|| malformed("amount is not a whole number of minor units"))?;
    let telegram_user_id = p["telegram_user_id"]
        .as_i64()
        .filter(|id| *id > 0)
        .ok_or_else(|| malformed("subscription without telegram_user_id"))?;
    Ok(TributeSubscription {
        subscription_name: text("subscription_name").unwrap_or_default(),
        subscription_id: uint(&p["subscription_id"])
            .ok_or_else(|| malformed("subscription without subscription_id"))?,
        period_id: uint(&p["period_id"]),
        period: text("period").filter(|s| !s.is_empty()),
        price: money("price"),
        amount,
        user_id: uint(&p["user_id"]),
        telegram_user_id: TelegramId(telegram_user_id),
        channel_id: uint(&p["channel_id"]),
        channel_name: text("channel_name"),
        expires_at: text("expires_at"),
        cancel_reason: text("cancel_reason"),
        subscription_type: text("type"),
    })
}

/// Our period for a Tribute period word (`monthly`, `quarterly`,
/// `halfyearly`, `yearly`...); `None` for words we do not know.
pub fn period_from_word(word: &str) -> Option<Period> {
    let w: String = word
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect();
    match w.as_str() {
        "monthly" | "month" | "1month" | "onemonth" => Some(Period::OneMonth),
        "quarterly" | "quarter" | "3months" | "3month" | "threemonths" => Some(Period::ThreeMonths),
        "halfyearly" | "halfyear" | "semiannual" | "semiannually" | "6months" | "6month"
        | "sixmonths" => Some(Period::SixMonths),
        "yearly" | "annual" | "annually" | "year" | "12months" | "12month" | "twelvemonths" => {
            Some(Period::TwelveMonths)
        }
        _ => None,
    }
}

/// Which of our periods a subscription event buys (see the module notes for
/// the rule); `None` for other events and for subscriptions that match no
/// period unambiguously.
pub fn period_of(event: &TributeEvent, plans: &[PlanConfig]) -> Option<Period> {
    let s = event.subscription()?;
    if let Some(p) = s.period.as_deref().and_then(period_from_word) {
        return Some(p);
    }
    // Matched by price only when charged in rubles.
    let charged = [
        Some(s.amount.as_rub()?),
        s.price.as_ref().and_then(Money::as_rub),
    ];
    let mut matching = plans.iter().filter(|plan| {
        plan.tribute_link.is_some()
            && plan
                .rub_price
                .is_some_and(|price| charged.contains(&Some(price)))
    });
    match (matching.next(), matching.next()) {
        (Some(plan), None) => Some(plan.period),
        _ => None,
    }
}

/// Which of the operator's Tribute products a paid subscription event is,
/// as one of our periods; `Err` says why it is none (not credited, flagged).
/// The subscription must be one of `TRIBUTE_SUBSCRIPTION_IDS` (and of
/// `TRIBUTE_CHANNEL_ID` when set), its period one we map (by
/// `TRIBUTE_PERIOD_ID_*`, else by Tribute's period word or price), and the
/// amount exactly the configured price: `TRIBUTE_PRICE_*`, else the
/// period's ruble price.
pub fn product_of(
    event: &TributeEvent,
    cfg: &Tribute,
    plans: &[PlanConfig],
) -> Result<Period, String> {
    let s = event.subscription().ok_or("not a subscription event")?;
    let seen = format!(
        "subscription_id {}, period_id {}, channel_id {}, {}",
        s.subscription_id,
        s.period_id.map_or("-".into(), |p| p.to_string()),
        s.channel_id.map_or("-".into(), |c| c.to_string()),
        s.amount,
    );
    if !cfg.subscription_ids.contains(&s.subscription_id) {
        return Err(format!("not one of TRIBUTE_SUBSCRIPTION_IDS ({seen})"));
    }
    if let Some(channel) = cfg.channel_id
        && s.channel_id != Some(channel)
    {
        return Err(format!("not TRIBUTE_CHANNEL_ID {channel} ({seen})"));
    }
    let period = if cfg.period_ids.is_empty() {
        period_of(event, plans).ok_or_else(|| format!("matches no period ({seen})"))?
    } else {
        cfg.period_ids
            .iter()
            .find(|(_, id)| Some(*id) == s.period_id)
            .map(|(p, _)| *p)
            .ok_or_else(|| format!("period_id is none of TRIBUTE_PERIOD_ID_* ({seen})"))?
    };
    let expected = cfg
        .prices
        .iter()
        .find(|(p, _, _)| *p == period)
        .and_then(|(_, minor, cur)| Money::from_minor(*minor, cur))
        .or_else(|| {
            plans
                .iter()
                .find(|p| p.period == period)
                .and_then(|p| p.rub_price)
                .map(Money::rub)
        })
        .ok_or_else(|| format!("no price is set for {} months ({seen})", period.months()))?;
    // The list price: what Tribute charged may be less (its own discounts).
    let listed = s.price.as_ref().unwrap_or(&s.amount);
    if *listed != expected {
        return Err(format!(
            "listed at {listed}, the price is {expected} ({seen})"
        ));
    }
    Ok(period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::types::Kopecks;

    const KEY: &str = "unit-tribute-key-31415926";

    fn cfg() -> Tribute {
        Tribute {
            api_key: KEY.into(),
            skip_notifications: false,
            skip_cancellation_notifications: false,
            subscription_ids: vec![7731],
            channel_id: Some(9051),
            period_ids: Vec::new(),
            prices: Vec::new(),
        }
    }

    fn raw(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/tribute/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).expect(&path)
    }

    // Each: python3 -c 'import hmac,hashlib;print(hmac.new(b"unit-tribute-key-31415926",
    //   open("tests/fixtures/tribute/<file>","rb").read(),hashlib.sha256).hexdigest())'
    const NEW_SIG: &str = "ace93562dce3f4798e48ee18bee74a6b7d4bbce48f25af325fb5cc49136f260d";
    const RENEWED_SIG: &str = "6a3318f04325e5cface0d287408b15fec1e0bd78f05db528ff52fefd063a8a79";
    const CANCELLED_SIG: &str = "4b38d69a85faec4e5d0426e2bbdae89f4d54a7fda541363f04d22c5d2965cf56";
    // The new_subscription body signed with the key "another-key".
    const NEW_OTHER_KEY_SIG: &str =
        "b8d1b0c09f0b29eb37907cd6a55f37bff40c333d5b0546c42ceb0f2006855abb";

    fn verify(name: &str, sig: Option<&str>) -> Result<TributeEvent, PayError> {
        verify_webhook(&cfg(), &raw(name), sig).map(Verified::into_inner)
    }

    #[test]
    fn new_subscription_is_read() {
        let e = verify("new_subscription.json", Some(NEW_SIG)).unwrap();
        assert_eq!(e.name, "new_subscription");
        assert_eq!(e.created_at, "2025-10-01T09:30:12.118274Z");
        let TributeKind::NewSubscription(s) = &e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(s.subscription_id, 7731);
        assert_eq!(s.period_id, Some(7702));
        assert_eq!(s.period.as_deref(), Some("quarterly"));
        assert_eq!(s.amount, Money::rub(Kopecks(44900)));
        assert_eq!(s.price.as_ref().unwrap().minor(), 49900);
        assert_eq!(s.telegram_user_id, TelegramId(700100200));
        assert_eq!(s.channel_name.as_deref(), Some("vpn_unit"));
        assert_eq!(s.subscription_name, "VPN ⚡ 3 months");
        assert_eq!(
            e.dedup_key(),
            "tribute:new_subscription:2025-10-01T09:30:12.118274Z:7731:7702:700100200"
        );
    }

    #[test]
    fn renewal_and_cancellation_are_read() {
        let e = verify("renewed_subscription.json", Some(RENEWED_SIG)).unwrap();
        let TributeKind::RenewedSubscription(s) = &e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(s.subscription_type.as_deref(), Some("regular"));
        assert_eq!(
            s.amount.currency(),
            "EUR",
            "lower-case currency upper-cased"
        );
        assert_eq!(s.amount.minor(), 450);

        let e = verify("cancelled_subscription.json", Some(CANCELLED_SIG)).unwrap();
        let TributeKind::CancelledSubscription(s) = &e.kind else {
            panic!("{:?}", e.kind)
        };
        assert_eq!(s.cancel_reason.as_deref(), Some(""));
        assert_eq!(s.expires_at.as_deref(), Some("2025-12-01T09:30:11.2Z"));
        assert_ne!(
            e.dedup_key(),
            verify("new_subscription.json", Some(NEW_SIG))
                .unwrap()
                .dedup_key()
        );
    }

    #[test]
    fn the_dedup_key_ignores_the_delivery_time() {
        let body = String::from_utf8(raw("new_subscription.json")).unwrap();
        let again = body.replace(
            "2025-10-01T09:30:12.441902711Z",
            "2025-10-01T09:35:12.000000001Z",
        );
        assert_ne!(again, body, "sent_at changed");
        let a = verify("new_subscription.json", Some(NEW_SIG)).unwrap();
        let b = verify_webhook(
            &cfg(),
            again.as_bytes(),
            Some(&signature(KEY, again.as_bytes())),
        )
        .unwrap()
        .into_inner();
        assert_ne!(a.sent_at, b.sent_at);
        assert_eq!(a.dedup_key(), b.dedup_key());
    }

    #[test]
    fn forgeries_are_refused() {
        let refused = |body: &[u8], sig: Option<&str>| {
            matches!(
                verify_webhook(&cfg(), body, sig),
                Err(PayError::NotAuthentic(_))
            )
        };
        let body = raw("new_subscription.json");
        assert!(refused(&body, Some(NEW_OTHER_KEY_SIG)));
        assert!(refused(&body, Some(&signature("another-key", &body))));
        assert!(refused(&body, None));
        assert!(refused(&body, Some("  ")));
        assert!(
            refused(&body, Some(RENEWED_SIG)),
            "another event's signature"
        );
        // Pretty-printed re-serialisation with the original signature.
        let v: Value = serde_json::from_slice(&body).unwrap();
        let pretty = serde_json::to_vec_pretty(&v).unwrap();
        assert_ne!(pretty, body);
        assert!(refused(&pretty, Some(NEW_SIG)));
        // A changed amount.
        let forged = String::from_utf8(body.clone())
            .unwrap()
            .replace("\"amount\":44900", "\"amount\":4490");
        assert_ne!(forged.as_bytes(), &body[..]);
        assert!(refused(forged.as_bytes(), Some(NEW_SIG)));
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        assert!(verify("new_subscription.json", Some(&NEW_SIG.to_ascii_uppercase())).is_ok());
    }

    #[test]
    fn unknown_events_and_unreadable_bodies() {
        let body = br#"{"name":"new_donation","created_at":"2025-10-02T10:00:00Z","sent_at":"2025-10-02T10:00:01Z","payload":{"donation_request_id":5,"amount":1000,"currency":"rub"}}"#;
        let e = verify_webhook(&cfg(), body, Some(&signature(KEY, body)))
            .unwrap()
            .into_inner();
        assert_eq!(e.kind, TributeKind::Other);
        assert_eq!(e.dedup_key(), "tribute:new_donation:2025-10-02T10:00:00Z");
        assert_eq!(period_of(&e, &[]), None);

        for junk in [
            &b"{}"[..],
            br#"{"name":"new_subscription","created_at":"2025-10-02T10:00:00Z","payload":{"subscription_id":1,"amount":100,"currency":"rub"}}"#,
            br#"{"name":"new_subscription","created_at":"2025-10-02T10:00:00Z","payload":{"subscription_id":1,"amount":-5,"currency":"rub","telegram_user_id":5}}"#,
            br#"{"name":"new_subscription","created_at":"2025-10-02T10:00:00Z","payload":{"subscription_id":1,"amount":"100","currency":"rub","telegram_user_id":5}}"#,
        ] {
            assert!(
                matches!(
                    verify_webhook(&cfg(), junk, Some(&signature(KEY, junk))),
                    Err(PayError::Unreadable(_))
                ),
                "{}",
                String::from_utf8_lossy(junk)
            );
        }
    }

    #[test]
    fn only_the_operators_products_at_their_price_are_sold() {
        let e = verify("new_subscription.json", Some(NEW_SIG)).unwrap();
        let plans = [
            plan(Period::OneMonth, Some(199), true),
            plan(Period::ThreeMonths, Some(499), true),
        ];
        assert_eq!(product_of(&e, &cfg(), &plans), Ok(Period::ThreeMonths));
        let other = Tribute {
            subscription_ids: vec![1],
            ..cfg()
        };
        assert!(
            product_of(&e, &other, &plans)
                .unwrap_err()
                .contains("TRIBUTE_SUBSCRIPTION_IDS")
        );
        let channel = Tribute {
            channel_id: Some(1),
            ..cfg()
        };
        assert!(
            product_of(&e, &channel, &plans)
                .unwrap_err()
                .contains("TRIBUTE_CHANNEL_ID")
        );
        let by_id = Tribute {
            period_ids: vec![(Period::OneMonth, 7702)],
            ..cfg()
        };
        assert_eq!(
            product_of(&e, &by_id, &plans),
            Err("listed at 499 RUB, the price is 199 RUB (subscription_id 7731, period_id 7702, channel_id 9051, 449 RUB)".into()),
            "the period id decides the period; the price must then match"
        );
        let unknown_period = Tribute {
            period_ids: vec![(Period::OneMonth, 1)],
            ..cfg()
        };
        assert!(
            product_of(&e, &unknown_period, &plans)
                .unwrap_err()
                .contains("TRIBUTE_PERIOD_ID")
        );
        let in_euros = Tribute {
            prices: vec![(Period::ThreeMonths, 499, "EUR".into())],
            ..cfg()
        };
        assert!(
            product_of(&e, &in_euros, &plans)
                .unwrap_err()
                .contains("the price is 4.99 EUR")
        );
        let cheaper = [plan(Period::ThreeMonths, Some(399), true)];
        assert!(product_of(&e, &cfg(), &cheaper).is_err());
        assert!(
            product_of(
                &e,
                &Tribute {
                    subscription_ids: vec![],
                    ..cfg()
                },
                &plans
            )
            .is_err()
        );
    }

    fn plan(period: Period, rub: Option<u64>, link: bool) -> PlanConfig {
        PlanConfig {
            period,
            enabled: true,
            rub_price: rub.map(|r| Kopecks(r * 100)),
            stars_price: None,
            referral_bonus_days: 0,
            referee_bonus_days: 0,
            tribute_link: link
                .then(|| format!("https://t.me/tribute/app?startapp={}", period.code())),
        }
    }

    fn with_period(
        word: Option<&str>,
        amount: u64,
        price: Option<u64>,
        currency: &str,
    ) -> TributeEvent {
        let mut e = verify("new_subscription.json", Some(NEW_SIG)).unwrap();
        if let TributeKind::NewSubscription(s) = &mut e.kind {
            s.period = word.map(str::to_owned);
            s.amount = Money::from_minor(amount, currency).unwrap();
            s.price = price.map(|minor| Money::from_minor(minor, currency).unwrap());
        }
        e
    }

    #[test]
    fn periods_come_from_the_period_word_first() {
        let plans = [plan(Period::OneMonth, Some(199), true)];
        for (word, want) in [
            ("monthly", Period::OneMonth),
            ("Quarterly", Period::ThreeMonths),
            ("half-yearly", Period::SixMonths),
            ("halfyearly", Period::SixMonths),
            ("yearly", Period::TwelveMonths),
            ("annual", Period::TwelveMonths),
            ("3_months", Period::ThreeMonths),
        ] {
            assert_eq!(
                period_of(&with_period(Some(word), 19900, None, "RUB"), &plans),
                Some(want),
                "{word}"
            );
        }
    }

    #[test]
    fn otherwise_a_unique_rub_price_among_tribute_plans() {
        let plans = [
            plan(Period::OneMonth, Some(199), true),
            plan(Period::ThreeMonths, Some(499), true),
            plan(Period::SixMonths, Some(899), false),
            plan(Period::TwelveMonths, Some(899), true),
        ];
        let of =
            |word, amount, price, cur| period_of(&with_period(word, amount, price, cur), &plans);
        assert_eq!(
            of(Some("weekly"), 49900, None, "RUB"),
            Some(Period::ThreeMonths)
        );
        assert_eq!(of(None, 19900, None, "RUB"), Some(Period::OneMonth));
        // Discounted charge, list price matches.
        assert_eq!(
            of(None, 15000, Some(49900), "RUB"),
            Some(Period::ThreeMonths)
        );
        // 899 is the six-month price too, but six months has no Tribute link.
        assert_eq!(of(None, 89900, None, "RUB"), Some(Period::TwelveMonths));
        // No match, another currency: no guess.
        assert_eq!(of(None, 12300, None, "RUB"), None);
        assert_eq!(of(None, 19900, None, "EUR"), None);
        let ambiguous = [
            plan(Period::OneMonth, Some(199), true),
            plan(Period::ThreeMonths, Some(199), true),
        ];
        assert_eq!(
            period_of(&with_period(None, 19900, None, "RUB"), &ambiguous),
            None
        );
    }
}
