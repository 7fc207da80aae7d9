//! DynamoDB storage: one table, keys and access patterns in `docs/data-model.md`.
//!
//! Every request is sent as a boxed future (`.send().boxed().await`): an
//! SDK request's future is several KB, and unboxed it is copied into every
//! caller's future and, in a debug build, into a stack slot per `.await` of
//! every caller up to the webhook: the admin and buy paths overflowed the
//! runtime's 2 MB worker stack. Boxed, it costs one allocation per request.

pub mod admin;
pub mod attrs;
pub mod broadcasts;
pub mod campaigns;
pub mod cards;
pub mod credit;
pub mod due;
pub mod envelope;
pub mod history;
pub mod imports;
pub mod ledger;
pub mod once;
pub mod orders;
pub mod panel;
pub mod payments;
pub mod presses;
pub mod promos;
pub mod refunds;
pub mod rewards;
pub mod stats;
pub mod sync_runs;
pub mod users;

pub use attrs::Item;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::{PutItemError, PutItemOutput};
use futures::FutureExt;

/// The table and the client that reaches it.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) client: Client,
    pub(crate) table: String,
}

impl Store {
    /// A store over `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Store {
            client,
            table: table.into(),
        }
    }

    /// The DynamoDB client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Runs a transaction and says how it ended: committed, or canceled
    /// with DynamoDB's reason for each item. Any other failure is an error.
    pub async fn transact(
        &self,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<Transacted, StoreError> {
        // A transaction DynamoDB canceled for a conflict alone (another
        // transaction held one of its items) wrote nothing: run it again,
        // after a jittered pause, rather than fail a payment or drop a count.
        let mut pause = CONFLICT_PAUSE_MS;
        let mut attempt = 1;
        loop {
            let outcome = self.transact_once(items.clone()).await?;
            if !outcome.conflict_only() {
                return Ok(outcome);
            }
            if attempt == CONFLICT_ATTEMPTS {
                tracing::warn!(attempt, "transaction still conflicting, giving up");
                return Ok(outcome);
            }
            let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0]) * pause / 255;
            tokio::time::sleep(std::time::Duration::from_millis(pause / 2 + jitter)).await;
            pause = (pause * 2).min(CONFLICT_PAUSE_MAX_MS);
            attempt += 1;
        }
    }

    async fn transact_once(
        &self,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<Transacted, StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .boxed()
            .await
        {
            Ok(_) => Ok(Transacted::Committed),
            Err(SdkError::ServiceError(e)) => match e.err() {
                TransactWriteItemsError::TransactionCanceledException(c) => {
                    Ok(Transacted::Canceled(
                        c.cancellation_reasons()
                            .iter()
                            .map(|r| r.code().filter(|c| *c != "None").map(str::to_owned))
                            .collect(),
                    ))
                }
                _ => Err(StoreError::from_sdk(SdkError::ServiceError(e))),
            },
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Runs a transaction: `Ok(true)` committed, `Ok(false)` canceled (a
    /// condition failed, or a concurrent transaction touched an item): the
    /// caller re-reads and decides.
    pub async fn try_transact(
        &self,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<bool, StoreError> {
        Ok(self.transact(items).await? == Transacted::Committed)
    }

    /// Runs a transaction whose first item is the conditional write that
    /// decides: `Ok(false)` when that condition did not hold; any other
    /// cancellation (a conflict on another item) is an error to retry.
    pub(crate) async fn transact_if(
        &self,
        items: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<bool, StoreError> {
        match self.transact(items).await? {
            Transacted::Committed => Ok(true),
            canceled if canceled.condition_failed(0) => Ok(false),
            canceled => Err(canceled.into_error()),
        }
    }

    /// A page of `size` items under `pk` in GSI1, after the cursor `after`
    /// (an item's GSI1 sort key; `key_of` gives that item's table key), and
    /// the next page's cursor.
    pub(crate) async fn gsi1_page(
        &self,
        pk: &str,
        after: Option<&str>,
        size: i32,
        key_of: impl Fn(&str) -> (String, String),
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        use attrs::s;
        let mut req = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("GSI1")
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(pk))
            .limit(size);
        if let Some(sk) = after {
            let (table_pk, table_sk) = key_of(sk);
            req = req
                .exclusive_start_key("GSI1PK", s(pk))
                .exclusive_start_key("GSI1SK", s(sk))
                .exclusive_start_key("PK", s(table_pk))
                .exclusive_start_key("SK", s(table_sk));
        }
        let out = req.send().boxed().await.map_err(StoreError::from_sdk)?;
        let next = out
            .last_evaluated_key()
            .and_then(|k| k.get("GSI1SK"))
            .and_then(|v| v.as_s().ok())
            .cloned();
        Ok((out.items.unwrap_or_default(), next))
    }

    /// The Telegram id (`tg_id`) of the first item under `pk` in `index`.
    pub(crate) async fn user_by_index(
        &self,
        index: &str,
        pk: String,
    ) -> Result<Option<crate::base::types::TelegramId>, StoreError> {
        use attrs::{ItemExt, s};
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression(format!("{index}PK = :pk"))
            .expression_attribute_values(":pk", s(pk))
            .limit(1)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(out
            .items()
            .first()
            .and_then(|i| i.i64("tg_id"))
            .map(crate::base::types::TelegramId))
    }

    /// Reads up to 100 items by key in one `BatchGetItem`, sending again
    /// what DynamoDB leaves unprocessed (under throttling) after a short
    /// pause, five rounds at most; then an error, for the caller's retry.
    /// Items are returned in no particular order; missing keys are absent.
    pub(crate) async fn batch_get(
        &self,
        keys: Vec<Item>,
        read: Read,
        projection: Option<&str>,
    ) -> Result<Vec<Item>, StoreError> {
        const ROUNDS: u32 = 5;
        let mut items = Vec::new();
        let mut keys = keys;
        for round in 0..ROUNDS {
            if keys.is_empty() {
                return Ok(items);
            }
            if round > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(20 << round)).await;
            }
            let wanted = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(read == Read::Consistent)
                .set_projection_expression(projection.map(str::to_owned))
                .build()
                .map_err(|e| StoreError::Dynamo(e.to_string()))?;
            let mut out = self
                .client
                .batch_get_item()
                .request_items(&self.table, wanted)
                .send()
                .boxed()
                .await
                .map_err(StoreError::from_sdk)?;
            if let Some(got) = out.responses.as_mut().and_then(|r| r.remove(&self.table)) {
                items.extend(got);
            }
            keys = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
        }
        if keys.is_empty() {
            Ok(items)
        } else {
            Err(StoreError::Dynamo(format!(
                "BatchGetItem left keys unprocessed {ROUNDS} times"
            )))
        }
    }

    /// One cheap call that proves the table is reachable (for `/health`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.client
            .describe_table()
            .table_name(&self.table)
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }
}

/// How a transaction ended, when DynamoDB answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transacted {
    /// Every item was written.
    Committed,
    /// Nothing was written: DynamoDB's reason for each item, in order
    /// (`None` for the items that were not the cause).
    Canceled(Vec<Option<String>>),
}

impl Transacted {
    /// Whether the condition of item `i` is what canceled the transaction.
    pub fn condition_failed(&self, i: usize) -> bool {
        matches!(self, Transacted::Canceled(reasons)
            if reasons.get(i).and_then(Option::as_deref) == Some("ConditionalCheckFailed"))
    }

    /// Whether the condition of any item canceled it (not only a conflict).
    pub fn any_condition_failed(&self) -> bool {
        matches!(self, Transacted::Canceled(reasons)
            if reasons.iter().any(|r| r.as_deref() == Some("ConditionalCheckFailed")))
    }

    /// Whether the condition of the last item is what canceled it.
    pub fn last_condition_failed(&self) -> bool {
        matches!(self, Transacted::Canceled(reasons)
            if reasons.last().and_then(Option::as_deref) == Some("ConditionalCheckFailed"))
    }

    /// Whether only conflicts with other transactions canceled it (no
    /// condition failed): running it again may commit.
    pub fn conflict_only(&self) -> bool {
        matches!(self, Transacted::Canceled(reasons)
            if reasons.iter().any(|r| r.as_deref() == Some("TransactionConflict"))
                && reasons.iter().flatten().all(|r| r == "TransactionConflict"))
    }

    /// A cancellation the caller cannot take as an answer: an error to retry.
    pub fn into_error(self) -> StoreError {
        StoreError::Dynamo(format!("transaction {self:?}"))
    }
}

/// Attempts of a transaction canceled by conflicts alone (see
/// [`Store::transact`]); the pauses between them double from
/// [`CONFLICT_PAUSE_MS`] up to [`CONFLICT_PAUSE_MAX_MS`], jittered: about
/// three seconds in all before the caller gets the cancellation.
pub const CONFLICT_ATTEMPTS: u32 = 10;
/// The first pause after a conflict, milliseconds.
pub const CONFLICT_PAUSE_MS: u64 = 10;
/// The longest pause after a conflict, milliseconds.
pub const CONFLICT_PAUSE_MAX_MS: u64 = 640;

/// How a read sees recent writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// Every write acknowledged before the read (twice the read capacity).
    Consistent,
    /// Possibly a second behind (lists, reports).
    Eventual,
}

/// A storage failure. Callers answer 5xx so the sender retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// DynamoDB could not be reached or refused the call.
    #[error("dynamodb: {0}")]
    Dynamo(String),
    /// An item did not have the shape this code writes.
    #[error("corrupt item {key}: {what}")]
    Corrupt {
        /// The item's key.
        key: String,
        /// What was wrong.
        what: String,
    },
}

impl StoreError {
    /// Wraps any SDK error with its full message chain.
    pub fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::Dynamo(aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string())
    }
}

/// The outcome of a conditional write: `Ok(Some(output))` when it went
/// through, `Ok(None)` when its condition did not hold, an error otherwise.
pub(crate) fn unless_condition_failed<T, E, R>(
    result: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(SdkError::ServiceError(e))
            if e.err().code() == Some("ConditionalCheckFailedException") =>
        {
            Ok(None)
        }
        Err(e) => Err(StoreError::from_sdk(e)),
    }
}

/// [`unless_condition_failed`] for a put that asks for the item it found
/// (`ReturnValuesOnConditionCheckFailure::AllOld`): `Ok(Err(old))` when its
/// condition did not hold, `old` being that item when one came back.
pub(crate) fn put_unless_condition_failed<R: std::fmt::Debug>(
    result: Result<PutItemOutput, SdkError<PutItemError, R>>,
) -> Result<Result<PutItemOutput, Option<Item>>, StoreError> {
    match result {
        Ok(out) => Ok(Ok(out)),
        Err(SdkError::ServiceError(e)) => match e.err() {
            PutItemError::ConditionalCheckFailedException(c) => Ok(Err(c.item().cloned())),
            _ => Err(StoreError::from_sdk(SdkError::ServiceError(e))),
        },
        Err(e) => Err(StoreError::from_sdk(e)),
    }
}

/// Key builders: every key format lives here and nowhere else.
pub mod keys {
    use crate::base::types::TelegramId;

    /// Partition key of a user and everything owned by one.
    pub fn user(id: TelegramId) -> String {
        format!("USER#{id}")
    }
    /// Partition of what is kept of a deleted user (`GONE#<id>`, sort key
    /// `GONE`): when, the trial if it was used, the panel account.
    pub fn gone(id: TelegramId) -> String {
        format!("GONE#{id}")
    }
    /// Sort key of the user's profile item.
    pub const PROFILE: &str = "PROFILE";
    /// GSI1 partition key of a referral code.
    pub fn ref_code(code: &str) -> String {
        format!("REF#{code}")
    }
    /// GSI3 partition key of a username (lower-cased, for admin search).
    pub fn username(name: &str) -> String {
        format!("UNAME#{}", name.to_lowercase())
    }
    /// Partition key of an ad campaign's counters.
    pub fn campaign(name: &str) -> String {
        format!("CAMPAIGN#{name}")
    }
    /// Sort key of a campaign's summary item.
    pub const SUMMARY: &str = "SUMMARY";
    /// Partition key of the panel reconciliation runs.
    pub const SYNC: &str = "SYNC";
    /// Sort key of one reconciliation run (`RUN#` alone is the prefix of all).
    pub fn sync_run(id: &str) -> String {
        format!("RUN#{id}")
    }
    /// GSI2 partition key of a subscription ending at `end` (expiry notices
    /// and renewals query a day at a time).
    pub fn expiry_pk(end: i64) -> String {
        format!("EXP#{}", day_of(end))
    }

    /// GSI2 sort key of `user`'s subscription ending at `end`.
    pub fn expiry_sk(user: TelegramId, end: i64) -> String {
        format!("{end}#{user}")
    }
    /// GSI2 partition key of the orders created on the day of `created`
    /// while they are pending (the stuck-payment re-check queries a day at a time).
    pub fn pending_pk(created: i64) -> String {
        format!("PENDING#{}", day_of(created))
    }
    /// `yyyy-mm-dd` of a unix time (UTC).
    pub fn day_of(ts: i64) -> String {
        chrono::DateTime::from_timestamp(ts, 0)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

/// Retries a plain write DynamoDB refused because a transaction held its
/// item (`TransactionConflictException`, which the SDK's own classifiers do
/// not retry): a counter `ADD` or a touch must not fail because a payment's
/// transaction was writing the same item at that moment.
#[derive(Debug)]
pub struct ConflictRetry<E>(std::marker::PhantomData<fn() -> E>);

impl<E> ConflictRetry<E> {
    /// The classifier for the operation whose error is `E`.
    pub fn new() -> Self {
        ConflictRetry(std::marker::PhantomData)
    }
}

impl<E> Default for ConflictRetry<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> aws_sdk_dynamodb::config::retry::ClassifyRetry for ConflictRetry<E>
where
    E: std::error::Error + aws_sdk_dynamodb::error::ProvideErrorMetadata + Send + Sync + 'static,
{
    fn classify_retry(
        &self,
        ctx: &aws_sdk_dynamodb::config::interceptors::InterceptorContext,
    ) -> aws_sdk_dynamodb::config::retry::RetryAction {
        use aws_sdk_dynamodb::config::retry::RetryAction;
        let conflict = ctx
            .output_or_error()
            .and_then(|r| r.err())
            .and_then(|e| e.as_operation_error())
            .and_then(|e| e.downcast_ref::<E>())
            .is_some_and(|e| e.code() == Some("TransactionConflictException"));
        if conflict {
            RetryAction::transient_error()
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "TransactionConflictException"
    }
}

/// The DynamoDB client for `aws`, retrying plain writes refused for a
/// transaction conflict (see [`ConflictRetry`]).
pub fn dynamodb_client(aws: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::operation::{
        delete_item::DeleteItemError, put_item::PutItemError, update_item::UpdateItemError,
    };
    // Conflicts clear in milliseconds: retry sooner and a little more often
    // than the SDK's default (3 attempts, pauses from one second).
    let retry = aws_sdk_dynamodb::config::retry::RetryConfig::standard()
        .with_max_attempts(6)
        .with_initial_backoff(std::time::Duration::from_millis(20))
        .with_max_backoff(std::time::Duration::from_secs(1));
    let conf = aws_sdk_dynamodb::config::Builder::from(aws)
        .retry_config(retry)
        .retry_classifier(ConflictRetry::<UpdateItemError>::new())
        .retry_classifier(ConflictRetry::<PutItemError>::new())
        .retry_classifier(ConflictRetry::<DeleteItemError>::new())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}
