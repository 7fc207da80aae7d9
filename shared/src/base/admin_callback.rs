//! Callback data of the admin side's buttons (`adm:` prefix, ≤ 64 bytes).
//! Parsing one proves nothing: every action is authorised again on the
//! server when it runs.

use crate::base::types::{Provider, TelegramId};

/// A button of the admin side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAction {
    /// The admin menu.
    Menu,
    /// The stats screen.
    Stats,
    /// The 30-day chart, sent as a photo.
    Chart,
    /// Ask for a user to find.
    Find,
    /// A user's card.
    Card(TelegramId),
    /// Ask to confirm a ban.
    Ban(TelegramId),
    /// Ban a user (confirmed).
    BanConfirm(TelegramId),
    /// Lift a ban.
    Unban(TelegramId),
    /// Add (or, negative, remove) days. The stamp is the subscription end
    /// the card showed (0 = none): the change applies only while it still
    /// is, so a second press of the same button changes nothing.
    /// Taking days away asks first ([`AdminAction::DaysConfirm`]).
    Days(TelegramId, i32, i64),
    /// Days changed as confirmed (same fields as [`AdminAction::Days`]).
    DaysConfirm(TelegramId, i32, i64),
    /// Ask for a balance adjustment (amount and reason).
    Balance(TelegramId),
    /// Take money from the balance as the admin typed it and was asked to
    /// confirm (the amount and reason wait in the admin's state).
    BalanceConfirm(TelegramId),
    /// Let the user take the trial again.
    ResetTrial(TelegramId),
    /// Ask for a message (any media) to send the user.
    Message(TelegramId),
    /// Ask to confirm deleting a user.
    Delete(TelegramId),
    /// Delete a user (confirmed).
    DeleteConfirm(TelegramId),
    /// The banned users.
    Banned,
    /// The audit log from a cursor (`None` = newest).
    Logs(Option<String>),
    /// One user's entries in the audit log.
    UserLogs(TelegramId, Option<String>),
    /// The audit log as a CSV document.
    LogsCsv,
    /// A day's payments (`yyyymmdd`), of one provider or `all`.
    Payments(String, String, PayView),
    /// The same as a CSV document.
    PaymentsCsv(String, String, PayView),
    /// A payment's detail (by order id).
    Payment(String),
    /// Ask to confirm a payment's refund.
    PaymentRefund(String),
    /// Refund a payment (confirmed).
    PaymentRefundConfirm(String),
    /// Compose a broadcast.
    Broadcast,
    /// Pick a draft's audience (`all`, `active`, `expired`, `never_paid`, `trial`).
    BroadcastAudience(String, String),
    /// Add URL buttons to a draft (the next message lists them).
    BroadcastButtons(String),
    /// Start sending a draft.
    BroadcastStart(String),
    /// Cancel a running broadcast.
    BroadcastCancel(String),
}

/// Which credited payments a payments screen shows, besides the provider:
/// a status and how many days back from its day (1, 7 or 30).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayView {
    /// The order's current status.
    pub status: PayStatus,
    /// Days ending with the screen's day: 1, 7 or 30.
    pub days: u8,
}

impl Default for PayView {
    fn default() -> Self {
        PayView {
            status: PayStatus::Any,
            days: 1,
        }
    }
}

/// A payments list's status filter (credited payments only: the day index
/// holds what was paid; a refund shows as refunded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayStatus {
    /// Every credited payment.
    Any,
    /// Paid and not refunded.
    Paid,
    /// Refunded since.
    Refunded,
}

impl PayStatus {
    /// Its name in callback data and on buttons.
    pub fn code(self) -> &'static str {
        match self {
            PayStatus::Any => "any",
            PayStatus::Paid => "paid",
            PayStatus::Refunded => "refunded",
        }
    }
}

impl PayView {
    /// The callback data's tail (none for the default view).
    fn suffix(&self) -> String {
        if *self == PayView::default() {
            String::new()
        } else {
            format!(":{}:{}", self.status.code(), self.days)
        }
    }

    fn parse(status: &str, days: &str) -> Option<PayView> {
        let status = match status {
            "any" => PayStatus::Any,
            "paid" => PayStatus::Paid,
            "refunded" => PayStatus::Refunded,
            _ => return None,
        };
        let days = match days {
            "1" => 1,
            "7" => 7,
            "30" => 30,
            _ => return None,
        };
        Some(PayView { status, days })
    }
}

impl AdminAction {
    /// The callback data.
    pub fn data(&self) -> String {
        match self {
            AdminAction::Menu => "adm".into(),
            AdminAction::Stats => "adm:stats".into(),
            AdminAction::Chart => "adm:chart".into(),
            AdminAction::Find => "adm:find".into(),
            AdminAction::Card(u) => format!("adm:u:{u}"),
            AdminAction::Ban(u) => format!("adm:ban:{u}"),
            AdminAction::BanConfirm(u) => format!("adm:banok:{u}"),
            AdminAction::Unban(u) => format!("adm:unban:{u}"),
            AdminAction::Days(u, d, stamp) => format!("adm:d:{u}:{d}:{stamp}"),
            AdminAction::DaysConfirm(u, d, stamp) => format!("adm:dok:{u}:{d}:{stamp}"),
            AdminAction::Balance(u) => format!("adm:bal:{u}"),
            AdminAction::BalanceConfirm(u) => format!("adm:balok:{u}"),
            AdminAction::ResetTrial(u) => format!("adm:rt:{u}"),
            AdminAction::Message(u) => format!("adm:msg:{u}"),
            AdminAction::Delete(u) => format!("adm:del:{u}"),
            AdminAction::DeleteConfirm(u) => format!("adm:delok:{u}"),
            AdminAction::Banned => "adm:banned".into(),
            AdminAction::Logs(None) => "adm:logs".into(),
            AdminAction::Logs(Some(c)) => format!("adm:logs:{c}"),
            AdminAction::UserLogs(u, None) => format!("adm:ul:{u}"),
            AdminAction::UserLogs(u, Some(c)) => format!("adm:ul:{u}:{c}"),
            AdminAction::LogsCsv => "adm:logcsv".into(),
            AdminAction::Payments(d, p, v) => format!("adm:pay:{d}:{p}{}", v.suffix()),
            AdminAction::PaymentsCsv(d, p, v) => format!("adm:paycsv:{d}:{p}{}", v.suffix()),
            AdminAction::Payment(o) => format!("adm:po:{o}"),
            AdminAction::PaymentRefund(o) => format!("adm:prf:{o}"),
            AdminAction::PaymentRefundConfirm(o) => format!("adm:rf:{o}"),
            AdminAction::Broadcast => "adm:bc".into(),
            AdminAction::BroadcastAudience(id, a) => format!("adm:bca:{id}:{a}"),
            AdminAction::BroadcastButtons(id) => format!("adm:bcb:{id}"),
            AdminAction::BroadcastStart(id) => format!("adm:bcgo:{id}"),
            AdminAction::BroadcastCancel(id) => format!("adm:bcx:{id}"),
        }
    }

    /// Parses callback data; anything else is `None`.
    pub fn parse(data: &str) -> Option<AdminAction> {
        if data == "adm" {
            return Some(AdminAction::Menu);
        }
        let rest = data.strip_prefix("adm:")?;
        let parts: Vec<&str> = rest.split(':').collect();
        let id = |s: &str| s.parse::<i64>().ok().filter(|v| *v > 0).map(TelegramId);
        Some(match parts.as_slice() {
            ["stats"] => AdminAction::Stats,
            ["chart"] => AdminAction::Chart,
            ["find"] => AdminAction::Find,
            ["banned"] => AdminAction::Banned,
            ["u", u] => AdminAction::Card(id(u)?),
            ["ban", u] => AdminAction::Ban(id(u)?),
            ["banok", u] => AdminAction::BanConfirm(id(u)?),
            ["unban", u] => AdminAction::Unban(id(u)?),
            [kind @ ("d" | "dok"), u, d, stamp] => {
                let days: i32 = d
                    .parse()
                    .ok()
                    .filter(|d: &i32| *d != 0 && d.unsigned_abs() <= 3650)?;
                let (u, stamp) = (id(u)?, stamp.parse().ok()?);
                if *kind == "d" {
                    AdminAction::Days(u, days, stamp)
                } else {
                    AdminAction::DaysConfirm(u, days, stamp)
                }
            }
            ["bal", u] => AdminAction::Balance(id(u)?),
            ["balok", u] => AdminAction::BalanceConfirm(id(u)?),
            ["rt", u] => AdminAction::ResetTrial(id(u)?),
            ["msg", u] => AdminAction::Message(id(u)?),
            ["del", u] => AdminAction::Delete(id(u)?),
            ["delok", u] => AdminAction::DeleteConfirm(id(u)?),
            ["logs"] => AdminAction::Logs(None),
            ["logs", c] => AdminAction::Logs(Some(cursor(c)?)),
            ["ul", u] => AdminAction::UserLogs(id(u)?, None),
            ["ul", u, c] => AdminAction::UserLogs(id(u)?, Some(cursor(c)?)),
            ["logcsv"] => AdminAction::LogsCsv,
            ["pay", d, p] if day(d) && provider(p) => {
                AdminAction::Payments((*d).to_owned(), (*p).to_owned(), PayView::default())
            }
            ["paycsv", d, p] if day(d) && provider(p) => {
                AdminAction::PaymentsCsv((*d).to_owned(), (*p).to_owned(), PayView::default())
            }
            ["pay", d, p, st, n] if day(d) && provider(p) => {
                AdminAction::Payments((*d).to_owned(), (*p).to_owned(), PayView::parse(st, n)?)
            }
            ["paycsv", d, p, st, n] if day(d) && provider(p) => {
                AdminAction::PaymentsCsv((*d).to_owned(), (*p).to_owned(), PayView::parse(st, n)?)
            }
            ["po", o] if order(o) => AdminAction::Payment((*o).to_owned()),
            ["prf", o] if order(o) => AdminAction::PaymentRefund((*o).to_owned()),
            ["rf", o] if order(o) => AdminAction::PaymentRefundConfirm((*o).to_owned()),
            ["bc"] => AdminAction::Broadcast,
            ["bca", b, a] if AUDIENCES.contains(a) => {
                AdminAction::BroadcastAudience(broadcast_id(b)?, (*a).to_owned())
            }
            ["bcb", b] => AdminAction::BroadcastButtons(broadcast_id(b)?),
            ["bcgo", b] => AdminAction::BroadcastStart(broadcast_id(b)?),
            ["bcx", b] => AdminAction::BroadcastCancel(broadcast_id(b)?),
            _ => return None,
        })
    }
}

/// Audiences of a broadcast.
pub const AUDIENCES: [&str; 5] = ["all", "active", "expired", "never_paid", "trial"];

/// A broadcast id: 12 lower-case hex digits.
fn broadcast_id(b: &str) -> Option<String> {
    (b.len() == 12
        && b.bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
    .then(|| b.to_owned())
}

/// Providers a payments list can be filtered by (`all` = no filter).
pub const PAYMENT_FILTERS: [&str; 9] = [
    "all",
    Provider::Yookassa.code(),
    Provider::Cryptopay.code(),
    Provider::Stars.code(),
    Provider::Freekassa.code(),
    Provider::Tribute.code(),
    Provider::Platega.code(),
    Provider::Severpay.code(),
    Provider::Balance.code(),
];

fn day(d: &str) -> bool {
    d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit())
}

fn provider(p: &str) -> bool {
    PAYMENT_FILTERS.contains(&p)
}

fn order(o: &str) -> bool {
    (8..=56).contains(&o.len())
        && o.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A log cursor: the sort key of the last row shown (`<time>-<random>`).
fn cursor(c: &str) -> Option<String> {
    ((1..=32).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then(|| c.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_within_telegrams_limit() {
        let u = TelegramId(9_007_199_254_740);
        let all = [
            AdminAction::Menu,
            AdminAction::Stats,
            AdminAction::Chart,
            AdminAction::Find,
            AdminAction::Card(u),
            AdminAction::Ban(u),
            AdminAction::BanConfirm(u),
            AdminAction::Unban(u),
            AdminAction::Days(u, -30, 1_900_000_000),
            AdminAction::DaysConfirm(u, -3650, 1_900_000_000),
            AdminAction::Balance(u),
            AdminAction::BalanceConfirm(u),
            AdminAction::ResetTrial(u),
            AdminAction::Message(u),
            AdminAction::Delete(u),
            AdminAction::DeleteConfirm(u),
            AdminAction::Banned,
            AdminAction::Logs(None),
            AdminAction::Logs(Some("01764000000-0a1b2c3d".into())),
            AdminAction::UserLogs(u, Some("01764000000-0a1b2c3d".into())),
            AdminAction::LogsCsv,
            AdminAction::Payments("20261130".into(), "stars".into(), PayView::default()),
            AdminAction::PaymentsCsv("20261130".into(), "all".into(), PayView::default()),
            AdminAction::Payments(
                "20261130".into(),
                "yookassa".into(),
                PayView {
                    status: PayStatus::Refunded,
                    days: 30,
                },
            ),
            AdminAction::PaymentsCsv(
                "20261130".into(),
                "cryptopay".into(),
                PayView {
                    status: PayStatus::Paid,
                    days: 7,
                },
            ),
            AdminAction::Payment("0123456789abcdef0123456789abcdef".into()),
            AdminAction::PaymentRefund("0123456789abcdef0123456789abcdef".into()),
            AdminAction::PaymentRefundConfirm(
                "0123456789abcdef0123456789abcdef0123456789abcdef01234567".into(),
            ),
            AdminAction::Broadcast,
            AdminAction::BroadcastAudience("0123456789ab".into(), "never_paid".into()),
            AdminAction::BroadcastButtons("0123456789ab".into()),
            AdminAction::BroadcastStart("0123456789ab".into()),
            AdminAction::BroadcastCancel("0123456789ab".into()),
        ];
        for a in all {
            let data = a.data();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(AdminAction::parse(&data), Some(a));
        }
        assert_eq!(AdminAction::parse("adm:d:5:0:0"), None);
        assert_eq!(AdminAction::parse("adm:u:-5"), None);
        assert_eq!(AdminAction::parse("menu"), None);
        // `i32::MIN.abs()` overflows (and wraps to itself in a release
        // build, which would have passed the ±3650 limit).
        assert_eq!(AdminAction::parse("adm:d:5:-2147483648:0"), None);
        assert_eq!(AdminAction::parse("adm:d:5:3651:0"), None);
    }
}
