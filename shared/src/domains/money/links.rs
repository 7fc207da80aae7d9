//! Payment links for the providers that send the user to a payment page,
//! and the Crypto Pay quote for invoices priced in a crypto asset.

use crate::adapters::app::App;
use crate::adapters::pay::{self, Money, PayError, cryptopay, freekassa, yookassa};
use crate::adapters::store::StoreError;
use crate::adapters::store::users::User;
use crate::base::config::CryptoCurrencyType;
use crate::base::i18n::{Arg, t, tr};
use crate::base::types::Kopecks;
use crate::base::types::Provider;
use crate::domains::money::orders::{Order, Purchase};

/// Why a checkout could not start.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// Our storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The provider could not create the payment.
    #[error("provider: {0}")]
    Provider(String),
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
                    amount: Kopecks(order.amount.minor),
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
            let price = if order.amount.currency == "RUB" {
                cryptopay::InvoicePrice::Fiat {
                    amount: Kopecks(order.amount.minor),
                    accepted_assets: Vec::new(),
                }
            } else {
                cryptopay::InvoicePrice::Crypto {
                    asset: order.amount.currency.clone(),
                    amount: decimal(order.amount.minor, cryptopay::CRYPTO_DECIMALS),
                }
            };
            let created = cryptopay::create_invoice(
                &app.http,
                cfg,
                &cryptopay::CreateInvoice {
                    order: order.id.clone(),
                    price,
                    description,
                    expires_in: 3600,
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
            let amount = Kopecks(order.amount.minor);
            if cfg.api_key.is_some() {
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
        other => Err(not_enabled(other)),
    }
}

fn not_enabled(provider: Provider) -> CheckoutError {
    CheckoutError::Provider(format!("{} does not issue payment links", provider.code()))
}

fn describe(user: &User, order: &Order) -> String {
    match order.purchase {
        Purchase::Plan(p) => tr(
            user.lang,
            "invoice-title",
            &[("months", Arg::Num(i64::from(p.months())))],
        ),
        Purchase::TopUp => t(user.lang, "log-what-topup"),
    }
}

/// The price of `rub` in the configured Crypto Pay asset when invoices are
/// priced in crypto (`CRYPTOPAY_CURRENCY_TYPE=crypto`): Crypto Pay's own
/// exchange rate, rounded up to the asset's usual precision. `None` in fiat mode.
pub async fn crypto_quote(app: &App, rub: Kopecks) -> Result<Option<Money>, CheckoutError> {
    let Some(cfg) = app
        .config
        .cryptopay
        .as_ref()
        .filter(|c| c.currency_type == CryptoCurrencyType::Crypto)
    else {
        return Ok(None);
    };
    let asset = cfg.asset.to_ascii_uppercase();
    let url = format!("{}/getExchangeRates", cfg.api_url.trim_end_matches('/'));
    let resp: serde_json::Value = app
        .http
        .get(url)
        .header("Crypto-Pay-API-Token", &cfg.token)
        .send()
        .await
        .map_err(|e| CheckoutError::Provider(format!("cryptopay rates: {}", e.without_url())))?
        .json()
        .await
        .map_err(|e| CheckoutError::Provider(format!("cryptopay rates: {e}")))?;
    let rate = resp["result"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["source"] == asset.as_str() && r["target"] == "RUB" && r["is_valid"] != false)
        .and_then(|r| r["rate"].as_str().map(str::to_owned))
        .ok_or_else(|| CheckoutError::Provider(format!("cryptopay: no valid {asset}/RUB rate")))?;
    let minor = quote(rub, &rate, precision(&asset))
        .ok_or_else(|| CheckoutError::Provider(format!("cryptopay: unusable rate {rate:?}")))?;
    Ok(Some(Money {
        minor,
        currency: asset,
    }))
}

/// Decimal places an asset is priced with.
fn precision(asset: &str) -> u32 {
    match asset {
        "USDT" | "USDC" | "TRX" => 2,
        "TON" | "LTC" | "BNB" => 4,
        "BTC" | "ETH" => 8,
        _ => 6,
    }
}

/// `rub / rate` in the asset, rounded up to `places`, as minor units with
/// [`cryptopay::CRYPTO_DECIMALS`] places. Integer arithmetic only.
pub fn quote(rub: Kopecks, rate: &str, places: u32) -> Option<u64> {
    const RATE_PLACES: u32 = 8;
    let rate = u128::from(pay::parse_minor(rate, RATE_PLACES)?);
    if rate == 0 {
        return None;
    }
    // asset = kopecks / 100 / (rate / 10^8); in units of 10^-places:
    let num = u128::from(rub.0) * 10u128.pow(RATE_PLACES) * 10u128.pow(places);
    let den = rate * 100;
    let units = num.div_ceil(den);
    let scaled = units.checked_mul(10u128.pow(cryptopay::CRYPTO_DECIMALS.checked_sub(places)?))?;
    u64::try_from(scaled).ok()
}

/// Minor units as a decimal string without trailing zeros ("3.5").
pub fn decimal(minor: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let whole = minor / scale;
    let frac = minor % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = places as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_round_up_to_the_asset_precision() {
        // 199 RUB at 95.5 RUB per USDT = 2.0837... → 2.09 USDT.
        assert_eq!(quote(Kopecks(19_900), "95.5", 2), Some(2_090_000_000));
        // Exact division stays exact: 100 RUB at 100 RUB/USDT = 1 USDT.
        assert_eq!(quote(Kopecks(10_000), "100", 2), Some(1_000_000_000));
        assert_eq!(quote(Kopecks(10_000), "0", 2), None);
        assert_eq!(quote(Kopecks(10_000), "abc", 2), None);
        assert_eq!(decimal(2_090_000_000, 9), "2.09");
        assert_eq!(decimal(1_000_000_000, 9), "1");
    }
}
