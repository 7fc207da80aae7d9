//! Reading the Python bot's PostgreSQL: remnawave-tg-shop's tables, as
//! its Alembic migrations leave them at its last commit (`alembic_version`,
//! `active_discounts`, `payments.original_amount` / `discount_applied`) or
//! as they were before Alembic, and 2GETPRO's additions
//! (`users.balance_kopeks`, `transactions`). [`SchemaKind`] says which.
//!
//! The bots' schemas differ between versions and forks, so every optional
//! table and column is looked up in `information_schema` first; a missing
//! one reads as NULL (or no rows). Times are read as unix seconds
//! (`EXTRACT(EPOCH …)`), payment amounts as the exact decimal PostgreSQL
//! prints for the float (`amount::numeric::text`: the plan reads it in the
//! payment's own unit), other money as hundredths, so no float and no
//! time-zone type crosses the wire.

use std::collections::{HashMap, HashSet};
use tokio_postgres::{Client, Row};

/// `users`.
#[derive(Debug, Clone, Default)]
pub struct SrcUser {
    pub user_id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub language_code: Option<String>,
    pub registration_date: Option<i64>,
    pub is_banned: Option<bool>,
    pub panel_user_uuid: Option<String>,
    pub referral_code: Option<String>,
    pub referred_by_id: Option<i64>,
    /// 2GETPRO.
    pub balance_kopeks: Option<i64>,
}

/// `subscriptions`.
#[derive(Debug, Clone, Default)]
pub struct SrcSubscription {
    pub subscription_id: i64,
    pub user_id: i64,
    pub panel_user_uuid: Option<String>,
    pub start_date: Option<i64>,
    pub end_date: Option<i64>,
    pub provider: Option<String>,
    pub auto_renew_enabled: Option<bool>,
    /// `false` when the bot switched the subscription off (superseded, revoked).
    pub is_active: Option<bool>,
    /// The months bought; 0 for a traffic package (traffic sale mode).
    pub duration_months: Option<i64>,
    /// The traffic limit the bot set, bytes: in traffic sale mode all the
    /// traffic bought.
    pub traffic_limit_bytes: Option<i64>,
}

/// `payments`.
#[derive(Debug, Clone, Default)]
pub struct SrcPayment {
    pub payment_id: i64,
    pub user_id: i64,
    pub yookassa_payment_id: Option<String>,
    pub provider_payment_id: Option<String>,
    pub provider: Option<String>,
    /// The amount as an exact decimal (`1490.5`, `2.75`): the column is a
    /// float, read through `numeric`, never as a float.
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    /// `subscription_duration_months`: months, or a traffic package's
    /// gigabytes (traffic sale mode).
    pub months: Option<i64>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    /// RTS HEAD: the discount taken off, in the currency (`discount_applied`).
    pub discount_applied: Option<String>,
}

/// RTS HEAD's `active_discounts`: a discount code reserved for a payment
/// not made yet.
#[derive(Debug, Clone, Default)]
pub struct SrcActiveDiscount {
    pub user_id: i64,
    pub promo_code_id: i64,
    pub discount_percentage: Option<i64>,
    pub activated_at: Option<i64>,
    /// Revision 0002 on; before it the reservation had no end.
    pub expires_at: Option<i64>,
}

/// `user_billing` and `user_payment_methods`.
#[derive(Debug, Clone, Default)]
pub struct SrcMethod {
    pub user_id: i64,
    pub provider: String,
    pub method_id: Option<String>,
    pub card_last4: Option<String>,
    pub card_network: Option<String>,
    pub is_default: bool,
    pub created_at: Option<i64>,
}

/// `promo_codes`.
#[derive(Debug, Clone, Default)]
pub struct SrcPromo {
    pub promo_code_id: i64,
    pub code: String,
    pub promo_type: Option<String>,
    pub bonus_days: Option<i64>,
    pub discount_percentage: Option<i64>,
    pub max_activations: Option<i64>,
    pub current_activations: Option<i64>,
    pub is_active: Option<bool>,
    pub created_at: Option<i64>,
    pub valid_until: Option<i64>,
}

/// `promo_code_activations`.
#[derive(Debug, Clone, Default)]
pub struct SrcActivation {
    pub activation_id: i64,
    pub promo_code_id: i64,
    pub user_id: i64,
    pub activated_at: Option<i64>,
}

/// `ad_campaigns`.
#[derive(Debug, Clone, Default)]
pub struct SrcCampaign {
    pub ad_campaign_id: i64,
    pub source: Option<String>,
    pub start_param: String,
    pub cost_hundredths: Option<i64>,
    pub is_active: Option<bool>,
    pub created_at: Option<i64>,
}

/// `ad_attributions`.
#[derive(Debug, Clone, Default)]
pub struct SrcAttribution {
    pub user_id: i64,
    pub ad_campaign_id: i64,
    /// When the user took the trial, when they did.
    pub trial_activated_at: Option<i64>,
}

/// 2GETPRO's `transactions`.
#[derive(Debug, Clone, Default)]
pub struct SrcTransaction {
    pub id: i64,
    pub user_id: i64,
    pub amount_kopeks: i64,
    pub transaction_type: String,
    pub created_at: Option<i64>,
}

/// Which schema the source has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaKind {
    /// remnawave-tg-shop's Alembic revision (`alembic_version`), from its
    /// February 2026 releases on; `None`: the schema before Alembic (its
    /// own `schema_migrations`, or 2GETPRO's `db/migrations`).
    pub alembic: Option<String>,
    /// 2GETPRO's balance tables (`users.balance_kopeks`, `transactions`).
    pub balance_tables: bool,
}

impl SchemaKind {
    /// The schema in words, for the report.
    pub fn describe(&self) -> String {
        let base = match &self.alembic {
            Some(rev) => format!("remnawave-tg-shop, Alembic revision {rev}"),
            None => "remnawave-tg-shop before Alembic (no alembic_version table)".to_owned(),
        };
        if self.balance_tables {
            format!("{base}, with 2GETPRO's balance tables")
        } else {
            base
        }
    }
}

/// Everything read from the source database.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub schema: SchemaKind,
    pub users: Vec<SrcUser>,
    pub subscriptions: Vec<SrcSubscription>,
    pub payments: Vec<SrcPayment>,
    pub methods: Vec<SrcMethod>,
    pub promos: Vec<SrcPromo>,
    pub activations: Vec<SrcActivation>,
    pub campaigns: Vec<SrcCampaign>,
    pub attributions: Vec<SrcAttribution>,
    pub transactions: Vec<SrcTransaction>,
    pub active_discounts: Vec<SrcActiveDiscount>,
}

/// The columns of every table in the current schema.
struct Schema(HashMap<String, HashSet<String>>);

impl Schema {
    async fn read(db: &Client) -> Result<Schema, tokio_postgres::Error> {
        let rows = db
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema()",
                &[],
            )
            .await?;
        let mut map: HashMap<String, HashSet<String>> = HashMap::new();
        for r in rows {
            map.entry(r.get(0)).or_default().insert(r.get(1));
        }
        Ok(Schema(map))
    }

    fn has(&self, table: &str) -> bool {
        self.0.contains_key(table)
    }

    /// `expr` over `column` when the table has it, else `NULL::ty`.
    fn col(&self, table: &str, column: &str, expr: &str, ty: &str) -> String {
        match self.0.get(table) {
            Some(cols) if cols.contains(column) => expr.replace('$', column),
            _ => format!("NULL::{ty}"),
        }
    }

    fn text(&self, table: &str, column: &str) -> String {
        self.col(table, column, "$::text", "text")
    }
    fn big(&self, table: &str, column: &str) -> String {
        self.col(table, column, "$::bigint", "bigint")
    }
    fn flag(&self, table: &str, column: &str) -> String {
        self.col(table, column, "$::boolean", "boolean")
    }
    fn epoch(&self, table: &str, column: &str) -> String {
        // Whole seconds, rounded down: a cast would round 23:59:59.6 up to
        // the next second (or the next day's first).
        self.col(
            table,
            column,
            "floor(EXTRACT(EPOCH FROM $))::bigint",
            "bigint",
        )
    }
    fn hundredths(&self, table: &str, column: &str) -> String {
        self.col(table, column, "round($::numeric * 100)::bigint", "bigint")
    }
    /// A float column as the exact decimal PostgreSQL prints for it.
    fn decimal(&self, table: &str, column: &str) -> String {
        self.col(table, column, "$::numeric::text", "text")
    }
}

/// Reads every table the importer maps. `users` must exist; the rest may not.
pub async fn read(db: &Client) -> Result<Source, String> {
    let pg = |e: tokio_postgres::Error| format!("postgresql: {e}");
    let schema = Schema::read(db).await.map_err(pg)?;
    if !schema.has("users") {
        return Err(
            "the database has no `users` table: is this remnawave-tg-shop's database?".into(),
        );
    }
    let mut src = Source::default();
    let q = |sql: String| async move { db.query(sql.as_str(), &[]).await };

    if schema.has("alembic_version") {
        let rows = q("SELECT version_num::text FROM alembic_version".into())
            .await
            .map_err(pg)?;
        let mut revs: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        revs.sort();
        src.schema.alembic = Some(revs.join(", ")).filter(|r| !r.is_empty());
    }
    src.schema.balance_tables = schema.has("transactions")
        || schema
            .0
            .get("users")
            .is_some_and(|c| c.contains("balance_kopeks"));

    let t = "users";
    let rows = q(format!(
        "SELECT user_id::bigint, {}, {}, {}, {}, {}, {}, {}, {}, {}, {} FROM users ORDER BY user_id",
        schema.text(t, "username"),
        schema.text(t, "first_name"),
        schema.text(t, "last_name"),
        schema.text(t, "language_code"),
        schema.epoch(t, "registration_date"),
        schema.flag(t, "is_banned"),
        schema.text(t, "panel_user_uuid"),
        schema.text(t, "referral_code"),
        schema.big(t, "referred_by_id"),
        schema.big(t, "balance_kopeks"),
    ))
    .await
    .map_err(pg)?;
    src.users = rows
        .iter()
        .map(|r: &Row| SrcUser {
            user_id: r.get(0),
            username: r.get(1),
            first_name: r.get(2),
            last_name: r.get(3),
            language_code: r.get(4),
            registration_date: r.get(5),
            is_banned: r.get(6),
            panel_user_uuid: r.get(7),
            referral_code: r.get(8),
            referred_by_id: r.get(9),
            balance_kopeks: r.get(10),
        })
        .collect();

    let t = "subscriptions";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT subscription_id::bigint, user_id::bigint, {}, {}, {}, {}, {}, {}, {}, {} \
             FROM subscriptions ORDER BY subscription_id",
            schema.text(t, "panel_user_uuid"),
            schema.epoch(t, "start_date"),
            schema.epoch(t, "end_date"),
            schema.text(t, "provider"),
            schema.flag(t, "auto_renew_enabled"),
            schema.flag(t, "is_active"),
            schema.big(t, "duration_months"),
            schema.big(t, "traffic_limit_bytes"),
        ))
        .await
        .map_err(pg)?;
        src.subscriptions = rows
            .iter()
            .map(|r| SrcSubscription {
                subscription_id: r.get(0),
                user_id: r.get(1),
                panel_user_uuid: r.get(2),
                start_date: r.get(3),
                end_date: r.get(4),
                provider: r.get(5),
                auto_renew_enabled: r.get(6),
                is_active: r.get(7),
                duration_months: r.get(8),
                traffic_limit_bytes: r.get(9),
            })
            .collect();
    }

    let t = "payments";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT payment_id::bigint, user_id::bigint, {}, {}, {}, {}, {}, {}, {}, \
             COALESCE({}, {}), {}, {}, {} FROM payments ORDER BY payment_id",
            schema.text(t, "yookassa_payment_id"),
            schema.text(t, "provider_payment_id"),
            schema.text(t, "provider"),
            schema.decimal(t, "amount"),
            schema.text(t, "currency"),
            schema.text(t, "status"),
            schema.text(t, "description"),
            schema.big(t, "subscription_duration_months"),
            schema.big(t, "duration_months"),
            schema.epoch(t, "created_at"),
            schema.epoch(t, "updated_at"),
            schema.decimal(t, "discount_applied"),
        ))
        .await
        .map_err(pg)?;
        src.payments = rows
            .iter()
            .map(|r| SrcPayment {
                payment_id: r.get(0),
                user_id: r.get(1),
                yookassa_payment_id: r.get(2),
                provider_payment_id: r.get(3),
                provider: r.get(4),
                amount: r.get(5),
                currency: r.get(6),
                status: r.get(7),
                description: r.get(8),
                months: r.get(9),
                created_at: r.get(10),
                updated_at: r.get(11),
                discount_applied: r.get(12),
            })
            .collect();
    }

    let t = "user_billing";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT user_id::bigint, {}, {}, {}, {} FROM user_billing ORDER BY user_id",
            schema.text(t, "yookassa_payment_method_id"),
            schema.text(t, "card_last4"),
            schema.text(t, "card_network"),
            schema.epoch(t, "created_at"),
        ))
        .await
        .map_err(pg)?;
        src.methods.extend(rows.iter().map(|r| SrcMethod {
            user_id: r.get(0),
            provider: "yookassa".into(),
            method_id: r.get(1),
            card_last4: r.get(2),
            card_network: r.get(3),
            is_default: true,
            created_at: r.get(4),
        }));
    }
    let t = "user_payment_methods";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT user_id::bigint, COALESCE({}, 'yookassa'), {}, {}, {}, COALESCE({}, false), {} \
             FROM user_payment_methods ORDER BY {}",
            schema.text(t, "provider"),
            schema.text(t, "provider_payment_method_id"),
            schema.text(t, "card_last4"),
            schema.text(t, "card_network"),
            schema.flag(t, "is_default"),
            schema.epoch(t, "created_at"),
            schema.col(t, "method_id", "$", "bigint"),
        ))
        .await
        .map_err(pg)?;
        src.methods.extend(rows.iter().map(|r| SrcMethod {
            user_id: r.get(0),
            provider: r.get(1),
            method_id: r.get(2),
            card_last4: r.get(3),
            card_network: r.get(4),
            is_default: r.get(5),
            created_at: r.get(6),
        }));
    }

    let t = "promo_codes";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT promo_code_id::bigint, code::text, {}, {}, {}, {}, {}, {}, {}, {} \
             FROM promo_codes ORDER BY promo_code_id",
            schema.text(t, "promo_type"),
            schema.big(t, "bonus_days"),
            schema.big(t, "discount_percentage"),
            schema.big(t, "max_activations"),
            schema.big(t, "current_activations"),
            schema.flag(t, "is_active"),
            schema.epoch(t, "created_at"),
            schema.epoch(t, "valid_until"),
        ))
        .await
        .map_err(pg)?;
        src.promos = rows
            .iter()
            .map(|r| SrcPromo {
                promo_code_id: r.get(0),
                code: r.get(1),
                promo_type: r.get(2),
                bonus_days: r.get(3),
                discount_percentage: r.get(4),
                max_activations: r.get(5),
                current_activations: r.get(6),
                is_active: r.get(7),
                created_at: r.get(8),
                valid_until: r.get(9),
            })
            .collect();
    }
    let t = "promo_code_activations";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT activation_id::bigint, promo_code_id::bigint, user_id::bigint, {} \
             FROM promo_code_activations ORDER BY activation_id",
            schema.epoch(t, "activated_at"),
        ))
        .await
        .map_err(pg)?;
        src.activations = rows
            .iter()
            .map(|r| SrcActivation {
                activation_id: r.get(0),
                promo_code_id: r.get(1),
                user_id: r.get(2),
                activated_at: r.get(3),
            })
            .collect();
    }

    let t = "ad_campaigns";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT ad_campaign_id::bigint, {}, start_param::text, {}, {}, {} \
             FROM ad_campaigns ORDER BY ad_campaign_id",
            schema.text(t, "source"),
            schema.hundredths(t, "cost"),
            schema.flag(t, "is_active"),
            schema.epoch(t, "created_at"),
        ))
        .await
        .map_err(pg)?;
        src.campaigns = rows
            .iter()
            .map(|r| SrcCampaign {
                ad_campaign_id: r.get(0),
                source: r.get(1),
                start_param: r.get(2),
                cost_hundredths: r.get(3),
                is_active: r.get(4),
                created_at: r.get(5),
            })
            .collect();
    }
    let t = "ad_attributions";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT user_id::bigint, ad_campaign_id::bigint, {} FROM ad_attributions \
             ORDER BY user_id",
            schema.epoch(t, "trial_activated_at"),
        ))
        .await
        .map_err(pg)?;
        src.attributions = rows
            .iter()
            .map(|r| SrcAttribution {
                user_id: r.get(0),
                ad_campaign_id: r.get(1),
                trial_activated_at: r.get(2),
            })
            .collect();
    }

    let t = "active_discounts";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT user_id::bigint, promo_code_id::bigint, {}, {}, {} FROM active_discounts \
             ORDER BY user_id",
            schema.big(t, "discount_percentage"),
            schema.epoch(t, "activated_at"),
            schema.epoch(t, "expires_at"),
        ))
        .await
        .map_err(pg)?;
        src.active_discounts = rows
            .iter()
            .map(|r| SrcActiveDiscount {
                user_id: r.get(0),
                promo_code_id: r.get(1),
                discount_percentage: r.get(2),
                activated_at: r.get(3),
                expires_at: r.get(4),
            })
            .collect();
    }

    let t = "transactions";
    if schema.has(t) {
        let rows = q(format!(
            "SELECT id::bigint, user_id::bigint, amount_kopeks::bigint, transaction_type::text, {} \
             FROM transactions ORDER BY id",
            schema.epoch(t, "created_at"),
        ))
        .await
        .map_err(pg)?;
        src.transactions = rows
            .iter()
            .map(|r| SrcTransaction {
                id: r.get(0),
                user_id: r.get(1),
                amount_kopeks: r.get(2),
                transaction_type: r.get(3),
                created_at: r.get(4),
            })
            .collect();
    }
    Ok(src)
}
