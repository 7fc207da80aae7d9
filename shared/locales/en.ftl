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

btn-trial = 🎁 Free trial
btn-devices = 📱 My devices
btn-device-remove = ❌ Remove { $name }
btn-device-remove-yes = ✅ Yes, remove it
btn-cancel = ✖️ Cancel

size-mb = { $amount } MB
size-gb = { $amount } GB

traffic-used = 📊 Traffic: <b>{ $used }</b> of { $limit }
traffic-unlimited = 📊 Traffic: <b>{ $used }</b> (no limit)
sub-link-pending = ⏳ Your access is being set up: the link will arrive here in a moment.
sub-ready =
    ✅ <b>Your VPN is ready!</b>

    Subscription link (valid until { $date }):
    <code>{ $link }</code>

    Press “Connect” to add it to your VPN app.
panel-unavailable = ⚠️ The VPN server is not answering right now. Please try again in a few minutes.

devices-none = 📱 No devices are connected yet.
devices-title = 📱 <b>Your devices</b> ({ $count }):
device-remove-confirm = Remove <b>{ $name }</b>? It will need to connect again to use the VPN.
device-removed = ✅ { $name } was removed.
device-gone = That device is no longer on the list.
device-unknown = Unknown device

trial-started =
    🎁 <b>Your free trial has started</b> for { $count ->
        [one] { $count } day
       *[other] { $count } days
    }.

    Your connection link will arrive in a moment.
trial-unavailable = The free trial is only for new users without a subscription, once.
log-trial = 🎁 Trial: { $name }, id <code>{ $id }</code>, { $count } d.

notice-expires-soon = ⏰ Your subscription ends in { $count ->
    [one] { $count } day
   *[other] { $count } days
}, on { $date }. Renew it now to stay connected.
notice-expired = ⛔ Your subscription ended today and the VPN is off. Renew it to connect again.
notice-expired-ago = ⛔ Your subscription ended yesterday. Renew it to connect again — it takes a minute.
notice-trial-ended = 🎁 Your free trial is over. Liked it? Pick a plan to keep your VPN on.
btn-renew = 🔄 Renew
panel-limited = 📊 You have used all the traffic of your subscription. It comes back at the next reset or when you renew.
panel-disabled = ⛔ Your VPN access has been suspended. Contact support if this is unexpected.
panel-enabled = ✅ Your VPN access is back on.
panel-device-added = 📱 A new device connected to your VPN: { $device }. If it wasn't you, remove it in “My devices”.

log-panel-sync-failed = 🚨 Panel sync for user <code>{ $user }</code> failed { $count } times and goes to the dead-letter queue: { $reason }

sync-started = 🔄 Panel sync started. You will get a report when it is done; /syncstatus shows progress.
sync-already-running = A panel sync is already running.
sync-no-panel = The panel is not configured (PANEL_API_URL).
sync-not-started = ⚠️ The panel sync did not start: { $reason }
sync-never = No panel sync has run yet. Start one with /sync.
sync-finished = ✅ <b>Panel sync finished</b> { $date } (in { $seconds } s)
sync-running = 🔄 <b>Panel sync running</b> since { $date }, { $count } pages so far
sync-counts =
    Panel users: { $total }, looked at: { $seen }
    Linked to our users by Telegram id: { $matched }
    Newly linked: { $linked }
    Later expiry taken from the panel: { $pulled }
    Queued to update on the panel: { $pushed }
    Left alone (linked to another panel user): { $conflicts }
sync-failed = 🚨 Panel sync stopped at the page starting at { $start }: { $reason }
log-unverified-origin = ⚠️ Webhook validation is off (WEBHOOK_VALIDATION_ENABLED=false): anyone can post updates, so money and admin actions from them are refused. First refused: { $what }. Turn validation on.
refund-not-recorded = ⚠️ Stars for order <code>{ $order }</code> went back to the buyer, but nothing was recorded here (the order was not paid, or was refunded before). Check the order.

# Auto-renewal with saved cards
btn-cards = 💳 My cards
cards-none = 💳 You have no saved cards. A card is saved when you pay for a plan with it.
cards-title = 💳 <b>Your saved cards</b>
cards-line = • { $card }
cards-line-default = • { $card } — charged for auto-renewal
btn-card-default = ⭐ Use *{ $card }
btn-card-delete = 🗑 Delete *{ $card }
cards-autorenew-on = 🔄 Auto-renewal is <b>on</b>: your subscription is renewed with your card an hour before it ends.
cards-autorenew-off = ⏸ Auto-renewal is <b>off</b>.
btn-autorenew-on = 🔄 Turn on auto-renewal
btn-autorenew-off = ⏸ Turn off auto-renewal
card-gone = That card is no longer saved.
card-deleted = 🗑 Card { $card } deleted.
autorenew-turned-on = 🔄 Auto-renewal is on.
autorenew-turned-off = ⏸ Auto-renewal is off. We will remind you before your subscription ends.
renew-notice = 💳 Tomorrow, { $date }, your subscription will be renewed automatically: { $amount } will be charged to your card { $card }.
renew-description = VPN subscription renewal, { $months ->
    [one] { $months } month
   *[other] { $months } months
}
renew-declined-retry = ⚠️ We could not charge your card to renew your subscription. We will try once more tomorrow; you can also renew now.
renew-declined-final = ⚠️ Your card was declined again, so your subscription was not renewed. Renew it with another payment method to stay connected.
renew-card-removed = ⚠️ Your bank says your saved card can no longer be charged (revoked or expired), so we removed it and your subscription was not renewed. Renew it to stay connected.
