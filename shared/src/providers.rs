//! Payment links for the providers that redirect the user to a payment page.

use crate::app::App;
use crate::checkout::CheckoutError;
use crate::orders::Order;
use crate::pay::Provider;
use crate::store::users::User;

/// Creates the provider-side payment for `order` and returns the page to pay on.
pub async fn create_link(
    app: &App,
    user: &User,
    order: &Order,
    provider: Provider,
) -> Result<String, CheckoutError> {
    let _ = (app, user, order);
    Err(CheckoutError::Provider(format!(
        "{} links are being integrated",
        provider.code()
    )))
}
