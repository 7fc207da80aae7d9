//! A Mini App's press: one request the page may send again (a double tap,
//! a retry after a lost answer) keyed by the id the page drew for it. The
//! first request takes a short lease, does the work and keeps its answer;
//! a repeat gets that answer back instead of doing the work again (the
//! idempotency record of Powertools for AWS Lambda, in one item).

use super::attrs::{ItemExt, n, s};
use super::{Store, StoreError, put_unless_condition_failed};
use crate::base::types::TelegramId;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use futures::FutureExt;

/// How long a press in progress holds its lease before a repeat may take over.
pub const LEASE_SECS: i64 = 60;
/// How long a finished press's answer is kept.
pub const KEEP_SECS: i64 = 7 * 86_400;

/// What taking a press found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// This request owns the press: do the work, then [`Store::finish_press`].
    Acquired,
    /// The same press is being handled by another request right now.
    InProgress,
    /// The press was handled: its answer (status and JSON body).
    Done(u16, String),
}

/// Partition key of a press (`PRESS#<user>#<id>`, sort key `PRESS`).
fn key(user: TelegramId, id: &str) -> String {
    format!("PRESS#{user}#{id}")
}

impl Store {
    /// Takes the press `id` of `user` at `now`, unless it is done or another
    /// request holds its lease.
    pub async fn take_press(
        &self,
        user: TelegramId,
        id: &str,
        now: i64,
    ) -> Result<Press, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("PK", s(key(user, id)))
            .item("SK", s("PRESS"))
            .item("lease", n(now + LEASE_SECS))
            .item("ttl", n(now + KEEP_SECS))
            .condition_expression(
                "attribute_not_exists(PK) OR (attribute_not_exists(answer) AND lease < :now)",
            )
            .expression_attribute_values(":now", n(now))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .boxed()
            .await;
        match put_unless_condition_failed(result)? {
            Ok(_) => Ok(Press::Acquired),
            Err(old) => {
                let old = old.unwrap_or_default();
                match (old.i64("status"), old.str("answer")) {
                    (Some(status), Some(answer)) => {
                        Ok(Press::Done(status as u16, answer.to_owned()))
                    }
                    _ => Ok(Press::InProgress),
                }
            }
        }
    }

    /// Keeps the answer of a press this request took.
    pub async fn finish_press(
        &self,
        user: TelegramId,
        id: &str,
        status: u16,
        answer: &str,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("PK", s(key(user, id)))
            .key("SK", s("PRESS"))
            .update_expression("SET #status = :s, answer = :a REMOVE lease")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":s", n(status))
            .expression_attribute_values(":a", s(answer))
            .send()
            .boxed()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// Lets go of a press whose work failed on our side, so a repeat does it.
    pub async fn release_press(&self, user: TelegramId, id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(key(user, id)))
            .key("SK", s("PRESS"))
            .condition_expression("attribute_not_exists(answer)")
            .send()
            .boxed()
            .await
            .map(|_| ())
            .or_else(|e| match e.as_service_error() {
                Some(se) if se.is_conditional_check_failed_exception() => Ok(()),
                _ => Err(StoreError::from_sdk(e)),
            })
    }
}
