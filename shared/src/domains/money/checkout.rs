//! Starting a payment: write the order, then hand the user to the provider
//! (or pay from the balance right away).

use crate::adapters::app::App;
use crate::adapters::pay::{Money, OrderId};
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::i18n::t;
use crate::base::types::Provider;
use crate::domains::money::catalog;
use crate::domains::money::effects::finish_effects;
use crate::domains::money::links::CheckoutError;
use crate::domains::money::orders::{CreditOutcome, Order, Payment, Purchase};
use teloxide_core::payloads::{CreateInvoiceLinkSetters, SendInvoiceSetters};
use teloxide_core::requests::Requester;
use teloxide_core::types::{ChatId, LabeledPrice};

/// Where the user goes next.
#[derive(Debug)]
pub enum Checkout {
    /// Follow this link to pay.
    Link {
        /// The provider's payment page.
        url: String,
        /// The order.
        order: Order,
        /// What became of the user's promo discount.
        discount: DiscountNote,
    },
    /// A Telegram Stars invoice was sent to the chat.
    InvoiceSent(Order),
    /// Paid from the balance and credited.
    Paid(Box<crate::domains::money::orders::Credit>),
    /// Refused, with the text key to show.
    Refused(&'static str),
}

/// What an order did with the promo discount its buyer holds: the screen
/// says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountNote {
    /// No discount (none held, or not a plan).
    None,
    /// Reserved for this order for the minutes given.
    Applied {
        /// Percent off.
        percent: u32,
        /// How long the reservation holds.
        minutes: i64,
    },
    /// Reserved for this order, taken from an earlier unpaid one.
    Moved {
        /// Percent off.
        percent: u32,
        /// How long the reservation holds.
        minutes: i64,
    },
}

/// Reserves the discount `user` holds for `order`, a plan, for
/// `DISCOUNT_PROMO_PAYMENT_TIMEOUT_MINUTES`: only this order can use it up,
/// and only if paid within that time; an earlier order loses it. When the
/// user no longer holds it (used or replaced meanwhile), the order is priced
/// in full instead.
pub async fn reserve_discount(
    app: &App,
    user: &User,
    order: &mut Order,
    ts: i64,
) -> Result<DiscountNote, CheckoutError> {
    if order.purchase.product().is_none() {
        return Ok(DiscountNote::None);
    }
    let Some(d) = user.discount_at(ts) else {
        return Ok(DiscountNote::None);
    };
    let until = ts + app.config.growth.discount_hold_secs;
    if !app
        .store
        .reserve_discount(user.id, &d.code, &order.id.0, ts, until)
        .await?
    {
        if let Some(full) =
            catalog::list_price(&app.config, user, order.purchase, order.provider, ts)
        {
            order.amount = full;
        }
        return Ok(DiscountNote::None);
    }
    order.discount_code = Some(d.code.clone());
    let (percent, minutes) = (d.percent, app.config.growth.discount_hold_secs / 60);
    Ok(match d.held_by_other(&order.id.0, ts) {
        Some(_) => DiscountNote::Moved { percent, minutes },
        None => DiscountNote::Applied { percent, minutes },
    })
}

/// What `user` pays for `purchase` through `provider`, if it is sold that
/// way (a promo discount the user holds is taken off).
pub fn price(app: &App, user: &User, purchase: Purchase, provider: Provider) -> Option<Money> {
    catalog::price(&app.config, user, purchase, provider, now())
}

/// The id of a balance order made by the press `key` of `user`: 32 hex
/// characters of SHA-256, like every order id.
fn keyed_order_id(user: &User, key: &str) -> OrderId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("balance:{}:{key}", user.id).as_bytes());
    OrderId(hex::encode(&digest[..16]))
}

/// What the user asked to pay for, and how.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    /// The buyer.
    pub user: &'a User,
    /// What they buy.
    pub purchase: Purchase,
    /// The price shown to them (a plan's is priced again here, with the
    /// discount only if it can be reserved).
    pub amount: Money,
    /// How they pay.
    pub provider: Provider,
    /// The press that asked, for a balance purchase: a repeated press is
    /// the same order, so it debits once.
    pub press: Option<&'a str>,
    /// The user's "save my card" choice (YooKassa asks to save the method
    /// when autopayments are on; with card binding required it always does).
    pub save_card: bool,
    /// A Stars purchase as an invoice link (the Mini App opens it with
    /// `openInvoice`) instead of an invoice message in the chat.
    pub invoice_link: bool,
}

/// Creates the order and starts paying it.
pub async fn start(app: &App, req: CheckoutRequest<'_>) -> Result<Checkout, CheckoutError> {
    let CheckoutRequest {
        user,
        purchase,
        amount,
        provider,
        press: key,
        save_card,
        invoice_link,
    } = req;
    let ts = now();
    if !catalog::sells(&app.config, purchase, provider) {
        return Ok(Checkout::Refused("method-unavailable"));
    }
    if let Some(why) = purchase
        .product()
        .and_then(|p| catalog::refusal(&app.config, user, p, ts))
    {
        return Ok(Checkout::Refused(why));
    }
    let mut order = Order::new(user.id, purchase, amount, provider, ts);
    if let Purchase::Plan(_) = purchase {
        order.extra_devices = catalog::renewed_slots(&app.config, user, ts);
    }
    if provider == Provider::Balance
        && let Some(key) = key
    {
        // The same press (a double tap, Telegram re-delivering it) is the
        // same order, so it debits once.
        order.id = keyed_order_id(user, key);
    }
    let discount = reserve_discount(app, user, &mut order, ts).await?;
    // Crypto Pay in crypto: the ruble price converted once, at the rate
    // quoted now, and both kept on the order.
    if let (Provider::Cryptopay, Some(rub)) = (provider, order.amount.as_rub())
        && let Some((quote, asset)) = crate::domains::money::links::crypto_quote(app, rub).await?
    {
        order.amount = asset;
        order.quote = Some(quote);
    }
    if provider == Provider::Balance {
        if !app.store.create_order_if_absent(&order).await? {
            if let Some(existing) = app.store.get_order(&order.id).await? {
                // A re-delivered press: finish what the first one left.
                finish_effects(app, &existing, true).await?;
            }
            return Ok(Checkout::Refused("payment-already-paid"));
        }
        if order
            .amount
            .as_rub()
            .is_none_or(|price| user.balance < price)
        {
            app.store.cancel_order(&order.id, ts).await?;
            return Ok(Checkout::Refused("balance-too-low"));
        }
    } else {
        app.store.create_order(&order).await?;
    }
    match provider {
        Provider::Balance => {
            let payment = Payment {
                order: order.id.clone(),
                amount: order.amount.clone(),
                provider_ref: format!("balance:{}", order.id),
            };
            match crate::domains::money::orders::credit(&app.store, &app.config, &payment, ts)
                .await?
            {
                CreditOutcome::Credited(credit) => Ok(Checkout::Paid(credit)),
                CreditOutcome::InsufficientBalance(order) => {
                    app.store.cancel_order(&order.id, ts).await?;
                    Ok(Checkout::Refused("balance-too-low"))
                }
                CreditOutcome::DiscountUsed(order) => {
                    app.store.cancel_order(&order.id, ts).await?;
                    Ok(Checkout::Refused("payment-discount-gone"))
                }
                CreditOutcome::Duplicate(existing) => {
                    finish_effects(app, &existing, true).await?;
                    Ok(Checkout::Refused("payment-already-paid"))
                }
                other => Err(CheckoutError::Provider(format!(
                    "balance payment not credited: {other:?}"
                ))),
            }
        }
        Provider::Stars => {
            let lang = user.lang;
            let title = catalog::title(lang, purchase);
            let stars = order
                .amount
                .as_stars()
                .ok_or_else(|| {
                    CheckoutError::Provider("a Stars invoice needs a price in Stars".into())
                })?
                .0;
            let prices = vec![LabeledPrice {
                label: title.clone(),
                amount: stars,
            }];
            let description = t(lang, "invoice-description");
            if invoice_link {
                // The same invoice (payload = the order id), as a link: the
                // payment arrives as the chat's `successful_payment` all the same.
                let url = app
                    .bot
                    .create_invoice_link(title, description, order.id.0.clone(), "XTR", prices)
                    .provider_token("")
                    .await
                    .map_err(|e| CheckoutError::Provider(format!("createInvoiceLink: {e}")))?;
                return Ok(Checkout::Link {
                    url,
                    order,
                    discount,
                });
            }
            app.bot
                .send_invoice(
                    ChatId(user.id.0),
                    title,
                    description,
                    order.id.0.clone(),
                    "XTR",
                    prices,
                )
                .provider_token("")
                .await
                .map_err(|e| CheckoutError::Provider(format!("sendInvoice: {e}")))?;
            Ok(Checkout::InvoiceSent(order))
        }
        other => crate::domains::money::links::create_link(app, user, &order, other, save_card)
            .await
            .map(|url| Checkout::Link {
                url,
                order,
                discount,
            }),
    }
}
