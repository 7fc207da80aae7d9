# English texts of the bot. Keys are meanings; values are HTML for Telegram.

language-name = 🇬🇧 English
language-choose = Choose your language:

welcome =
    👋 Hello, <b>{ $name }</b>!

    This bot sells a fast and private VPN. Pick a plan, pay the way you like, and get your connection link in seconds.
menu-title = <b>{ $name }</b>, what would you like to do?

btn-subscription = 🔐 My subscription
btn-profile = 👤 Profile and balance
btn-referrals = 🎁 Invite friends
btn-language = 🌐 Language
btn-support = 💬 Support
btn-server-status = 📶 Server status
btn-terms = 📄 Terms of service
btn-back = ⬅️ Back
btn-connect = 🚀 Connect
btn-mini-app = 📱 Open subscription page
btn-share = 📤 Share the link
btn-join-channel = 📢 Join the channel
btn-check-again = ✅ I joined, check again

days-count = { $count ->
    [one] { $count } day
   *[other] { $count } days
}

profile =
    👤 <b>{ $name }</b>
    ID: <code>{ $id }</code>
    Registered: { $date }
    Language: { $lang }

    💰 Balance: <b>{ $amount }</b>
    🔐 { $status }

sub-active-until = Subscription active until <b>{ $date }</b> ({ $days } left)
sub-expired-on = Subscription expired on { $date }
sub-none = You have no active subscription yet.
sub-link = Your subscription link:
    <code>{ $link }</code>

referrals =
    🎁 <b>Invite friends</b>

    Your link:
    <code>{ $link }</code>

    Friends invited: <b>{ $count }</b>
referral-bonus-title = Bonuses when a friend pays:
referral-bonus-line = • { $months } mo.: you get { $inviter }, your friend gets { $friend }
referral-share-text = A VPN that just works — try it:

channel-required = To use the bot, please join our channel first, then press “check again”.
channel-still-missing = You are not in the channel yet. Join it and press the button again.

banned = Access to this bot has been restricted.
rate-limited = Too many requests. Please wait a few seconds.

payment-unknown-order = This order is unknown or has expired. Please create a new one in the bot.

log-new-user = 🆕 New user: { $name } ({ $username }), id <code>{ $id }</code>
log-new-user-referrer = invited by <code>{ $referrer }</code>
log-new-user-campaign = campaign: { $campaign }

btn-buy = 🛒 Buy subscription
btn-renew = 🔄 Renew subscription
btn-topup = 💳 Top up balance
btn-history = 🧾 Payment history
btn-pay = 💳 Pay
btn-more = ⏬ Older
btn-topup-custom = ✏️ Other amount

plans-title = 🛒 <b>Choose a plan</b>
plan-price-line = { $months ->
    [one] { $months } month
   *[other] { $months } months
} — { $price }
checkout-title = { $plan }

    How would you like to pay?
method-yookassa = 💳 Card / SBP
method-cryptopay = 🪙 Crypto (CryptoBot)
method-stars = ⭐ Telegram Stars
method-freekassa = 💳 FreeKassa
method-tribute = 💎 Tribute
method-balance = 👛 From balance ({ $amount })
method-unavailable = This payment method is not available for this purchase.

topup-title = 💰 Balance: <b>{ $amount }</b>

    How much would you like to add?
topup-checkout = Top up by <b>{ $amount }</b>. How would you like to pay?
topup-ask-amount = Send the amount in rubles, from { $min } to { $max }.
topup-amount-invalid = That is not an amount I can accept. Send a whole number of rubles from { $min } to { $max }.
pay-link = Your order for <b>{ $amount }</b> is ready. Press “Pay” to open the payment page; the bot will message you as soon as the payment arrives.
payment-start-failed = The payment service did not respond. Please try again in a minute.
balance-too-low = Your balance is not enough for this purchase.

invoice-title = VPN for { $months ->
    [one] { $months } month
   *[other] { $months } months
}
invoice-description = Access to the VPN; the connection link arrives right after payment.
payment-already-paid = This order has already been paid.
payment-mismatch = This invoice does not match the order. Please create a new one in the bot.

payment-succeeded-plan = ✅ Payment received! Your subscription for { $months ->
    [one] { $months } month
   *[other] { $months } months
} is active until <b>{ $date }</b>.
payment-succeeded-topup = ✅ { $amount } added to your balance. Balance: <b>{ $balance }</b>.
referral-bonus-granted = 🎁 Your friend paid for a subscription: you get { $days ->
    [one] { $days } bonus day
   *[other] { $days } bonus days
}!

history-title = 🧾 <b>Payment history</b>
history-empty = No payments yet.
history-purchase = { $date } — subscription, { $days } days, { $amount } ({ $method })
history-topup = { $date } — balance top-up { $amount } ({ $method })
history-referral = { $date } — referral bonus, { $days } days
history-refund = { $date } — refund { $amount }
history-other = { $date } — other

log-what-plan = { $months } mo. subscription
log-what-topup = balance top-up
log-payment = 💰 Payment: { $name } (<code>{ $id }</code>), { $what }, { $amount } via { $method }
    order <code>{ $order }</code>
log-suspicious = ⚠️ Suspicious { $provider } notification: { $what }
log-refund = ↩️ Refund recorded for order <code>{ $order }</code>

refund-usage = Usage: /refund ORDER_ID
refund-not-found = No such order.
refund-not-refundable = Only paid Telegram Stars orders can be refunded here.
refund-failed = Telegram refused the refund: { $error }
refund-user-notice = ↩️ Your Telegram Stars payment was refunded.
refund-done = ↩️ Order <code>{ $order }</code> refunded and recorded.
payment-canceled = ❌ The payment was canceled. You can try again from the menu.
tribute-cancelled = Your Tribute subscription was cancelled. Your access lasts until the end of the paid period.
log-tribute-cancelled = 💎 Tribute subscription “{ $name }” cancelled by <code>{ $id }</code>
log-refund-provider = ↩️ Provider refund for order <code>{ $order }</code>: { $what }
