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
method-platega = 💳 Platega
method-severpay = 💳 SeverPay
method-tribute = 💎 Tribute
method-balance = 👛 From balance ({ $amount })
method-balance-name = 👛 From balance
method-unavailable = This payment method is not available for this purchase.

topup-title = 💰 Balance: <b>{ $amount }</b>

    How much would you like to add?
topup-checkout = Top up by <b>{ $amount }</b>. How would you like to pay?
topup-ask-amount = Send the amount in rubles, from { $min } to { $max }.
topup-amount-invalid = That is not an amount I can accept. Send a whole number of rubles from { $min } to { $max }.
pay-link = Order “{ $what }” for <b>{ $amount }</b> created. Press “Pay” to go to the payment; the bot will write as soon as the payment arrives.
pay-link-expires = ⏳ The invoice can be paid until { $time }; after that, create a new order.
payment-start-failed = The payment service did not respond. Please try again in a minute.
pay-discount-applied = 🎟 Your { $percent }% discount is reserved for this payment for { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}. Paid later, the money goes to your balance instead.
pay-discount-moved = 🎟 Your { $percent }% discount is now reserved for this payment for { $minutes ->
    [one] { $minutes } minute
   *[other] { $minutes } minutes
}; the earlier unpaid payment no longer has it.
payment-discount-gone = This invoice was priced with a promo discount that is no longer reserved for it (used, moved to a newer payment, or its time ran out). Choose the plan again.
payment-succeeded-discount-lost = ✅ Your payment of { $amount } arrived, but the promo discount it was priced with had already been used or its reservation had run out, so { $amount } went to your balance instead of the plan. Balance: <b>{ $balance }</b>. You can buy a plan with it at the current price.
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
history-purchase = { $date } — subscription, { $days ->
        [one] { $days } day
       *[other] { $days } days
    }, { $amount } ({ $method })
history-topup = { $date } — balance top-up { $amount } ({ $method })
history-referral = { $date } — referral bonus, { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
history-refund = { $date } — refund { $amount }
history-balance-in = { $date } — balance +{ $amount }
history-balance-out = { $date } — balance −{ $amount }
history-other = { $date } — other

log-what-plan = { $months }-month subscription
log-what-topup = balance top-up
log-payment = 💰 Payment: { $name } (<code>{ $id }</code>), { $what }, { $amount } via { $method }
    order <code>{ $order }</code>
log-suspicious = ⚠️ Suspicious { $provider } notification: { $what }
log-refund = ↩️ Refund recorded for order <code>{ $order }</code>

refund-usage = Usage: /refund ORDER_ID
refund-not-found = No such order.
refund-not-refundable = Only paid Telegram Stars orders can be refunded here.
refund-failed = Telegram refused the refund: { $error }
refund-user-notice = ↩️ Your payment of { $amount } ({ $what }) was refunded; what it gave has been taken back.
refund-inviter-notice-days = ↩️ A friend you invited got their payment refunded, so { $days ->
    [one] the { $days } bonus day for it was
   *[other] the { $days } bonus days for it were
} taken back. Your subscription runs until { $date }.
refund-inviter-notice-money = ↩️ A friend you invited got their payment refunded, so the { $amount } bonus for it was taken from your balance.
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
panel-limited = 📊 You have used all the traffic of your subscription. It comes back at the next reset or when you renew.
panel-disabled = ⛔ Your VPN access has been suspended. Contact support if this is unexpected.
panel-enabled = ✅ Your VPN access is back on.
panel-device-added = 📱 A new device connected to your VPN: { $device }. If it wasn't you, remove it in “My devices”.

log-panel-sync-failed = 🚨 Panel sync for user <code>{ $user }</code> failed { $count ->
        [one] { $count } time
       *[other] { $count } times
    } and goes to the dead-letter queue: { $reason }
log-renewal-failed = 🚨 Auto-renewal of user <code>{ $user }</code> (subscription ending { $date }) failed { $count ->
        [one] { $count } time
       *[other] { $count } times
    } and goes to the dead-letter queue; the user was not told of a decline (a payment YooKassa did take is still credited by its notification): { $reason }

sync-started = 🔄 Panel sync started. You will get a report when it is done; /syncstatus shows progress.
sync-already-running = A panel sync is already running.
sync-no-panel = The panel is not configured (PANEL_API_URL).
sync-not-started = ⚠️ The panel sync did not start: { $reason }
sync-never = No panel sync has run yet. Start one with /sync.
sync-finished = ✅ <b>Panel sync finished</b> { $date } (in { $seconds } s)
sync-running = 🔄 <b>Panel sync running</b> since { $date }, { $count ->
        [one] { $count } page
       *[other] { $count } pages
    } so far
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
refund-refused = YooKassa refused the refund: { $error }
refund-pending = ⏳ YooKassa accepted the refund of order <code>{ $order }</code>; it is recorded when YooKassa confirms it.
refund-money-not-recorded = ⚠️ The money for order <code>{ $order }</code> went back to the buyer, but nothing was recorded here (the order was not paid, or was refunded before). Check the order.
log-alarm-firing = 🔴 Alarm: <b>{ $name }</b>
    { $description }
    { $reason }
log-alarm-recovered = 🟢 Recovered: <b>{ $name }</b>
    { $reason }
log-alarm-no-data = ⚪ No data for alarm <b>{ $name }</b>
    { $reason }

btn-promo = 🎟 Promo code
btn-promo-again = 🎟 Try another
btn-next-page = Next ▶️
promo-ask = 🎟 Send your promo code as a message.
promo-unknown = There is no such promo code. Check the spelling.
promo-expired = This promo code has expired.
promo-inactive = This promo code is switched off.
promo-exhausted = This promo code has been used the maximum number of times.
promo-already-used = You have already activated this promo code.
promo-too-many = Too many wrong attempts. Try again in an hour.
promo-malformed = A promo code is 3 to 32 letters (in any alphabet), digits, "-" or "_", without spaces.
promo-unavailable = Promo codes cannot be accepted right now. Try again later.
promo-refused = This text does not look like a promo code.
promo-activated-days = ✅ Promo code <b>{ $code }</b> activated: +{ $days ->
    [one] { $days } day
   *[other] { $days } days
}. Your subscription is active until <b>{ $date }</b>.
promo-activated-discount = ✅ Promo code <b>{ $code }</b> activated: { $percent }% off your next subscription purchase until <b>{ $date }</b>.
promo-activated-balance = ✅ Promo code <b>{ $code }</b> activated: { $amount } added to your balance.
promo-kind-days = { $days ->
    [one] { $days } day
   *[other] { $days } days
}
promo-kind-discount = { $percent }% off
plans-discount = 🎟 Your { $percent }% discount is already in the prices (until { $date }, for one purchase).
history-referral-money = { $date } — referral bonus { $amount }
history-promo-days = { $date } — promo code, { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
history-promo-balance = { $date } — promo code, { $amount }
referral-paying = Of them paid: <b>{ $count }</b>
referral-earned-days = Days earned: <b>{ $days }</b>
referral-earned-money = Earned to your balance: <b>{ $amount }</b>
referral-bonus-money-granted = 🎁 Your friend paid for a subscription: { $amount } added to your balance!
log-promo-activated = 🎟 Promo code <b>{ $code }</b> ({ $what }) activated by { $name } (<code>{ $id }</code>)
log-promo-suspicious = ⚠️ Suspicious promo code input from <code>{ $id }</code> ({ $len } chars): <code>{ $input }</code>

adm-growth-usage =
    Promo codes:
    /promo_new CODE|* days|discount|balance VALUE [LIMIT|*] [YYYY-MM-DD|*]
    /promo_bulk COUNT days|discount|balance VALUE [LIMIT|*] [YYYY-MM-DD|*]
    /promos — list, /promo CODE — one code and its activations
    /promo_on CODE, /promo_off CODE, /promo_limit CODE N|*, /promo_until CODE YYYY-MM-DD|*
    /promo_del CODE, /promo_csv — every code as CSV
    Campaigns:
    /campaign_new PARAMETER COST [NAME]
    /campaigns, /campaign PARAMETER, /campaign_on PARAMETER, /campaign_off PARAMETER, /campaign_del PARAMETER
adm-promo-new-usage = Format: /promo_new CODE|* days|discount|balance VALUE [LIMIT|*] [YYYY-MM-DD|*]
    For example: /promo_new SPRING days 7 100 2026-12-31 or /promo_new * discount 20
adm-promo-bulk-usage = Format: /promo_bulk COUNT (up to 1000) days|discount|balance VALUE [LIMIT|*] [YYYY-MM-DD|*]
adm-promo-bulk-done = Codes created: { $count } ({ $what }).
adm-promo-export = All promo codes: { $count }.
adm-csv-failed = The CSV could not be sent. Try /promo_csv.
adm-promo-exists = That promo code exists already.
adm-promo-not-found = Promo code not found.
adm-promo-deleted = Promo code { $code } deleted.
adm-promo-list-title = 🎟 <b>Promo codes</b>
adm-promo-list-empty = No promo codes.
adm-promo-list-line = • <code>{ $code }</code> — { $what }, { $used }/{ $limit }, { $state }
adm-unlimited = ∞
adm-forever = for ever
adm-promo-state-on = active
adm-promo-state-off = switched off
adm-promo-state-expired = expired
adm-promo-state-used-up = used up
adm-promo-view =
    🎟 <b>{ $code }</b>: { $what }
    Activations: { $used } of { $limit }
    Valid until: { $until }
    State: { $state }
    Created: { $created }
adm-promo-activations = Latest activations:
adm-campaign-new-usage = Format: /campaign_new PARAMETER COST_IN_RUBLES [NAME]; the parameter is Latin letters, digits, "-", "_", up to 64, not ref_ or promo_.
adm-campaign-exists = A campaign with this parameter is registered already.
adm-campaign-not-found = Campaign not found.
adm-campaign-on = Campaign { $param } switched on.
adm-campaign-off = Campaign { $param } switched off: new starts are not counted.
adm-campaign-deleted = Campaign { $param } deleted with its counters.
adm-campaign-unregistered = not registered
adm-campaign-list-title = 📣 <b>Campaigns</b>
adm-campaign-list-empty = Nobody has come through an ad link yet.
adm-campaign-list-line = • <code>{ $param }</code> ({ $name }): users { $users }, paid { $payers }, revenue { $revenue }
adm-campaign-list-more = More: /campaigns { $after }
adm-campaign-view =
    📣 <b>{ $name }</b> (<code>{ $param }</code>), { $state }
    Starts: { $starts }
    New users: { $users }
    Trials: { $trials }
    First payments: { $payers }
    Revenue: { $revenue } and { $stars } ⭐
    Cost: { $cost }
    Revenue minus cost: { $profit }

## The admin side
admin-menu = 🛠 <b>Admin</b>
    /stats — numbers, /chart — 30-day chart
    /user &lt;id | @username | code&gt; — a user's card
    /ban, /unban &lt;user&gt; · /banned · /logs
admin-btn-stats = 📊 Stats
admin-btn-chart = 📈 Chart
admin-btn-find = 🔎 Find a user
admin-btn-banned = 🚫 Banned
admin-btn-logs = 📜 Audit log
admin-btn-back = « Admin
admin-btn-refresh = 🔄 Refresh
admin-btn-more = Older »
admin-btn-card = 👤 Card
admin-btn-ban = 🚫 Ban
admin-btn-unban = ✅ Unban
admin-btn-balance = 💰 Balance
admin-btn-message = ✉️ Message
admin-btn-reset-trial = 🎁 Reset trial
admin-btn-delete = 🗑 Delete
admin-btn-delete-yes = 🗑 Yes, delete
admin-delete-confirm = Delete user <code>{ $id }</code> from the bot and the panel? Their profile, saved cards and panel account go; orders, the ledger and the audit log stay. This cannot be undone.
admin-delete-done = 🗑 User <code>{ $id }</code> deleted; their panel account follows.
admin-delete-gone = User <code>{ $id }</code> is already deleted.
admin-btn-user-logs = 📜 Actions
admin-yes = yes
admin-no = no
admin-find-ask = Send a Telegram id, @username or referral code.
admin-user-not-found = User not found.
admin-already = Nothing changed: it already was so.
admin-card-outdated = Nothing changed: the card was out of date (the subscription changed meanwhile, or the button was pressed twice). Here is the current card.
admin-trial-not-used = Nothing changed: the trial is not used.
admin-balance-refused = Nothing changed: the balance would go below zero, or this adjustment was already made.
admin-balance-ask = Send the adjustment for <code>{ $id }</code> as “amount reason”, e.g. <code>+150 compensation</code> or <code>-99.50 chargeback</code>.
admin-balance-invalid = Expected “amount reason”, e.g. <code>+150 compensation</code>. Try again.
admin-message-ask = Send the message for <code>{ $id }</code> (text or any media); it is copied as is.
admin-message-sent = ✉️ Message delivered.
admin-message-failed = ⚠️ Not delivered: { $reason }
admin-card = 👤 <b>{ $name }</b>, id <code>{ $id }</code>
    Registered: { $registered }
    Subscription: { $sub }; panel: { $panel }
    Balance: { $balance }
    Trial taken: { $trial }
    Referral code: <code>{ $code }</code>; invited: { $referrals }; invited by: { $referrer }
    Campaign: { $campaign }
    Banned: { $banned }; blocked the bot: { $blocked }
admin-card-sub-until = until { $date }
admin-card-sub-ended = ended { $date }
admin-banned-title = 🚫 <b>Banned users</b>
admin-banned-none = none
admin-logs-title = 📜 <b>Audit log</b>
admin-logs-user-title = 📜 <b>Admin actions on</b> <code>{ $id }</code>
admin-logs-empty = empty
admin-stats = 📊 <b>Stats</b> (today / 7 d / 30 d / all time)
    Sign-ups: { $users }
    Banned now: { $banned }
    Blocked the bot now: { $blocked }
    With an active subscription now: { $active } (on trial: { $on_trial })
    Trials started: { $trials }
    Plan purchases: { $plans }
    First purchases: { $first }
    Refunds: { $refunds }
    Funnel, 30 d: { $f_start } started → { $f_trial ->
        [one] { $f_trial } trial
       *[other] { $f_trial } trials
    } → { $f_first ->
        [one] { $f_first } first payment
       *[other] { $f_first } first payments
    } → { $f_renew ->
        [one] { $f_renew } renewal
       *[other] { $f_renew } renewals
    }
    <b>Revenue</b>
admin-stats-panel = 🖥 <b>Panel</b>: { $users ->
        [one] { $users } user
       *[other] { $users } users
    }, { $online } online now, { $nodes ->
        [one] { $nodes } node online
       *[other] { $nodes } nodes online
    }; memory { $used } / { $total } GB; up { $days } d
admin-stats-panel-unavailable = 🖥 <b>Panel</b>: unavailable
admin-span-today = today
admin-span-week = 7 days
admin-span-month = 30 days
admin-span-all = all time
admin-chart-signups = Sign-ups per day
admin-chart-revenue = Revenue per day, ₽
admin-chart-caption = 📈 30 days: sign-ups and revenue ({ $revenue } and ★ { $stars } in total)
admin-chart-stars = Stars per day, ★
admin-chart-period = 30 days
admin-chart-failed = ⚠️ The chart could not be drawn or sent; see the logs.
log-admin-action = 🛠 Admin <code>{ $admin }</code>: { $what }
inline-referral-title = 🔗 My invite link
inline-referral-text = Join me with this link: { $link }
inline-users-title = 👥 Users
inline-users-text = 👥 Users: { $total } in total, { $today } today; { $trials ->
        [one] { $trials } trial
       *[other] { $trials } trials
    } in 30 days
inline-money-title = 💰 Revenue
inline-system-title = 🖥 System
inline-system-text = 🖥 Bot is up; panel: { $panel }
inline-system-panel-set = connected
inline-system-panel-unset = not configured
admin-btn-broadcast = 📣 Broadcast
broadcast-ask = Send the message to broadcast: text or any media with a caption. It is copied to every recipient as is.
broadcast-pick-audience = 📣 Draft saved. Who gets it?
broadcast-audience-all = Everyone
broadcast-audience-active = Active subscription
broadcast-audience-expired = Subscription expired
broadcast-audience-never_paid = Never paid
broadcast-audience-trial = On trial
broadcast-count = { $count ->
        [one] { $count } recipient
       *[other] { $count } recipients
    } at most (banned users and users who blocked the bot are skipped as it is sent)
broadcast-confirm = 📣 Audience: { $audience }; { $count }. Send?
broadcast-btn-buttons = 🔗 URL buttons
broadcast-buttons-ask = Send the buttons, one a line: <code>text - https://link</code> (up to 8; http, https or tg links).
broadcast-buttons-invalid = ⚠️ Not a button: <code>{ $line }</code>. Send the list again, one <code>text - https://link</code> a line.
broadcast-buttons-set = 🔗 Buttons: { $count }.
broadcast-btn-send = ✅ Send
broadcast-btn-cancel = ⛔ Cancel the broadcast
broadcast-not-draft = This broadcast was already started or cancelled.
broadcast-progress = 📣 Sending… sent { $sent }, failed { $failed }, blocked { $blocked }, left { $left } (queued { $queued })
broadcast-done = ✅ Broadcast finished: sent { $sent }, failed { $failed }, blocked { $blocked }, left { $left }
broadcast-cancelled = ⛔ Broadcast cancelled: sent { $sent }, failed { $failed }, blocked { $blocked }, not sent { $skipped }
admin-btn-csv = ⬇️ CSV

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
btn-save-card-off = ☐ Save my card for auto-renewal
btn-save-card-on = ☑ Save my card for auto-renewal
card-gone = That card is no longer saved.
card-deleted = 🗑 Card { $card } deleted.
autorenew-turned-on = 🔄 Auto-renewal is on.
autorenew-turned-off = ⏸ Auto-renewal is off. We will remind you before your subscription ends.
renew-all-turned-off = ⏸ Auto-renewal is off: nothing will be charged automatically, neither from your balance nor from your card. We will remind you before your subscription ends.
renew-notice = 💳 Tomorrow, { $date }, your subscription will be renewed automatically: { $amount } will be charged to your card { $card }.
renew-description = VPN subscription renewal, { $months ->
    [one] { $months } month
   *[other] { $months } months
}
renew-notice-balance = 💰 Tomorrow, { $date }, your subscription will be renewed automatically: { $amount } will be debited from your balance.
renew-notice-both = 💰 Tomorrow, { $date }, an hour before your subscription ends, it will be renewed automatically: { $amount } will be debited from your balance; if the balance does not cover it, { $card_amount } will be charged to your card { $card }.
btn-autorenewal = 🔄 Auto-renewal
balance-renew-on = 💰 Renewal from the balance is <b>on</b>: an hour before your subscription ends it is renewed for { $months ->
    [one] { $months } month
   *[other] { $months } months
} for { $amount } from your balance, when the balance covers it (otherwise with your saved card, if auto-renewal by card is on).
balance-renew-off = 💰 Renewal from the balance is <b>off</b>. Turn it on to renew for { $months ->
    [one] { $months } month
   *[other] { $months } months
} for { $amount } from your balance an hour before your subscription ends.
btn-balance-renew-on = 💰 Renew from the balance
btn-balance-renew-off = ⏸ Stop renewing from the balance
balance-renew-turned-on = 💰 Renewal from the balance is on. We will tell you a day before it happens.
balance-renew-turned-off = ⏸ Renewal from the balance is off.
renew-declined-retry = ⚠️ We could not charge your card to renew your subscription. We will try once more tomorrow; you can also renew now.
renew-declined-final = ⚠️ Your card was declined again, so your subscription was not renewed. Renew it with another payment method to stay connected.
renew-card-removed = ⚠️ Your bank says your saved card can no longer be charged (revoked or expired), so we removed it and your subscription was not renewed. Renew it to stay connected.
renew-plan-gone = ⚠️ Your subscription ends on { $date } and will not be renewed automatically: the { $months }-month plan it renews is no longer on sale, so nothing will be charged. Pick another plan to stay connected.
btn-pick-plan = 🛒 Choose a plan
admin-btn-payments = 💳 Payments
admin-btn-refund = ↩️ Refund
admin-payments-title = 💳 <b>Payments { $date }</b> ({ $provider }): { $count }
admin-payment = 💳 Order <code>{ $order }</code>
    User: <code>{ $user }</code>
    Provider: { $provider }; amount: { $amount }; status: { $status }
    Created: { $date }; provider's id: <code>{ $ref }</code>; days: { $days }

## Products beyond months: extra devices, traffic packs, traffic sale mode
btn-more-devices = 📱 Add devices
btn-more-traffic = 📶 Add traffic
btn-buy-traffic = 📶 Buy traffic
packages-title = 📶 <b>Choose a traffic package</b>
    Traffic does not expire with time: a package adds to what you have left.
sub-active-traffic = Your subscription is active: traffic without an end date
devices-price-line = +{ $count ->
    [one] { $count } device
   *[other] { $count } devices
} — { $price }
pack-price-line = { $amount } — { $price }
devices-buy-title = 📱 <b>Extra devices</b>
    Your subscription includes { $included } devices; extra: { $extra }.
    The price is for the { $days ->
        [one] { $days } day
       *[other] { $days } days
    } left of the current period.
devices-renew-on = When your subscription renews, the extra devices renew with it and their price is part of the renewal.
devices-renew-off = When your subscription renews, the extra devices are not renewed: the limit goes back to what the subscription includes.
devices-formula = { $count } × { $per } × { $days ->
        [one] { $days } day
       *[other] { $days } days
    } / 30 days = <b>{ $total }</b>
devices-need-subscription = Extra devices are sold with a running paid subscription.
devices-over-limit = No more devices can be added: the maximum is reached.
traffic-need-subscription = Traffic can be added to a running paid subscription.
traffic-nothing-to-add = Your subscription has unlimited traffic: there is nothing to add.
traffic-buy-title = 📶 <b>Extra traffic</b>
traffic-packs-expire = A pack adds to the current period's limit and lasts until the period ends (or the panel resets the traffic).
traffic-packs-carry = A pack adds to the current period's limit; unused pack traffic carries over to one next period.
traffic-packs-added = Of it from packs: +{ $added }{ $has_carried ->
    [true] , carried over: +{ $carried }
   *[false] {""}
}
plan-renews-devices = 📱 Your extra devices ({ $count }) renew with the period; their price is included.
plan-drops-devices = 📱 Your extra devices ({ $count }) do not carry into the new period: the limit goes back to what the subscription includes.
renew-notice-devices-kept = 📱 Your extra devices ({ $count }) renew with the subscription; their price is included.
renew-notice-devices-dropped = 📱 Your extra devices ({ $count }) are not kept at renewal: the limit goes back to what the subscription includes.
invoice-devices = VPN: +{ $count ->
    [one] { $count } device
   *[other] { $count } devices
}
invoice-traffic = VPN: { $amount } of traffic
log-what-devices = +{ $count ->
        [one] { $count } device
       *[other] { $count } devices
    }
log-what-traffic = { $amount } of traffic
payment-succeeded-devices = ✅ Payment received! Devices added: { $count }. You can now connect up to { $total }.
payment-succeeded-traffic = ✅ Payment received! { $amount } of traffic added.
history-devices = { $date } — +{ $count ->
        [one] { $count } device
       *[other] { $count } devices
    }, { $amount } ({ $method })
history-traffic = { $date } — { $size } of traffic, { $amount } ({ $method })
admin-sales-month = Sales, 30 days
admin-sold-plan = subscriptions
admin-sold-devices = devices
admin-sold-traffic = traffic

## What the panel tells: connection nudges, thresholds, the torrent blocker, reissue and reset
btn-how-to-connect = 📲 How to connect
panel-first-connected = ✅ Your VPN is connected and working. Enjoy!
panel-not-connected = 👋 You have not connected the VPN yet. It takes a couple of minutes: open your subscription, tap "Connect" and follow the guide for your device. If something does not work, write to support.
panel-threshold = 📊 You have used { $percent }% of your traffic: { $used } of { $limit }.
panel-torrent-blocked = 🚫 Torrent traffic came from your connection, and the service's rules forbid it. Your access is paused until { $until }.
panel-revoked = 🔑 Your subscription link has changed. The old one no longer works; the new one:
    <code>{ $link }</code>
panel-traffic-reset = 🔄 Your traffic counter was reset: the full limit is available again.
panel-deleted = ℹ️ Your VPN account was deleted on the server. Buy a subscription to get access again.
panel-deleted-recreated = ℹ️ Your VPN account is being re-created on the server: your paid time is kept, and the new link follows.
log-torrent-blocked = 🧲 Torrent blocker: user <code>{ $user }</code> (IP { $ip }) blocked until { $until }
log-panel-user-deleted = 🗑 Panel user of <code>{ $user }</code> (id { $id }) deleted on the panel; no paid time left, not re-created
log-panel-user-deleted-recreated = 🗑 Panel user of <code>{ $user }</code> (id { $id }) deleted on the panel; paid time left: re-created by the sync
# The cabinet (Telegram Mini App): plain text, shown by the page as text.
btn-cabinet = 📱 My cabinet
cab-title = My VPN
cab-tab-subscription = Subscription
cab-tab-connect = Connect
cab-tab-devices = Devices
cab-tab-pay = Pay
cab-tab-history = History
cab-tab-referrals = Friends
cab-traffic = Traffic
cab-devices-used = Devices in use
cab-trial-offer = Free trial
cab-trial-take = Start the free trial
cab-trial-days = { $count ->
    [one] { $count } day free, once
   *[other] { $count } days free, once
}
cab-link = Subscription link
cab-copy = Copy
cab-copied = Copied
cab-guide = How to connect
cab-download = Download
cab-add = Add subscription
cab-link-pending = Your access is being set up: the link appears here in a moment.
cab-no-subscription = No active subscription yet: choose a plan under “Pay”.
cab-remove = Remove
cab-plans = Plans
cab-topup = Top up the balance
cab-topup-amount = Amount in rubles
cab-waiting = Waiting for the payment…
cab-paid = ✅ Paid
cab-promo = Promo code
cab-promo-placeholder = Enter the code
cab-apply = Apply
cab-balance = Balance
cab-more = Show older
cab-share = Share the link
cab-support = Support
cab-error = Something went wrong on our side. Please try again in a minute.
cab-bad-request = The request was not understood.
cab-not-found = Not found.
cab-in-progress = Still working on your previous tap…
cab-auth-failed = This page only opens from the bot in Telegram.
cab-auth-expired = This page has been open too long: close it and open it again from the bot.
vpn-last-used = 📡 VPN last used: { $time }
vpn-connected-before = 📡 The VPN has been connected before
vpn-never-connected = 📡 The VPN has never been connected yet
btn-reissue = 🔑 Reissue my link
btn-reissue-yes = 🔑 Yes, reissue
reissue-confirm = 🔑 Reissue your subscription link? The old link stops working at once, and every device will need the new one. Do it if your link got into someone else's hands.
reissue-too-soon = ⏳ Your link was reissued recently. You can do it again after { $time }.
reissue-done = ✅ Your new subscription link (the old one no longer works):
    <code>{ $link }</code>
btn-devices-reset = 🧹 Remove all devices
btn-devices-reset-yes = 🧹 Yes, remove all
devices-reset-confirm = 🧹 Remove all devices ({ $count })? Each device will need to connect again.
devices-reset-done = ✅ All devices removed.
admin-card-seen = 📡 VPN last used: { $time } UTC
admin-card-connected = 📡 VPN connected before
admin-card-never-connected = 📡 VPN never connected
admin-card-reissued = 🔑 Link reissued: { $time } UTC
guide-title = 📲 <b>How to connect</b>
    Choose your device:
guide-platform = 📲 <b>{ $name }</b>: choose an app (⭐ recommended):
guide-copy-link = If a button does not open the app, copy the link and add it in the app by hand:
    <code>{ $link }</code>
guide-step-install = Install the app
guide-step-install-text = Download { $name } from its official source and install it.
guide-btn-download = ⬇️ Download
guide-step-add = Add the subscription
guide-step-add-text = Open your subscription link in { $name }: with the button, or by hand with the link copied.
guide-btn-add = ➕ Add subscription
guide-step-connect = Connect
guide-step-connect-text = Pick a server in the app and turn the VPN on.

help-title = ℹ️ <b>How can I help?</b> Here is what you can do:
help-buy = • { $button } — choose a plan and pay (/buy)
help-subscription = • { $button } — your connection link and a step-by-step guide
help-profile = • { $button } — your balance and payment history (/profile)
help-referrals = • { $button } — a link for friends and your bonuses (/referral)
help-promo = • { $button } — enter a promo code
help-language = • { $button } — change the language (/language)
help-support = Something not working? Tap "{ $button }" and we will answer.
help-footer = Choose an action with the buttons below.
button-outdated = This button is outdated; here is the main menu.
broadcast-already-over = This broadcast is already over; there is nothing to cancel.

## The admin's screens in the admin's language
provider-all = all
provider-yookassa = YooKassa
provider-cryptopay = Crypto Pay
provider-stars = Stars
provider-freekassa = FreeKassa
provider-platega = Platega
provider-severpay = SeverPay
provider-tribute = Tribute
provider-balance = Balance
order-status-pending = awaiting payment
order-status-paid = paid
order-status-canceled = canceled
order-status-expired = not paid in time
order-status-refunded = refunded
panel-status-active = active
panel-status-disabled = disabled
panel-status-limited = out of traffic
panel-status-expired = expired
admin-filter-any = all
admin-filter-paid = paid
admin-filter-refunded = refunded
admin-range-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
admin-btn-days = { $sign }{ $count ->
    [one] { $count } day
   *[other] { $count } days
}
audit-line = { $time } · 🛠 Admin <code>{ $admin }</code>: { $what }
audit-ban = banned { $user }
audit-unban = lifted the ban on { $user }
audit-reset-trial = let { $user } take the trial again
audit-delete = deleted user { $user }
audit-message = wrote to { $user }
audit-days-added = added { $count ->
    [one] { $count } day
   *[other] { $count } days
} to { $user }
audit-days-taken = took { $count ->
    [one] { $count } day
   *[other] { $count } days
} from { $user }
audit-balance-added = added { $amount } to the balance of { $user } ({ $reason })
audit-balance-taken = took { $amount } from the balance of { $user } ({ $reason })
audit-broadcast = started broadcast <code>{ $id }</code>
audit-refund = refunded order <code>{ $order }</code>
admin-btn-cancel = « Cancel
admin-ban-confirm = Ban <code>{ $id }</code>? They lose access to the bot, and their VPN is switched off until the ban is lifted. Paid days are kept.
admin-btn-ban-yes = 🚫 Yes, ban
admin-days-confirm = Take { $count ->
    [one] { $count } day
   *[other] { $count } days
} from <code>{ $id }</code>? The subscription will end on { $new } instead of { $old }.
admin-btn-days-yes = ➖ Yes, take away
admin-balance-confirm = Take { $amount } from the balance of <code>{ $id }</code> (reason: { $reason })? { $after } will remain.
admin-btn-balance-yes = 💸 Yes, take it
admin-refund-confirm = Refund { $amount } ({ $provider }) for order <code>{ $order }</code> to <code>{ $user }</code>? The money goes back to the buyer, and what the order gave ({ $what }) is taken back.
admin-btn-refund-yes = ↩️ Yes, refund
notice-admin-days-added = 🎁 An administrator added { $count ->
    [one] { $count } day
   *[other] { $count } days
} to your subscription. It now runs until <b>{ $date }</b>.
notice-admin-days-taken = ℹ️ An administrator took { $count ->
    [one] { $count } day
   *[other] { $count } days
} off your subscription. It now runs until <b>{ $date }</b>.
notice-admin-balance-added = 💰 An administrator added { $amount } to your balance. Balance: <b>{ $balance }</b>.
notice-admin-balance-taken = ℹ️ An administrator took { $amount } from your balance. Balance: <b>{ $balance }</b>.
payment-referee-bonus = 🎁 This includes { $days ->
    [one] { $days } bonus day
   *[other] { $days } bonus days
} for joining through an invitation.
sub-trial-offer = You can start with a free trial: it switches on at once.
save-card-explained = 💳 Saving your card is optional. If you tick “Save card”, the subscription renews from it automatically before it ends; you can switch it off any time under “My cards”. Without it the payment is one-off.
promo-link-refused = 🎟 About the promo code <b>{ $code }</b> in the link you came with:
    { $why } No worries: everything in the bot works without it.
panel-status-disabling = being switched off (sync under way)
panel-status-enabling = being switched on (sync under way)
