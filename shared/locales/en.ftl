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
