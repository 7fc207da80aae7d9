//! Payment links for the providers that send the user to a payment page,
//! and the Crypto Pay quote for invoices priced in a crypto asset.

use crate::adapters::app::App;
use crate::adapters::pay::{Money, PayError, cryptopay, freekassa, platega, severpay, yookassa};
use crate::adapters::store::StoreError;
use crate::adapters::store::users::User;
use crate::base::config::CryptoCurrencyType;
use crate::base::money::Rate;
use crate::base::types::Kopecks;
use crate::base::types::Provider;
use crate::domains::money::orders::{Order, Quote};

/// How long a Crypto Pay invoice can be paid (the payment-link message
/// says until when).
pub const CRYPTOPAY_INVOICE_SECS: i64 = 3600;

/// Why a checkout could not start.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// Our storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The provider could not create the payment.
    #[error("provider: {0}")]
    Provider(String),
    /// Another part of the business failed (the after-payment effects of
    /// a re-delivered balance press, a change that kept racing).
    #[error(transparent)]
    Domain(#[from] crate::domains::error::Error),
}

impl From<CheckoutError> for crate::domains::error::Error {
    fn from(e: CheckoutError) -> crate::domains::error::Error {
        use crate::domains::error::Error;
        match e {
            CheckoutError::Store(e) => Error::Store(e),
            CheckoutError::Provider(why) => Error::Text(format!("provider: {why}")),
            CheckoutError::Domain(e) => e,
        }
    }
}

/// Creates the provider-side payment for `order` and returns the page to pay on.
pub async fn create_link(
    app: &App,
    user: &User,
    order: &Order,
    provider: Provider,
    save_card: bool,
) -> Result<String, CheckoutError> {
    let fail = |e: PayError| CheckoutError::Provider(e.to_string());
    let description = describe(user, order);
    let bot_link = app
        .bot_username()
        .await
        .map(|u| format!("https://t.me/{u}"));
    match provider {
        Provider::Yookassa => {
            let cfg = app
                .config
                .yookassa
                .as_ref()
                .ok_or_else(|| not_enabled(provider))?;
            let created = yookassa::create_payment(
                &app.http,
                cfg,
                &yookassa::CreatePayment {
                    order: order.id.clone(),
                    user: user.id,
                    amount: rubles(order)?,
                    description: description.clone(),
                    item_description: description,
                    email: None,
                    save_card,
                    saved_method_id: None,
                    fallback_return_url: bot_link,
                },
            )
            .await
            .map_err(fail)?;
            app.store
                .set_provider_ref(&order.id, &created.payment_id)
                .await?;
            created
                .confirmation_url
                .ok_or_else(|| CheckoutError::Provider("yookassa: no confirmation_url".into()))
        }
        Provider::Cryptopay => {
            let cfg = app
                .config
                .cryptopay
                .as_ref()
                .ok_or_else(|| not_enabled(provider))?;
            let price = match &order.amount {
                Money::Rub(amount) => cryptopay::InvoicePrice::Fiat {
                    amount: *amount,
                    accepted_assets: Vec::new(),
                },
                Money::Crypto(amount) => cryptopay::InvoicePrice::Crypto(amount.clone()),
                other => {
                    return Err(CheckoutError::Provider(format!(
                        "cryptopay: cannot invoice {other}"
                    )));
                }
            };
            let created = cryptopay::create_invoice(
                &app.http,
                cfg,
                &cryptopay::CreateInvoice {
                    order: order.id.clone(),
                    price,
                    description,
                    expires_in: CRYPTOPAY_INVOICE_SECS as u32,
                    paid_button_url: bot_link,
                },
            )
            .await
            .map_err(fail)?;
            app.store
                .set_provider_ref(&order.id, &created.invoice_id.to_string())
                .await?;
            Ok(created.pay_url)
        }
        Provider::Freekassa => {
            let cfg = app
                .config
                .freekassa
                .as_ref()
                .ok_or_else(|| not_enabled(provider))?;
            let amount = rubles(order)?;
            // The API takes an order only with the payer's IP; without
            // FREEKASSA_PAYMENT_IP the form serves.
            if cfg.api_key.is_some() && cfg.payment_ip.is_some() {
                freekassa::create_order(
                    &app.http,
                    cfg,
                    &freekassa::CreateOrder {
                        order: order.id.clone(),
                        amount,
                        email: None,
                        user: user.id,
                    },
                )
                .await
                .map_err(fail)
            } else {
                Ok(freekassa::payment_url(
                    cfg, &order.id, amount, None, user.lang,
                ))
            }
        }
        Provider::Platega => {
            let cfg = app
                .config
                .platega
                .as_ref()
                .ok_or_else(|| not_enabled(provider))?;
            let created = platega::create_transaction(
                &app.http,
                cfg,
                &platega::CreateTransaction {
                    order: order.id.clone(),
                    amount: rubles(order)?,
                    description,
                    fallback_return_url: bot_link,
                },
            )
            .await
            .map_err(fail)?;
            app.store.set_provider_ref(&order.id, &created.id).await?;
            Ok(created.redirect)
        }
        Provider::Severpay => {
            let cfg = app
                .config
                .severpay
                .as_ref()
                .ok_or_else(|| not_enabled(provider))?;
            let created = severpay::create_payin(
                &app.http,
                cfg,
                &severpay::CreatePayin {
                    order: order.id.clone(),
                    amount: rubles(order)?,
                    user: user.id,
                    fallback_return_url: bot_link,
                },
            )
            .await
            .map_err(fail)?;
            app.store.set_provider_ref(&order.id, &created.id).await?;
            Ok(created.url)
        }
        other => Err(not_enabled(other)),
    }
}

/// The order's price in rubles, for a provider that charges only rubles.
fn rubles(order: &Order) -> Result<Kopecks, CheckoutError> {
    order.amount.as_rub().ok_or_else(|| {
        CheckoutError::Provider(format!(
            "{} charges rubles, the order is priced in {}",
            order.provider.code(),
            order.amount.currency()
        ))
    })
}

fn not_enabled(provider: Provider) -> CheckoutError {
    CheckoutError::Provider(format!("{} does not issue payment links", provider.code()))
}

fn describe(user: &User, order: &Order) -> String {
    crate::domains::money::catalog::title(user.lang, order.purchase)
}

/// The price of `rub` in the configured Crypto Pay asset when invoices are
/// priced in crypto (`CRYPTOPAY_CURRENCY_TYPE=crypto`): Crypto Pay's own
/// exchange rate, the conversion rounded up to the asset's usual precision
/// ([`Rate::asset_for`]). The quote (rubles and rate) goes on the order
/// with the asset amount. `None` in fiat mode.
pub async fn crypto_quote(
    app: &App,
    rub: Kopecks,
) -> Result<Option<(Quote, Money)>, CheckoutError> {
    let Some(cfg) = app
        .config
        .cryptopay
        .as_ref()
        .filter(|c| c.currency_type == CryptoCurrencyType::Crypto)
    else {
        return Ok(None);
    };
    let asset = cfg.asset.to_ascii_uppercase();
    let rate = cryptopay::exchange_rate(&app.http, cfg, &asset)
        .await
        .map_err(|e| CheckoutError::Provider(format!("cryptopay rates: {e}")))?
        .ok_or_else(|| CheckoutError::Provider(format!("cryptopay: no valid {asset}/RUB rate")))?;
    let quoted = Rate::parse(&asset, &rate)
        .and_then(|rate| Quote::new(rub, rate))
        .ok_or_else(|| CheckoutError::Provider(format!("cryptopay: unusable rate {rate:?}")))?;
    Ok(Some(quoted))
}
