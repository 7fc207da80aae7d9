//! Settings of remnawave-tg-shop at its last commit, 2GETPRO and remnawave-minishop that have no counterpart here, each with what it did there.
//!
//! Read from each bot's `.env.example` and the code that reads its settings
//! (pydantic fields and their aliases, `os.getenv` calls). Names those bots
//! share with this one are read here and are not listed; their VPS-only
//! names are in `IGNORED_SETTINGS` instead.

/// remnawave-tg-shop HEAD (`config/settings.py`, `.env.example`).
pub(in crate::base::config) const RTS: &[(&str, &str)] = &[
    (
        "NALOGO_API_URL",
        "the address of the tax service's API for self-employed receipts",
    ),
    (
        "NALOGO_INN",
        "the operator's INN, to issue a self-employed receipt for each payment",
    ),
    (
        "NALOGO_PASSWORD",
        "the password of the tax service's account for self-employed receipts",
    ),
    (
        "NALOGO_RECEIPT_NAME_SUBSCRIPTION",
        "the receipt line for a subscription ({months} months)",
    ),
    (
        "NALOGO_RECEIPT_NAME_TRAFFIC",
        "the receipt line for a traffic package ({gb} GB)",
    ),
];

/// 2GETPRO (`config/settings.py`, `security/security_manager.py`).
pub(in crate::base::config) const TWOGETPRO: &[(&str, &str)] = &[
    (
        "CRYPTOPAY_API_TOKEN",
        "the Crypto Pay token kept in its encrypted secrets file (here: CRYPTOPAY_TOKEN)",
    ),
    (
        "FREEKASSA_SECRET_KEY",
        "the FreeKassa key kept in its encrypted secrets file (here: FREEKASSA_SECOND_SECRET)",
    ),
    (
        "SECRETS_FILE",
        "the path of its encrypted secrets file (here: the Secrets Manager secret)",
    ),
    (
        "SECURITY_MASTER_KEY",
        "the key of its encrypted secrets file (here: the Secrets Manager secret)",
    ),
    (
        "TRIBUTE_SECRET_KEY",
        "the Tribute key kept in its encrypted secrets file (here: TRIBUTE_API_KEY)",
    ),
];

/// remnawave-minishop (`.env.example`; its other settings live in its database).
pub(in crate::base::config) const MINISHOP: &[(&str, &str)] = &[
    (
        "MINISHOP_EDGE_TOKEN",
        "a token its reverse proxy adds so the backend accepts only proxied requests",
    ),
    (
        "MINISHOP_EDGE_TOKEN_HEADER",
        "the header that carries MINISHOP_EDGE_TOKEN",
    ),
    (
        "PANEL_API_COOKIE",
        "a cookie sent to a panel behind a protecting proxy",
    ),
    (
        "REGISTRATION_INVITE_ONLY_ENABLED",
        "new users only by invitation",
    ),
    (
        "TELEMETRY_ENABLED",
        "anonymous usage reports to its authors",
    ),
    (
        "TORRENT_BLOCKER_EMAIL_NOTIFICATIONS_ENABLED",
        "torrent-blocker notices by e-mail",
    ),
    (
        "TORRENT_BLOCKER_NOTIFICATIONS_ENABLED",
        "notices to users caught by the panel's torrent blocker (here: WEBHOOK_NOTIFY_TORRENT_BLOCKER)",
    ),
    (
        "TORRENT_BLOCKER_NOTIFICATION_COOLDOWN_SECONDS",
        "the least time between two torrent-blocker notices",
    ),
    (
        "TORRENT_BLOCKER_NOTIFICATION_INCLUDE_IP",
        "the offending IP address in torrent-blocker notices",
    ),
    (
        "TORRENT_BLOCKER_TELEGRAM_NOTIFICATIONS_ENABLED",
        "torrent-blocker notices in Telegram",
    ),
    (
        "TRUSTED_PROXIES",
        "proxies whose forwarded client addresses its web server believes",
    ),
    ("WEBAPP_API_BASE_URL", "where its web app finds its API"),
    (
        "WEBAPP_BACKEND_UPSTREAM",
        "the backend its web front end forwards to",
    ),
    (
        "WEBAPP_BACKEND_UPSTREAM_HOST",
        "the host name of that backend",
    ),
    (
        "WEBAPP_ENABLED",
        "its web app for subscribers (here: CABINET_ENABLED)",
    ),
    ("WEBAPP_SESSION_SECRET", "the key of its web app's sessions"),
];
