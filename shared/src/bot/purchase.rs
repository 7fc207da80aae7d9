//! The purchase flow: a buying button's screen, or the order started with
//! the provider (a payment link, a Stars invoice, paid from the balance),
//! a balance press keyed so that pressed twice it is one purchase.

use super::BotError;
use super::buy;
use super::reply::{answer_callback, done, show};
use super::screens;
use crate::adapters::app::App;
use crate::adapters::store::users::User;
use crate::base::clock::now;
use crate::base::i18n::t;
use teloxide_core::types::CallbackQuery;

/// A buying button: its screen, or the order started with the provider.
pub(super) async fn on_buy(
    app: &App,
    q: &CallbackQuery,
    user: &User,
    action: crate::base::callback::BuyAction,
) -> Result<(), BotError> {
    use crate::adapters::pay::Money;
    use crate::base::callback::BuyAction;
    use crate::base::types::Provider;
    use crate::domains::money::orders::Purchase;
    let config = &app.config;
    let mut save_card = false;
    let (purchase, amount, provider) = match action {
        BuyAction::Plans => return done(app, q, user, buy::plans(config, user)).await,
        BuyAction::PlansFromSubscription => {
            return done(app, q, user, buy::plans_from(config, user, true)).await;
        }
        BuyAction::Plan(p) => return done(app, q, user, buy::plan_checkout(config, user, p)).await,
        BuyAction::MoreDevices => return done(app, q, user, buy::more_devices(config, user)).await,
        BuyAction::MoreTraffic => return done(app, q, user, buy::more_traffic(config, user)).await,
        BuyAction::PlanSaveCard(p, save) => {
            let product = crate::base::types::Product::Period(p);
            let screen = buy::plan_checkout_saving(config, user, product, save);
            return done(app, q, user, screen).await;
        }
        BuyAction::TopUp => {
            // Also the cancel of a custom amount's question: it closes.
            if buy::awaiting_amount(user, now()) {
                app.store.clear_state(user.id).await?;
            }
            return done(app, q, user, buy::topup(config, user)).await;
        }
        BuyAction::TopUpAmount(rub) => {
            return done(app, q, user, buy::topup_checkout(config, user, rub)).await;
        }
        BuyAction::TopUpCustom => {
            app.store
                .set_state(user.id, buy::AWAITING_AMOUNT, now())
                .await?;
            let screen = buy::ask_amount(user.lang, "topup-ask-amount");
            return done(app, q, user, screen).await;
        }
        BuyAction::History(cursor) => {
            let (rows, next) = app
                .store
                .ledger_page(user.id, cursor.as_deref(), buy::HISTORY_PAGE)
                .await?;
            return done(app, q, user, buy::history(config, user, &rows, next)).await;
        }
        BuyAction::Pay(product, provider) => {
            let purchase = Purchase::from(product);
            let Some(amount) =
                crate::domains::money::checkout::price(app, user, purchase, provider)
            else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            (purchase, amount, provider)
        }
        BuyAction::PaySavingCard(period) => {
            let purchase = Purchase::Plan(period);
            let price = buy::offers_saving_card(config)
                .then(|| {
                    crate::domains::money::checkout::price(app, user, purchase, Provider::Yookassa)
                })
                .flatten();
            let Some(amount) = price else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            save_card = true;
            (purchase, amount, Provider::Yookassa)
        }
        BuyAction::PayFromBalance(product, _) => {
            let purchase = Purchase::from(product);
            let Some(amount) =
                crate::domains::money::checkout::price(app, user, purchase, Provider::Balance)
            else {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            };
            (purchase, amount, Provider::Balance)
        }
        BuyAction::TopUpPay(rub, provider) => {
            if !crate::domains::money::catalog::rub_providers(config).contains(&provider) {
                answer_callback(app, q, Some(t(user.lang, "method-unavailable")), true).await;
                return Ok(());
            }
            let rubles = crate::base::types::Kopecks::from_rubles(u64::from(rub));
            (Purchase::TopUp(rubles), Money::rub(rubles), provider)
        }
    };
    use crate::domains::money::checkout::Checkout;
    use crate::domains::money::links::CheckoutError;
    // A balance press is keyed by the message and the button: pressed twice
    // or re-delivered, it is one purchase. (Old buttons without a stamp fall
    // back to the callback id, which survives re-delivery.)
    let key = match q.message.as_ref() {
        Some(m) => format!("{}:{}", m.id().0, q.data.as_deref().unwrap_or_default()),
        None => format!("cb:{}", q.id.0),
    };
    let key = match q.data.as_deref().map(|d| d.starts_with("payb:")) {
        Some(true) => key,
        _ => format!("cb:{}", q.id.0),
    };
    let req = crate::domains::money::checkout::CheckoutRequest {
        user,
        purchase,
        amount: amount.clone(),
        provider,
        press: Some(&key),
        save_card,
        invoice_link: false,
    };
    match crate::domains::money::checkout::start(app, req).await {
        Ok(Checkout::Link {
            url,
            order,
            discount,
        }) => {
            let text = crate::domains::money::effects::amount_text(app, user.lang, &order.amount);
            let expires = (order.provider == crate::base::types::Provider::Cryptopay)
                .then_some(order.created_at + crate::domains::money::links::CRYPTOPAY_INVOICE_SECS);
            let mut screen = buy::pay_link(user.lang, &url, purchase, text, expires);
            buy::discount_note(user.lang, discount, &mut screen);
            done(app, q, user, screen).await
        }
        Ok(Checkout::InvoiceSent(_)) => {
            answer_callback(app, q, None, false).await;
            Ok(())
        }
        Ok(Checkout::Paid(credit)) => {
            answer_callback(app, q, None, false).await;
            if let Err(e) = crate::domains::money::effects::after_credit(app, &credit).await {
                // The update fails, so Telegram re-delivers the press: the
                // same order, found paid, finishes what is left.
                return Err(BotError::Domain(e));
            }
            show(
                app,
                q,
                &credit.user,
                &screens::subscription(config, &credit.user, None, now()),
            )
            .await;
            Ok(())
        }
        Ok(Checkout::Refused(key)) => {
            answer_callback(app, q, Some(t(user.lang, key)), true).await;
            Ok(())
        }
        Err(CheckoutError::Store(e)) => Err(e.into()),
        Err(CheckoutError::Domain(e)) => Err(e.into()),
        Err(CheckoutError::Provider(e)) => {
            tracing::error!(provider = provider.code(), "payment could not start: {e}");
            answer_callback(app, q, Some(t(user.lang, "payment-start-failed")), true).await;
            Ok(())
        }
    }
}
