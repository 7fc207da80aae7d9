//! Callback data of the bot's buttons: one place that encodes and parses
//! it, so a notice queued by any layer can carry a button the bot
//! understands. Telegram allows 64 bytes.

use crate::base::types::{Lang, Period, Product, Provider};
use sha2::{Digest, Sha256};

/// Preset top-up amounts, rubles.
pub const TOPUP_PRESETS: [u32; 4] = [100, 300, 500, 1000];
/// Smallest custom top-up, rubles.
pub const TOPUP_MIN: u32 = 50;
/// Largest custom top-up, rubles.
pub const TOPUP_MAX: u32 = 100_000;
/// Callback data of the bot's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Back to the main menu.
    Menu,
    /// The profile and balance screen.
    Profile,
    /// The subscription screen.
    Subscription,
    /// The referral program screen.
    Referrals,
    /// The language picker.
    Languages,
    /// Switch language.
    SetLanguage(Lang),
    /// Re-check membership of the required channel.
    CheckChannel,
    /// Start the free trial.
    Trial,
    /// The "My devices" list.
    Devices,
    /// Ask to confirm removing the device with this key ([`device_key`]).
    DeviceAsk(u32),
    /// Remove the device with this key.
    DeviceDelete(u32),
    /// Ask to confirm removing every device.
    DevicesResetAsk,
    /// Remove every device.
    DevicesReset,
    /// Ask to confirm reissuing the subscription link.
    ReissueAsk,
    /// Reissue the subscription link (the old one stops working).
    Reissue,
    /// "How to connect": the platforms, one platform's apps, or one app's
    /// steps (indexes into the guide as it is listed).
    Guide(Option<(u8, Option<u8>)>),
    /// Ask for a promo code.
    Promo,
    /// The "My cards" screen.
    Cards,
    /// Make the saved card with this key ([`device_key`] of its method id) the default.
    CardDefault(u32),
    /// Delete the saved card with this key.
    CardDelete(u32),
    /// Turn auto-renewal on or off.
    AutoRenew(bool),
    /// Turn auto-renewal from the balance on or off.
    BalanceRenew(bool),
    /// Turn off every automatic charge (balance and card): the renewal
    /// notice's button when it names both.
    RenewOff,
}

impl Action {
    /// The callback data string (≤ 64 bytes).
    pub fn data(self) -> String {
        match self {
            Action::Menu => "menu".into(),
            Action::Profile => "profile".into(),
            Action::Subscription => "sub".into(),
            Action::Referrals => "ref".into(),
            Action::Languages => "lang".into(),
            Action::SetLanguage(l) => format!("lang:{}", l.code()),
            Action::CheckChannel => "gate:check".into(),
            Action::Trial => "trial".into(),
            Action::Devices => "dev".into(),
            Action::DeviceAsk(k) => format!("dev:ask:{k:08x}"),
            Action::DeviceDelete(k) => format!("dev:del:{k:08x}"),
            Action::DevicesResetAsk => "dev:reset".into(),
            Action::DevicesReset => "dev:reset:do".into(),
            Action::ReissueAsk => "reissue".into(),
            Action::Reissue => "reissue:do".into(),
            Action::Guide(None) => "guide".into(),
            Action::Guide(Some((p, None))) => format!("guide:{p}"),
            Action::Guide(Some((p, Some(a)))) => format!("guide:{p}:{a}"),
            Action::Promo => "promo".into(),
            Action::Cards => "cards".into(),
            Action::CardDefault(k) => format!("card:def:{k:08x}"),
            Action::CardDelete(k) => format!("card:del:{k:08x}"),
            Action::AutoRenew(true) => "renew:on".into(),
            Action::AutoRenew(false) => "renew:off".into(),
            Action::BalanceRenew(true) => "renew:bal:on".into(),
            Action::BalanceRenew(false) => "renew:bal:off".into(),
            Action::RenewOff => "renew:all:off".into(),
        }
    }

    /// Parses callback data; unknown data is `None`.
    pub fn parse(data: &str) -> Option<Action> {
        Some(match data {
            "menu" => Action::Menu,
            "profile" => Action::Profile,
            "sub" => Action::Subscription,
            "ref" => Action::Referrals,
            "lang" => Action::Languages,
            "gate:check" => Action::CheckChannel,
            "trial" => Action::Trial,
            "dev" => Action::Devices,
            "dev:reset" => Action::DevicesResetAsk,
            "dev:reset:do" => Action::DevicesReset,
            "reissue" => Action::ReissueAsk,
            "reissue:do" => Action::Reissue,
            "guide" => Action::Guide(None),
            "promo" => Action::Promo,
            "cards" => Action::Cards,
            "renew:on" => Action::AutoRenew(true),
            "renew:off" => Action::AutoRenew(false),
            "renew:bal:on" => Action::BalanceRenew(true),
            "renew:bal:off" => Action::BalanceRenew(false),
            "renew:all:off" => Action::RenewOff,
            other => {
                if let Some(k) = other.strip_prefix("card:def:") {
                    Action::CardDefault(parse_key(k)?)
                } else if let Some(k) = other.strip_prefix("card:del:") {
                    Action::CardDelete(parse_key(k)?)
                } else if let Some(k) = other.strip_prefix("dev:ask:") {
                    Action::DeviceAsk(parse_key(k)?)
                } else if let Some(k) = other.strip_prefix("dev:del:") {
                    Action::DeviceDelete(parse_key(k)?)
                } else if let Some(rest) = other.strip_prefix("guide:") {
                    let mut parts = rest.split(':');
                    let p = parse_index(parts.next()?)?;
                    let a = parts.next().map(parse_index);
                    if parts.next().is_some() {
                        return None;
                    }
                    match a {
                        None => Action::Guide(Some((p, None))),
                        Some(a) => Action::Guide(Some((p, Some(a?)))),
                    }
                } else {
                    // Exactly as written (`from_code` also takes "EN").
                    let code = other.strip_prefix("lang:")?;
                    Action::SetLanguage(Lang::from_code(code).filter(|l| l.code() == code)?)
                }
            }
        })
    }
}

/// A small index exactly as [`Action::data`] writes it (no leading zero or sign).
fn parse_index(s: &str) -> Option<u8> {
    s.parse::<u8>().ok().filter(|n| n.to_string() == s)
}

/// A key exactly as [`Action::data`] writes it: eight lowercase hex digits
/// (`from_str_radix` alone would also take upper case and a leading `+`,
/// giving one action several spellings).
fn parse_key(hex: &str) -> Option<u32> {
    (hex.len() == 8 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
}

/// A short, stable key for a device in callback data (Telegram allows 64
/// bytes; a HWID may be 64 characters on its own): the first four bytes of
/// the SHA-256 of its HWID. The device is found again by listing the
/// user's devices and comparing keys.
pub fn device_key(hwid: &str) -> u32 {
    let digest = Sha256::digest(hwid.as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// Buttons of the buying screens (callback data ≤ 64 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuyAction {
    /// The list of periods (in traffic sale mode, of traffic packages).
    Plans,
    /// The same, opened from the subscription screen ("Renew"): its Back
    /// returns there.
    PlansFromSubscription,
    /// How many extra devices to buy.
    MoreDevices,
    /// The traffic packs that add to the current period.
    MoreTraffic,
    /// Payment methods for a product.
    Plan(Product),
    /// Pay for a product with a provider.
    Pay(Product, Provider),
    /// The payment methods for a period with the "save my card" choice set
    /// (YooKassa autopayments on, card binding not required).
    PlanSaveCard(Period, bool),
    /// Pay for a period with YooKassa and save the card for auto-renewal.
    PaySavingCard(Period),
    /// Pay for a period from the balance. The stamp ([`balance_stamp`]) is
    /// the user's subscription end and balance when the button was drawn: a
    /// second press of the same button (or Telegram re-delivering the press)
    /// is the same purchase and debits once, while a button drawn after a
    /// purchase or a top-up is a new one.
    PayFromBalance(Product, String),
    /// Top-up amounts.
    TopUp,
    /// Payment methods for a top-up of so many rubles.
    TopUpAmount(u32),
    /// Pay a top-up with a provider.
    TopUpPay(u32, Provider),
    /// Ask for a custom amount.
    TopUpCustom,
    /// Transaction history from a cursor (`None` = newest).
    History(Option<String>),
}

impl BuyAction {
    /// Callback data.
    pub fn data(&self) -> String {
        match self {
            BuyAction::Plans => "buy".into(),
            BuyAction::PlansFromSubscription => "buy:sub".into(),
            BuyAction::MoreDevices => "moredev".into(),
            BuyAction::MoreTraffic => "moregb".into(),
            BuyAction::Plan(p) => format!("plan:{}", p.code()),
            BuyAction::Pay(p, prov) => format!("pay:{}:{}", p.code(), prov.code()),
            BuyAction::PayFromBalance(p, stamp) => format!("payb:{}:{stamp}", p.code()),
            BuyAction::PlanSaveCard(p, on) => format!("psave:{}:{}", p.code(), u8::from(*on)),
            BuyAction::PaySavingCard(p) => format!("paysv:{}", p.code()),
            BuyAction::TopUp => "topup".into(),
            BuyAction::TopUpAmount(r) => format!("tamt:{r}"),
            BuyAction::TopUpPay(r, prov) => format!("tpay:{r}:{}", prov.code()),
            BuyAction::TopUpCustom => "tcustom".into(),
            BuyAction::History(None) => "hist".into(),
            BuyAction::History(Some(c)) => format!("hist:{c}"),
        }
    }

    /// Parses callback data.
    pub fn parse(data: &str) -> Option<BuyAction> {
        let mut parts = data.splitn(3, ':');
        let head = parts.next()?;
        let a = parts.next();
        let b = parts.next();
        Some(match (head, a, b) {
            ("buy", None, None) => BuyAction::Plans,
            ("buy", Some("sub"), None) => BuyAction::PlansFromSubscription,
            ("moredev", None, None) => BuyAction::MoreDevices,
            ("moregb", None, None) => BuyAction::MoreTraffic,
            ("plan", Some(p), None) => BuyAction::Plan(Product::from_code(p)?),
            ("pay", Some(p), Some(prov)) => {
                BuyAction::Pay(Product::from_code(p)?, Provider::from_code(prov)?)
            }
            ("payb", Some(p), Some(stamp))
                if (1..=24).contains(&stamp.len())
                    && stamp
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                BuyAction::PayFromBalance(Product::from_code(p)?, stamp.to_owned())
            }
            ("psave", Some(p), Some(on @ ("0" | "1"))) => {
                BuyAction::PlanSaveCard(Period::from_code(p)?, on == "1")
            }
            ("paysv", Some(p), None) => BuyAction::PaySavingCard(Period::from_code(p)?),
            ("topup", None, None) => BuyAction::TopUp,
            ("tamt", Some(r), None) => BuyAction::TopUpAmount(button_rubles(r)?),
            ("tpay", Some(r), Some(prov)) => {
                BuyAction::TopUpPay(button_rubles(r)?, Provider::from_code(prov)?)
            }
            ("tcustom", None, None) => BuyAction::TopUpCustom,
            ("hist", None, None) => BuyAction::History(None),
            ("hist", Some(c), rest) => {
                let cursor = match rest {
                    Some(r) => format!("{c}:{r}"),
                    None => c.to_owned(),
                };
                BuyAction::History(Some(cursor))
            }
            _ => return None,
        })
    }
}

/// A top-up amount on a button: as [`topup_rubles`], spelled exactly as
/// [`BuyAction::data`] writes it (no leading zero or `+`: one spelling per
/// action).
fn button_rubles(s: &str) -> Option<u32> {
    topup_rubles(s).filter(|r| r.to_string() == s)
}

/// A top-up amount in rubles within the allowed range.
pub fn topup_rubles(s: &str) -> Option<u32> {
    s.parse()
        .ok()
        .filter(|r| (TOPUP_MIN..=TOPUP_MAX).contains(r))
}

/// The stamp of a balance button: the subscription end and the balance
/// (kopecks) it was drawn against, in base 36 (`<end>_<balance>`).
pub fn balance_stamp(sub_end: Option<i64>, balance: u64) -> String {
    format!(
        "{}_{}",
        base36(sub_end.unwrap_or_default().max(0) as u64),
        base36(balance)
    )
}

fn base36(mut n: u64) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auto_renewal_buttons_round_trip() {
        for a in [
            Action::BalanceRenew(true),
            Action::BalanceRenew(false),
            Action::AutoRenew(true),
            Action::AutoRenew(false),
            Action::RenewOff,
            Action::DevicesResetAsk,
            Action::DevicesReset,
            Action::ReissueAsk,
            Action::Reissue,
            Action::Guide(None),
            Action::Guide(Some((0, None))),
            Action::Guide(Some((6, Some(12)))),
        ] {
            assert_eq!(Action::parse(&a.data()), Some(a));
        }
        for b in [
            BuyAction::PlanSaveCard(Period::OneMonth, true),
            BuyAction::PlanSaveCard(Period::ThreeMonths, false),
            BuyAction::PaySavingCard(Period::OneMonth),
        ] {
            assert_eq!(BuyAction::parse(&b.data()), Some(b));
        }
        assert_eq!(BuyAction::parse("psave:1m:2"), None);
        assert_eq!(BuyAction::parse("paysv:1m:x"), None);
    }

    /// Found by the `callback_data` fuzz target: a device or card key in
    /// upper case (or with a `+`) decoded to the same action as its
    /// canonical spelling.
    #[test]
    fn keys_have_one_spelling() {
        assert_eq!(
            Action::parse("dev:ask:e20ab12d"),
            Some(Action::DeviceAsk(0xe20a_b12d))
        );
        for data in [
            "dev:ask:e20Ab12d",
            "dev:del:E20AB12D",
            "card:def:+e20ab12",
            "card:del:-0000001",
            "dev:ask:e20ab12",
        ] {
            assert_eq!(Action::parse(data), None, "{data}");
        }
    }

    /// Found by the `callback_data` fuzz target: a top-up amount with a
    /// leading zero decoded to the same action as its canonical spelling.
    #[test]
    fn amounts_on_buttons_have_one_spelling() {
        assert_eq!(
            BuyAction::parse("tamt:299"),
            Some(BuyAction::TopUpAmount(299))
        );
        assert_eq!(Action::parse("lang:EN"), None);
        assert_eq!(Action::parse("lang: en"), None);
        for data in ["tamt:0299", "tamt:+299", "tpay:0299:yookassa"] {
            assert_eq!(BuyAction::parse(data), None, "{data}");
        }
        // What a user types is read leniently.
        assert_eq!(topup_rubles("0299"), Some(299));
    }
}
