//! Settings: gathered from the environment, an operator's `.env` and the Secrets Manager secret, checked once at start-up.

use crate::base::types::{Kopecks, Lang, Period, Stars, TelegramId};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Settings whose values are secrets: never logged, printed as `***`, never echoed in errors.
pub const SECRET_NAMES: &[&str] = &[
    "BOT_TOKEN",
    "PANEL_API_KEY",
    "PANEL_WEBHOOK_SECRET",
    "YOOKASSA_SECRET_KEY",
    "CRYPTOPAY_TOKEN",
    "FREEKASSA_FIRST_SECRET",
    "FREEKASSA_SECOND_SECRET",
    "FREEKASSA_API_KEY",
    "TRIBUTE_API_KEY",
    "WEBHOOK_SECRET_TOKEN",
    "SENTRY_DSN",
];

/// Lambda-valid names (first) accepted in place of the old `.env` names that start with a digit (second); the first wins.
pub const TWIN_NAMES: &[(&str, &str)] = &[
    ("MONTH_1_ENABLED", "1_MONTH_ENABLED"),
    ("MONTHS_3_ENABLED", "3_MONTHS_ENABLED"),
    ("MONTHS_6_ENABLED", "6_MONTHS_ENABLED"),
    ("MONTHS_12_ENABLED", "12_MONTHS_ENABLED"),
];

/// VPS-only settings that are ignored on serverless, each with what replaces it.
pub const IGNORED_SETTINGS: &[(&str, &str)] = &[
    ("POSTGRES_HOST", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_PORT", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_USER", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_PASSWORD", "storage is DynamoDB (TABLE_NAME)"),
    ("POSTGRES_DB", "storage is DynamoDB (TABLE_NAME)"),
    ("DATABASE_URL", "storage is DynamoDB (TABLE_NAME)"),
    ("REDIS_HOST", "no cache is needed; state lives in DynamoDB"),
    ("REDIS_PORT", "no cache is needed; state lives in DynamoDB"),
    ("REDIS_URL", "no cache is needed; state lives in DynamoDB"),
    (
        "REDIS_PASSWORD",
        "no cache is needed; state lives in DynamoDB",
    ),
    ("REDIS_DB", "no cache is needed; state lives in DynamoDB"),
    ("PROMETHEUS_PORT", "metrics and logs go to CloudWatch"),
    ("GRAFANA_PASSWORD", "dashboards are in CloudWatch"),
    ("WEB_SERVER_HOST", "requests arrive through API Gateway"),
    ("WEB_SERVER_PORT", "requests arrive through API Gateway"),
    ("WEBAPP_HOST", "requests arrive through API Gateway"),
    ("WEBAPP_PORT", "requests arrive through API Gateway"),
];

/// Why a VPS-only setting is ignored on serverless, if it is one.
pub fn ignored_reason(name: &str) -> Option<&'static str> {
    IGNORED_SETTINGS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, why)| *why)
}

/// YooKassa's published notification addresses.
const YOOKASSA_IPS: &str = "185.71.76.0/27, 185.71.77.0/27, 77.75.153.0/25, 77.75.156.11, 77.75.156.35, 77.75.154.128/25, 2a02:5180::/32";
/// FreeKassa's published notification addresses.
const FREEKASSA_IPS: &str = "168.119.157.136, 168.119.60.227, 178.154.197.79, 51.250.54.238";

/// Every name that belongs to one period.
struct PlanNames {
    enabled_twin: &'static str,
    enabled_old: &'static str,
    rub: &'static str,
    stars: &'static str,
    referral: &'static str,
    referee: &'static str,
    tribute: &'static str,
}

fn plan_names(p: Period) -> PlanNames {
    match p {
        Period::OneMonth => PlanNames {
            enabled_twin: "MONTH_1_ENABLED",
            enabled_old: "1_MONTH_ENABLED",
            rub: "RUB_PRICE_1_MONTH",
            stars: "STARS_PRICE_1_MONTH",
            referral: "REFERRAL_BONUS_DAYS_1_MONTH",
            referee: "REFEREE_BONUS_DAYS_1_MONTH",
            tribute: "TRIBUTE_LINK_1_MONTH",
        },
        Period::ThreeMonths => PlanNames {
            enabled_twin: "MONTHS_3_ENABLED",
            enabled_old: "3_MONTHS_ENABLED",
            rub: "RUB_PRICE_3_MONTHS",
            stars: "STARS_PRICE_3_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_3_MONTHS",
            referee: "REFEREE_BONUS_DAYS_3_MONTHS",
            tribute: "TRIBUTE_LINK_3_MONTHS",
        },
        Period::SixMonths => PlanNames {
            enabled_twin: "MONTHS_6_ENABLED",
            enabled_old: "6_MONTHS_ENABLED",
            rub: "RUB_PRICE_6_MONTHS",
            stars: "STARS_PRICE_6_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_6_MONTHS",
            referee: "REFEREE_BONUS_DAYS_6_MONTHS",
            tribute: "TRIBUTE_LINK_6_MONTHS",
        },
        Period::TwelveMonths => PlanNames {
            enabled_twin: "MONTHS_12_ENABLED",
            enabled_old: "12_MONTHS_ENABLED",
            rub: "RUB_PRICE_12_MONTHS",
            stars: "STARS_PRICE_12_MONTHS",
            referral: "REFERRAL_BONUS_DAYS_12_MONTHS",
            referee: "REFEREE_BONUS_DAYS_12_MONTHS",
            tribute: "TRIBUTE_LINK_12_MONTHS",
        },
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A setting that cannot be used; `Display` is one line naming the setting and never shows a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required setting is absent or empty.
    #[error("{name}: required, not set")]
    Missing {
        /// The setting.
        name: &'static str,
    },
    /// A setting that another setting makes required is absent or empty.
    #[error("{name}: required when {because}, not set")]
    MissingWhen {
        /// The setting.
        name: &'static str,
        /// The condition that requires it, e.g. "PANEL_API_URL is set".
        because: String,
    },
    /// A non-secret setting has a value of the wrong shape.
    #[error("{name}: expected {expected}, got {got:?}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// What a valid value looks like.
        expected: String,
        /// The offending value (or the offending item of a list).
        got: String,
    },
    /// A secret setting has a value of the wrong shape; the value is not kept.
    #[error("{name}: expected {expected}, got an invalid value")]
    InvalidSecret {
        /// The setting.
        name: &'static str,
        /// What a valid value looks like.
        expected: String,
    },
    /// Settings that are valid one by one but not together.
    #[error("{name}: {problem}")]
    Conflict {
        /// The setting to change.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The `.env` file could not be read.
    #[error(".env file {path}: {source}")]
    DotEnvRead {
        /// The file.
        path: String,
        /// Why it could not be read (`source.kind()` is `NotFound` for a missing file).
        source: std::io::Error,
    },
    /// A line of the `.env` file could not be parsed; the line's value is not shown.
    #[error(".env file {path}, line {line}: {problem}")]
    DotEnvSyntax {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, naming the setting when it is known.
        problem: String,
    },
    /// The Secrets Manager secret is not a flat JSON object of names to strings, numbers or booleans.
    #[error("secret JSON: {0}")]
    SecretJson(String),
}

/// The error for a bad value, hiding the value when the setting is a secret.
fn invalid(name: &'static str, expected: impl Into<String>, got: &str) -> ConfigError {
    if SECRET_NAMES.contains(&name) {
        ConfigError::InvalidSecret {
            name,
            expected: expected.into(),
        }
    } else {
        ConfigError::Invalid {
            name,
            expected: expected.into(),
            got: got.to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------
// Raw settings
// ---------------------------------------------------------------------------

/// Raw settings by name: the process environment, a `.env` file, the secret's JSON.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Vars(BTreeMap<String, String>);

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(k, v)| {
                let shown = if SECRET_NAMES.contains(&k.as_str()) {
                    "***"
                } else {
                    v.as_str()
                };
                (k, shown)
            }))
            .finish()
    }
}

impl Vars {
    /// No settings at all.
    pub fn new() -> Self {
        Self::default()
    }

    /// The process environment (variables that are not valid UTF-8 are skipped).
    pub fn from_env() -> Self {
        Vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        )
    }

    /// Sets one setting, replacing any earlier value.
    pub fn set(&mut self, k: &str, v: &str) {
        self.0.insert(k.to_owned(), v.to_owned());
    }

    /// The raw value of a setting, as given (not trimmed).
    pub fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// Removes a setting, returning its value.
    pub fn remove(&mut self, k: &str) -> Option<String> {
        self.0.remove(k)
    }

    /// The secret settings that are set, as the JSON object the secret holds.
    pub fn secrets_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = SECRET_NAMES
            .iter()
            .filter_map(|k| {
                Some((
                    k.to_string(),
                    serde_json::Value::String(self.get(k)?.to_owned()),
                ))
            })
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// Adds the pairs of a .env file; names already present (real environment) win.
    pub fn merge_dotenv_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::DotEnvRead {
            path: shown.clone(),
            source,
        })?;
        for (k, v) in parse_dotenv(&text, &shown)? {
            self.0.entry(k).or_insert(v);
        }
        Ok(())
    }

    /// Adds a Secrets Manager secret string (a JSON object of NAME -> string|number|bool); the secret wins over everything.
    pub fn merge_secret_json(&mut self, json: &str) -> Result<(), ConfigError> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
            // serde_json's messages for untyped parsing never quote the input, but keep only the position to be sure.
            ConfigError::SecretJson(format!(
                "not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let serde_json::Value::Object(map) = value else {
            return Err(ConfigError::SecretJson(
                "expected a JSON object of NAME: value pairs".into(),
            ));
        };
        let mut pairs = Vec::with_capacity(map.len());
        for (k, v) in map {
            let text = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Null => continue,
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                    return Err(ConfigError::SecretJson(format!(
                        "{k}: expected a string, number or true/false, got a list or object"
                    )));
                }
            };
            pairs.push((k, text));
        }
        self.0.extend(pairs);
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// .env parsing
// ---------------------------------------------------------------------------
//
// Operators' files were written for python-dotenv. dotenvy 0.15 reads most of
// them the same way, but rejects names that start with a digit
// (`1_MONTH_ENABLED`) and unquoted values with spaces, and expands `$NAME`
// where python-dotenv keeps it literally. Each line is therefore rewritten into
// the dotenvy form of what python-dotenv reads, then dotenvy parses it.

/// Prefix given to names that start with a digit while dotenvy parses them.
const DIGIT_KEY_PREFIX: &str = "__LEADING_DIGIT__";

/// Line-continuation state, the same as dotenvy's, so multi-line quoted values are split where dotenvy splits them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Complete,
    Escape,
    Strong,
    StrongEscape,
    Weak,
    WeakEscape,
    Comment,
    WhiteSpace,
}

/// Whether `s` begins with `${NAME}`, which both python-dotenv and dotenvy expand.
fn starts_with_braced_var(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("${") else {
        return false;
    };
    let Some(end) = rest.find('}') else {
        return false;
    };
    let name = &rest[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Copies one physical line of a quoted value, escaping a `$` that python-dotenv keeps literally; returns the state after the line.
fn copy_quoted_line(line: &str, mut state: QuoteState, out: &mut String) -> QuoteState {
    use QuoteState::*;
    for (i, c) in line.char_indices() {
        if state == Comment {
            out.push_str(&line[i..]);
            return Comment;
        }
        if state == Weak && c == '$' && !starts_with_braced_var(&line[i..]) {
            out.push_str("\\$");
            continue;
        }
        out.push(c);
        state = match (state, c) {
            (WhiteSpace, '#') => Comment,
            (WhiteSpace | Complete, '\\') => Escape,
            (WhiteSpace | Complete, '"') => Weak,
            (WhiteSpace | Complete, '\'') => Strong,
            (Complete, c) if c.is_whitespace() => WhiteSpace,
            (WhiteSpace | Complete | Escape, _) => Complete,
            (Weak, '\\') => WeakEscape,
            (Weak, '"') => Complete,
            (Weak | WeakEscape, _) => Weak,
            (Strong, '\\') => StrongEscape,
            (Strong, '\'') => Complete,
            (Strong | StrongEscape, _) => Strong,
            (Comment, _) => Comment,
        };
    }
    // The end of the line, as dotenvy sees it.
    match state {
        WhiteSpace | Complete | Escape => Complete,
        other => other,
    }
}

/// The dotenvy form of an unquoted python-dotenv value: ` #` starts a comment, the rest is literal.
fn quote_unquoted(value: &str, out: &mut String) {
    let bytes = value.as_bytes();
    let mut end = value.len();
    for (i, c) in value.char_indices() {
        if c == '#' && i > 0 && (bytes[i - 1] as char).is_ascii_whitespace() {
            end = i;
            break;
        }
    }
    let value = value[..end].trim_end();
    out.push('"');
    for (i, c) in value.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' if !starts_with_braced_var(&value[i..]) => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `KEY=value` split python-dotenv's way (optional `export `, spaces around `=`); `None` when the line has no `=`.
fn split_entry(line: &str) -> Option<(&str, &str)> {
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("export")
        && after.starts_with([' ', '\t'])
    {
        rest = after.trim_start();
    }
    let key_end = rest
        .find(|c: char| c == '=' || c == '#' || c.is_whitespace())
        .unwrap_or(rest.len());
    let (key, after_key) = rest.split_at(key_end);
    let value = after_key
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?;
    Some((key, value.trim_start_matches([' ', '\t'])))
}

/// Whether a line is a bare name, which python-dotenv reads as "no value" and is skipped here.
fn is_bare_name(line: &str) -> bool {
    let line = line.trim();
    let line = line
        .strip_prefix("export")
        .filter(|r| r.starts_with([' ', '\t']))
        .map(str::trim_start)
        .unwrap_or(line);
    let name = line.split('#').next().unwrap_or("").trim_end();
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('=')
}

/// Parses the text of an operator's `.env` file into pairs, in file order.
fn parse_dotenv(src: &str, path: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let syntax = |line: usize, problem: String| ConfigError::DotEnvSyntax {
        path: path.to_owned(),
        line,
        problem,
    };
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut out = String::with_capacity(src.len() + 256);
    // (line number, name) of every entry handed to dotenvy, in order, to place dotenvy's errors.
    let mut entries: Vec<(usize, String)> = Vec::new();
    let mut lines = src.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push('\n');
            continue;
        }
        let Some((key, value)) = split_entry(trimmed) else {
            if is_bare_name(trimmed) {
                out.push('\n');
                continue;
            }
            return Err(syntax(number, "expected NAME=value".into()));
        };
        let valid_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid_key {
            return Err(syntax(
                number,
                "a setting name may hold only letters, digits, '_' and '.'".into(),
            ));
        }
        entries.push((number, key.to_owned()));
        if key.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(DIGIT_KEY_PREFIX);
        }
        out.push_str(key);
        out.push('=');
        if value.starts_with(['"', '\'']) {
            let mut state = copy_quoted_line(value, QuoteState::Complete, &mut out);
            out.push('\n');
            while !matches!(state, QuoteState::Complete | QuoteState::Comment) {
                let Some((_, next)) = lines.next() else { break };
                state = copy_quoted_line(next, state, &mut out);
                out.push('\n');
            }
        } else {
            quote_unquoted(value, &mut out);
            out.push('\n');
        }
    }

    let mut pairs = Vec::with_capacity(entries.len());
    for (i, item) in dotenvy::from_read_iter(out.as_bytes()).enumerate() {
        match item {
            Ok((k, v)) => {
                let k = k
                    .strip_prefix(DIGIT_KEY_PREFIX)
                    .map(str::to_owned)
                    .unwrap_or(k);
                pairs.push((k, v));
            }
            Err(_) => {
                // dotenvy's own message quotes the line, which may hold a secret: report only where it is.
                let (line, problem) = match entries.get(i) {
                    Some((line, key)) => (
                        *line,
                        format!(
                            "cannot parse the value of {key} (check its quotes and backslashes)"
                        ),
                    ),
                    None => (
                        src.lines().count(),
                        "a quoted value is not closed".to_owned(),
                    ),
                };
                return Err(syntax(line, problem));
            }
        }
    }
    Ok(pairs)
}

// ---------------------------------------------------------------------------
// IP allow-lists
// ---------------------------------------------------------------------------

/// An IP network such as `185.71.76.0/27` or `2a02:5180::/32`; a bare address is a single-host network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

/// The text is not an IP address or CIDR network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an IP address or network such as 1.2.3.4 or 1.2.3.0/24")]
pub struct IpNetError;

fn mask_v4(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

fn mask_v6(prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(prefix))
    }
}

impl IpNet {
    /// The network of `addr` with `prefix` bits (host bits are cleared); fails when the prefix is too long.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<IpNet, IpNetError> {
        let addr = match addr {
            IpAddr::V4(a) if prefix <= 32 => IpAddr::V4((u32::from(a) & mask_v4(prefix)).into()),
            IpAddr::V6(a) if prefix <= 128 => IpAddr::V6((u128::from(a) & mask_v6(prefix)).into()),
            _ => return Err(IpNetError),
        };
        Ok(IpNet { addr, prefix })
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                u32::from(ip) & mask_v4(self.prefix) == u32::from(net)
            }
            (IpAddr::V4(net), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|ip| u32::from(ip) & mask_v4(self.prefix) == u32::from(net)),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                u128::from(ip) & mask_v6(self.prefix) == u128::from(net)
            }
            (IpAddr::V6(net), IpAddr::V4(ip)) => {
                u128::from(ip.to_ipv6_mapped()) & mask_v6(self.prefix) == u128::from(net)
            }
        }
    }
}

impl FromStr for IpNet {
    type Err = IpNetError;

    fn from_str(s: &str) -> Result<IpNet, IpNetError> {
        let s = s.trim();
        match s.split_once('/') {
            Some((addr, prefix)) => {
                let addr: IpAddr = addr.trim().parse().map_err(|_| IpNetError)?;
                let prefix = prefix.trim();
                if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(IpNetError);
                }
                IpNet::new(addr, prefix.parse().map_err(|_| IpNetError)?)
            }
            None => {
                let addr: IpAddr = s.parse().map_err(|_| IpNetError)?;
                let prefix = if addr.is_ipv4() { 32 } else { 128 };
                IpNet::new(addr, prefix)
            }
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Whether `ip` is in any network of `list`.
pub fn allowed(list: &[IpNet], ip: IpAddr) -> bool {
    list.iter().any(|net| net.contains(ip))
}

// ---------------------------------------------------------------------------
// Value parsers
// ---------------------------------------------------------------------------

/// A price in rubles ("199", "199.5", "199.50") as kopecks; `None` unless positive with at most two decimals.
fn parse_rubles(s: &str) -> Option<Kopecks> {
    let s = s.trim();
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return None;
    }
    if s.contains('.') && frac.is_empty() {
        return None;
    }
    let rubles: u64 = whole.parse().ok()?;
    let cents: u64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    rubles.checked_mul(100)?;
    let total = Kopecks::from_rubles(rubles).0.checked_add(cents)?;
    (total > 0).then_some(Kopecks(total))
}

fn parse_bool(name: &'static str, raw: &str) -> Result<bool, ConfigError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(name, "true or false", raw)),
    }
}

/// `http://` or `https://` followed by a host, no spaces.
fn is_http_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            !rest.is_empty()
                && !rest.starts_with('/')
                && !s.contains(|c: char| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// Telegram's rule for a webhook secret token: 1-256 of `A-Z a-z 0-9 _ -`.
fn is_telegram_secret_token(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `<digits>:<letters, digits, _ or ->` as BotFather issues.
fn is_bot_token(s: &str) -> bool {
    match s.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

/// 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A Telegram username (letters, digits, `_`).
fn is_username(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Items of a comma-separated list, trimmed, empty items dropped.
fn list_items(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Reads typed settings by name; empty values count as unset.
struct Reader<'a>(&'a Vars);

impl<'a> Reader<'a> {
    /// The trimmed value, `None` when unset or empty.
    fn raw(&self, name: &'static str) -> Option<&'a str> {
        self.0.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    fn string(&self, name: &'static str) -> Option<String> {
        self.raw(name).map(str::to_owned)
    }

    fn required(&self, name: &'static str, because: &str) -> Result<String, ConfigError> {
        self.string(name).ok_or_else(|| ConfigError::MissingWhen {
            name,
            because: because.to_owned(),
        })
    }

    /// The first of two names that is set, with its name.
    fn either(&self, first: &'static str, second: &'static str) -> Option<(&'static str, &'a str)> {
        self.raw(first)
            .map(|v| (first, v))
            .or_else(|| self.raw(second).map(|v| (second, v)))
    }

    fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.raw(name).map_or(Ok(default), |v| parse_bool(name, v))
    }

    fn whole<T: FromStr>(&self, name: &'static str) -> Result<Option<T>, ConfigError> {
        self.raw(name)
            .map(|v| v.parse().map_err(|_| invalid(name, "a whole number", v)))
            .transpose()
    }

    fn bounded(
        &self,
        name: &'static str,
        default: u32,
        min: u32,
        max: u32,
    ) -> Result<u32, ConfigError> {
        let Some(v) = self.raw(name) else {
            return Ok(default);
        };
        let expected = if max == u32::MAX {
            format!("a whole number of at least {min}")
        } else {
            format!("a whole number from {min} to {max}")
        };
        match v.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(invalid(name, expected, v)),
        }
    }

    /// An http(s) URL with any trailing `/` removed.
    fn url(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        self.url_keep_slash(name)
            .map(|u| u.map(|u| u.trim_end_matches('/').to_owned()))
    }

    /// An http(s) URL as given.
    fn url_keep_slash(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if is_http_url(v) => Ok(Some(v.to_owned())),
            Some(v) => Err(invalid(name, "a URL starting with https:// or http://", v)),
        }
    }

    /// An http(s) URL, or `@username` turned into its t.me link.
    fn link(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            Some(v) if v.starts_with('@') => {
                let user = &v[1..];
                if is_username(user) {
                    Ok(Some(format!("https://t.me/{user}")))
                } else {
                    Err(invalid(name, "an https:// link or @username", v))
                }
            }
            Some(v) if !is_http_url(v) => Err(invalid(name, "an https:// link or @username", v)),
            _ => self.url_keep_slash(name),
        }
    }

    fn ip_list(&self, name: &'static str, default: &str) -> Result<Vec<IpNet>, ConfigError> {
        let raw = self.raw(name).unwrap_or(default);
        list_items(raw)
            .map(|item| {
                item.parse().map_err(|_| {
                    invalid(
                        name,
                        "comma-separated IP addresses or networks (1.2.3.0/24)",
                        item,
                    )
                })
            })
            .collect()
    }

    fn uuid(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if is_uuid(v) => Ok(Some(v.to_ascii_lowercase())),
            Some(v) => Err(invalid(name, "a UUID (8-4-4-4-12 hex digits)", v)),
        }
    }
}

// ---------------------------------------------------------------------------
// Typed settings
// ---------------------------------------------------------------------------

/// Telegram webhook settings.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    /// Check Telegram's `X-Telegram-Bot-Api-Secret-Token` header (WEBHOOK_VALIDATION_ENABLED, default true).
    pub validation_enabled: bool,
    /// The secret token given to `setWebhook` (WEBHOOK_SECRET_TOKEN, secret).
    pub secret_token: Option<String>,
    /// Public base URL without a trailing `/` (WEBHOOK_BASE_URL).
    pub base_url: Option<String>,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("validation_enabled", &self.validation_enabled)
            .field("secret_token", &redact_opt(&self.secret_token))
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Menu links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// Support chat (SUPPORT_LINK; `@name` becomes `https://t.me/name`).
    pub support: Option<String>,
    /// Server status page (SERVER_STATUS_URL).
    pub server_status: Option<String>,
    /// Terms of service (TERMS_OF_SERVICE_URL).
    pub terms_of_service: Option<String>,
}

/// The channel users must join before using the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredChannel {
    /// Chat id, e.g. -1001234567890 (REQUIRED_CHANNEL_ID).
    pub id: i64,
    /// Invitation link shown to users (REQUIRED_CHANNEL_LINK).
    pub link: Option<String>,
}

/// Per-user update limit: `requests` updates per `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Updates allowed per window (RATE_LIMIT_REQUESTS, default 10).
    pub requests: u32,
    /// Window length in seconds (RATE_LIMIT_WINDOW, default 5).
    pub window_secs: u32,
}

/// How one subscription period is sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanConfig {
    /// The period.
    pub period: Period,
    /// Offered to users (`MONTH_1_ENABLED`/`1_MONTH_ENABLED`...; default: when it has a price).
    pub enabled: bool,
    /// Price in rubles, stored as kopecks (RUB_PRICE_*).
    pub rub_price: Option<Kopecks>,
    /// Price in Stars; `None` when not sold for Stars (STARS_PRICE_*).
    pub stars_price: Option<Stars>,
    /// Days given to the inviter when the invitee buys this period (REFERRAL_BONUS_DAYS_*).
    pub referral_bonus_days: u32,
    /// Days given to the invitee on this purchase (REFEREE_BONUS_DAYS_*).
    pub referee_bonus_days: u32,
    /// Tribute subscription link for this period (TRIBUTE_LINK_*).
    pub tribute_link: Option<String>,
}

/// The free trial, once per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trial {
    /// Length in days (TRIAL_DURATION_DAYS, default 3).
    pub days: u32,
    /// Traffic limit in GB, 0 = unlimited (TRIAL_TRAFFIC_LIMIT_GB, default 5).
    pub traffic_limit_gb: u32,
}

/// Subscription expiry notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notifications {
    /// Notices on or off (SUBSCRIPTION_NOTIFICATIONS_ENABLED, default true).
    pub enabled: bool,
    /// First notice this many days before expiry (SUBSCRIPTION_NOTIFY_DAYS_BEFORE, default 3).
    pub days_before: u32,
    /// Notice on the day of expiry (SUBSCRIPTION_NOTIFY_ON_EXPIRE, default true).
    pub on_expire: bool,
    /// Notice after expiry (SUBSCRIPTION_NOTIFY_AFTER_EXPIRE, default true).
    pub after_expire: bool,
}

/// The admin log chat and which events go to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// Log chat id (LOG_CHAT_ID); nothing is logged to Telegram without it.
    pub chat_id: Option<i64>,
    /// Forum topic in the log chat (LOG_THREAD_ID).
    pub thread_id: Option<i32>,
    /// Log new users (LOG_NEW_USERS, default true).
    pub new_users: bool,
    /// Log payments (LOG_PAYMENTS, default true).
    pub payments: bool,
    /// Log promo code activations (LOG_PROMO_ACTIVATIONS, default true).
    pub promo_activations: bool,
    /// Log trial activations (LOG_TRIAL_ACTIVATIONS, default true).
    pub trial_activations: bool,
    /// Log suspicious activity (LOG_SUSPICIOUS_ACTIVITY, default true).
    pub suspicious_activity: bool,
}

/// When the panel resets a user's traffic counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TrafficStrategy {
    /// Never.
    #[default]
    NoReset,
    /// Daily.
    Day,
    /// Weekly.
    Week,
    /// On the first of every month.
    Month,
    /// Every month counted from the subscription start (panel 3.x).
    MonthRolling,
}

impl TrafficStrategy {
    /// The panel API's spelling (`NO_RESET`, `DAY`, `WEEK`, `MONTH`, `MONTH_ROLLING`).
    pub fn as_panel_str(&self) -> &'static str {
        match self {
            TrafficStrategy::NoReset => "NO_RESET",
            TrafficStrategy::Day => "DAY",
            TrafficStrategy::Week => "WEEK",
            TrafficStrategy::Month => "MONTH",
            TrafficStrategy::MonthRolling => "MONTH_ROLLING",
        }
    }

    /// Parses the panel's spelling, case-insensitively.
    pub fn from_panel_str(s: &str) -> Option<TrafficStrategy> {
        let s = s.trim().to_ascii_uppercase();
        [
            TrafficStrategy::NoReset,
            TrafficStrategy::Day,
            TrafficStrategy::Week,
            TrafficStrategy::Month,
            TrafficStrategy::MonthRolling,
        ]
        .into_iter()
        .find(|t| t.as_panel_str() == s)
    }
}

/// The VPN panel and what new users get on it.
#[derive(Clone, PartialEq, Eq)]
pub struct Panel {
    /// API base URL without a trailing `/` (PANEL_API_URL).
    pub api_url: String,
    /// API token (PANEL_API_KEY, secret).
    pub api_key: String,
    /// Traffic limit of paid users in GB, 0 = unlimited (USER_TRAFFIC_LIMIT_GB).
    pub traffic_limit_gb: u32,
    /// Traffic reset strategy (USER_TRAFFIC_STRATEGY).
    pub traffic_strategy: TrafficStrategy,
    /// Internal squads given to users, lowercase UUIDs (USER_SQUAD_UUIDS).
    pub squad_uuids: Vec<String>,
    /// External squad, lowercase UUID (USER_EXTERNAL_SQUAD_UUID).
    pub external_squad_uuid: Option<String>,
    /// Devices per user: `None` = panel default, 0 = unlimited (USER_HWID_DEVICE_LIMIT).
    pub hwid_device_limit: Option<u32>,
}

impl fmt::Debug for Panel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panel")
            .field("api_url", &self.api_url)
            .field("api_key", &REDACTED)
            .field("traffic_limit_gb", &self.traffic_limit_gb)
            .field("traffic_strategy", &self.traffic_strategy)
            .field("squad_uuids", &self.squad_uuids)
            .field("external_squad_uuid", &self.external_squad_uuid)
            .field("hwid_device_limit", &self.hwid_device_limit)
            .finish()
    }
}

/// YooKassa payments.
#[derive(Clone, PartialEq, Eq)]
pub struct YooKassa {
    /// Shop id, digits (YOOKASSA_SHOP_ID).
    pub shop_id: String,
    /// API secret key (YOOKASSA_SECRET_KEY, secret).
    pub secret_key: String,
    /// Where the payer returns after paying (YOOKASSA_RETURN_URL).
    pub return_url: Option<String>,
    /// Receipt email when the user gave none (YOOKASSA_DEFAULT_RECEIPT_EMAIL).
    pub default_receipt_email: Option<String>,
    /// Receipt VAT code, 1 = no VAT (YOOKASSA_VAT_CODE, 1..=12, default 1).
    pub vat_code: u8,
    /// Receipt payment mode (YOOKASSA_PAYMENT_MODE, default `full_prepayment`).
    pub payment_mode: String,
    /// Receipt payment subject (YOOKASSA_PAYMENT_SUBJECT, default `service`).
    pub payment_subject: String,
    /// Save cards and renew automatically (YOOKASSA_AUTOPAYMENTS_ENABLED).
    pub autopayments_enabled: bool,
    /// With autopayments, card payments always save the card (YOOKASSA_AUTOPAYMENTS_REQUIRE_CARD_BINDING).
    pub autopayments_require_card_binding: bool,
    /// API base URL without a trailing `/` (YOOKASSA_API_URL).
    pub api_url: String,
    /// Addresses notifications may come from (YOOKASSA_ALLOWED_IPS).
    pub allowed_ips: Vec<IpNet>,
}

impl fmt::Debug for YooKassa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YooKassa")
            .field("shop_id", &self.shop_id)
            .field("secret_key", &REDACTED)
            .field("return_url", &self.return_url)
            .field("default_receipt_email", &self.default_receipt_email)
            .field("vat_code", &self.vat_code)
            .field("payment_mode", &self.payment_mode)
            .field("payment_subject", &self.payment_subject)
            .field("autopayments_enabled", &self.autopayments_enabled)
            .field(
                "autopayments_require_card_binding",
                &self.autopayments_require_card_binding,
            )
            .field("api_url", &self.api_url)
            .field("allowed_ips", &self.allowed_ips)
            .finish()
    }
}

/// Crypto Pay network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CryptoNetwork {
    /// Real money (`mainnet`).
    #[default]
    Mainnet,
    /// Test network (`testnet`).
    Testnet,
}

impl CryptoNetwork {
    /// `mainnet` or `testnet`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CryptoNetwork::Mainnet => "mainnet",
            CryptoNetwork::Testnet => "testnet",
        }
    }
}

/// How Crypto Pay invoices are priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CryptoCurrencyType {
    /// Priced in RUB, paid in any accepted asset (`fiat`).
    #[default]
    Fiat,
    /// Priced in the asset itself (`crypto`).
    Crypto,
}

impl CryptoCurrencyType {
    /// The Crypto Pay API's spelling: `fiat` or `crypto`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CryptoCurrencyType::Fiat => "fiat",
            CryptoCurrencyType::Crypto => "crypto",
        }
    }
}

/// Crypto Pay (@CryptoBot) payments.
#[derive(Clone, PartialEq, Eq)]
pub struct CryptoPay {
    /// API token (CRYPTOPAY_TOKEN, secret).
    pub token: String,
    /// Network (CRYPTOPAY_NETWORK, default mainnet).
    pub network: CryptoNetwork,
    /// Pricing (CRYPTOPAY_CURRENCY_TYPE, default fiat).
    pub currency_type: CryptoCurrencyType,
    /// Asset, upper case (CRYPTOPAY_ASSET, default USDT).
    pub asset: String,
    /// API base URL without a trailing `/` (CRYPTOPAY_API_URL, default by network).
    pub api_url: String,
}

impl fmt::Debug for CryptoPay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoPay")
            .field("token", &REDACTED)
            .field("network", &self.network)
            .field("currency_type", &self.currency_type)
            .field("asset", &self.asset)
            .field("api_url", &self.api_url)
            .finish()
    }
}

/// FreeKassa payments.
#[derive(Clone, PartialEq, Eq)]
pub struct FreeKassa {
    /// Shop id (FREEKASSA_MERCHANT_ID).
    pub merchant_id: String,
    /// Payment form signature secret (FREEKASSA_FIRST_SECRET, secret).
    pub first_secret: String,
    /// Notification signature secret (FREEKASSA_SECOND_SECRET, secret).
    pub second_secret: String,
    /// API key (FREEKASSA_API_KEY, secret).
    pub api_key: Option<String>,
    /// Payment form base URL (FREEKASSA_PAYMENT_URL, default `https://pay.fk.money/`).
    pub payment_url: String,
    /// Server IP sent to the API when creating orders (FREEKASSA_PAYMENT_IP).
    pub payment_ip: Option<String>,
    /// Fixed payment method, e.g. SBP (FREEKASSA_PAYMENT_METHOD_ID).
    pub payment_method_id: Option<u32>,
    /// API base URL without a trailing `/` (FREEKASSA_API_URL).
    pub api_url: String,
    /// Addresses notifications may come from (FREEKASSA_ALLOWED_IPS).
    pub allowed_ips: Vec<IpNet>,
}

impl fmt::Debug for FreeKassa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FreeKassa")
            .field("merchant_id", &self.merchant_id)
            .field("first_secret", &REDACTED)
            .field("second_secret", &REDACTED)
            .field("api_key", &redact_opt(&self.api_key))
            .field("payment_url", &self.payment_url)
            .field("payment_ip", &self.payment_ip)
            .field("payment_method_id", &self.payment_method_id)
            .field("api_url", &self.api_url)
            .field("allowed_ips", &self.allowed_ips)
            .finish()
    }
}

/// Tribute subscriptions.
#[derive(Clone, PartialEq, Eq)]
pub struct Tribute {
    /// Webhook signing key (TRIBUTE_API_KEY, secret).
    pub api_key: String,
    /// Do not message users about renewals (TRIBUTE_SKIP_NOTIFICATIONS).
    pub skip_notifications: bool,
    /// Do not message users about cancellations (TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS).
    pub skip_cancellation_notifications: bool,
}

impl fmt::Debug for Tribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tribute")
            .field("api_key", &REDACTED)
            .field("skip_notifications", &self.skip_notifications)
            .field(
                "skip_cancellation_notifications",
                &self.skip_cancellation_notifications,
            )
            .finish()
    }
}

/// Sentry error reporting (validated, but not sent from Lambda).
#[derive(Clone, PartialEq)]
pub struct Sentry {
    /// DSN (SENTRY_DSN, secret).
    pub dsn: String,
    /// Environment name (SENTRY_ENVIRONMENT).
    pub environment: Option<String>,
    /// Share of traces sent, 0..=1 (SENTRY_TRACES_SAMPLE_RATE, default 0).
    pub traces_sample_rate: f32,
}

impl fmt::Debug for Sentry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sentry")
            .field("dsn", &REDACTED)
            .field("environment", &self.environment)
            .field("traces_sample_rate", &self.traces_sample_rate)
            .finish()
    }
}

/// Thumbnails of inline-mode results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineThumbnails {
    /// INLINE_REFERRAL_THUMBNAIL_URL.
    pub referral: Option<String>,
    /// INLINE_USER_STATS_THUMBNAIL_URL.
    pub user_stats: Option<String>,
    /// INLINE_FINANCIAL_STATS_THUMBNAIL_URL.
    pub financial_stats: Option<String>,
    /// INLINE_SYSTEM_STATS_THUMBNAIL_URL.
    pub system_stats: Option<String>,
}

/// AWS resources, set by the deployment template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Infra {
    /// DynamoDB table (TABLE_NAME, default `vpn-shop`).
    pub table_name: String,
    /// SQS queue of outgoing messages (OUTBOX_QUEUE_URL).
    pub outbox_queue_url: Option<String>,
    /// SQS queue of panel synchronisation work (PANEL_SYNC_QUEUE_URL).
    pub panel_sync_queue_url: Option<String>,
    /// SQS queue of scheduled jobs (JOBS_QUEUE_URL).
    pub jobs_queue_url: Option<String>,
}

/// Every setting, parsed and checked.
#[derive(Clone)]
pub struct Config {
    /// Bot token from BotFather (BOT_TOKEN, secret).
    pub bot_token: String,
    /// Admins' Telegram ids (ADMIN_IDS).
    pub admin_ids: Vec<TelegramId>,
    /// Telegram webhook settings.
    pub webhook: Webhook,
    /// Bot API base URL without a trailing `/` (TELEGRAM_API_URL).
    pub telegram_api_url: String,
    /// Language for users whose language is unknown (DEFAULT_LANGUAGE).
    pub default_language: Lang,
    /// Shown next to prices (DEFAULT_CURRENCY_SYMBOL).
    pub default_currency_symbol: String,
    /// Menu links.
    pub links: Links,
    /// Channel users must join first.
    pub required_channel: Option<RequiredChannel>,
    /// Mini App for the subscription page (SUBSCRIPTION_MINI_APP_URL).
    pub subscription_mini_app_url: Option<String>,
    /// Description of `/start` in the command menu (START_COMMAND_DESCRIPTION).
    pub start_command_description: Option<String>,
    /// Skip the welcome text (DISABLE_WELCOME_MESSAGE).
    pub disable_welcome_message: bool,
    /// "My devices" section (MY_DEVICES_SECTION_ENABLED).
    pub my_devices_section_enabled: bool,
    /// Also accept old `ref_<telegram id>` links (LEGACY_REFS).
    pub legacy_refs: bool,
    /// Rows per page in the admin log viewer (LOGS_PAGE_SIZE).
    pub logs_page_size: u32,
    /// Per-user rate limit; `None` when RATE_LIMIT_ENABLED is false.
    pub rate_limit: Option<RateLimit>,
    /// One entry per period, in [`Period::ALL`] order.
    pub plans: Vec<PlanConfig>,
    /// Reward the inviter only for the invitee's first purchase (REFERRAL_ONE_BONUS_PER_REFEREE).
    pub referral_one_bonus_per_referee: bool,
    /// Free trial; `None` when TRIAL_ENABLED is false.
    pub trial: Option<Trial>,
    /// Expiry notices.
    pub notifications: Notifications,
    /// Admin log chat.
    pub log: LogSettings,
    /// VPN panel; `None` when PANEL_API_URL is unset.
    pub panel: Option<Panel>,
    /// HMAC key of the panel's webhooks (PANEL_WEBHOOK_SECRET, secret). Kept
    /// apart from [`Panel`]: the webhook route authenticates events even
    /// where the API is not configured.
    pub panel_webhook_secret: Option<String>,
    /// YooKassa; `None` unless YOOKASSA_ENABLED.
    pub yookassa: Option<YooKassa>,
    /// Crypto Pay; `None` unless CRYPTOPAY_ENABLED.
    pub cryptopay: Option<CryptoPay>,
    /// Telegram Stars payments (STARS_ENABLED).
    pub stars_enabled: bool,
    /// FreeKassa; `None` unless FREEKASSA_ENABLED.
    pub freekassa: Option<FreeKassa>,
    /// Tribute; `None` unless TRIBUTE_ENABLED.
    pub tribute: Option<Tribute>,
    /// Sentry; `None` unless SENTRY_ENABLED.
    pub sentry: Option<Sentry>,
    /// Inline-mode thumbnails.
    pub inline_thumbnails: InlineThumbnails,
    /// AWS resources.
    pub infra: Infra,
}

const REDACTED: Redacted = Redacted;

/// Prints as `***`.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

fn redact_opt(v: &Option<String>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bot_token", &REDACTED)
            .field("admin_ids", &self.admin_ids)
            .field("webhook", &self.webhook)
            .field("telegram_api_url", &self.telegram_api_url)
            .field("default_language", &self.default_language)
            .field("default_currency_symbol", &self.default_currency_symbol)
            .field("links", &self.links)
            .field("required_channel", &self.required_channel)
            .field("subscription_mini_app_url", &self.subscription_mini_app_url)
            .field("start_command_description", &self.start_command_description)
            .field("disable_welcome_message", &self.disable_welcome_message)
            .field(
                "my_devices_section_enabled",
                &self.my_devices_section_enabled,
            )
            .field("legacy_refs", &self.legacy_refs)
            .field("logs_page_size", &self.logs_page_size)
            .field("rate_limit", &self.rate_limit)
            .field("plans", &self.plans)
            .field(
                "referral_one_bonus_per_referee",
                &self.referral_one_bonus_per_referee,
            )
            .field("trial", &self.trial)
            .field("notifications", &self.notifications)
            .field("log", &self.log)
            .field("panel", &self.panel)
            .field(
                "panel_webhook_secret",
                &redact_opt(&self.panel_webhook_secret),
            )
            .field("yookassa", &self.yookassa)
            .field("cryptopay", &self.cryptopay)
            .field("stars_enabled", &self.stars_enabled)
            .field("freekassa", &self.freekassa)
            .field("tribute", &self.tribute)
            .field("sentry", &self.sentry)
            .field("inline_thumbnails", &self.inline_thumbnails)
            .field("infra", &self.infra)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Parsing the whole configuration
// ---------------------------------------------------------------------------

const YOOKASSA_PAYMENT_MODES: &[&str] = &[
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
];

impl Config {
    /// Parses every setting once. The first bad value is an error naming it.
    pub fn from_vars(vars: &Vars) -> Result<Config, ConfigError> {
        let r = Reader(vars);

        let bot_token = r
            .string("BOT_TOKEN")
            .ok_or(ConfigError::Missing { name: "BOT_TOKEN" })?;
        if !is_bot_token(&bot_token) {
            return Err(invalid(
                "BOT_TOKEN",
                "<digits>:<letters, digits, _ or -> as issued by BotFather",
                &bot_token,
            ));
        }

        let admin_ids = admin_ids(&r)?;
        let webhook = webhook(&r)?;
        let telegram_api_url = r
            .url("TELEGRAM_API_URL")?
            .unwrap_or_else(|| "https://api.telegram.org".to_owned());
        let default_language = match r.raw("DEFAULT_LANGUAGE") {
            None => Lang::Ru,
            Some(v) => {
                Lang::from_code(v).ok_or_else(|| invalid("DEFAULT_LANGUAGE", "ru or en", v))?
            }
        };
        let default_currency_symbol = r
            .string("DEFAULT_CURRENCY_SYMBOL")
            .unwrap_or_else(|| "₽".to_owned());
        let links = Links {
            support: r.link("SUPPORT_LINK")?,
            server_status: r.url_keep_slash("SERVER_STATUS_URL")?,
            terms_of_service: r.url_keep_slash("TERMS_OF_SERVICE_URL")?,
        };
        let channel_id = r.whole::<i64>("REQUIRED_CHANNEL_ID")?;
        let channel_link = r.link("REQUIRED_CHANNEL_LINK")?;
        let required_channel = channel_id.map(|id| RequiredChannel {
            id,
            link: channel_link,
        });
        let subscription_mini_app_url = r.url_keep_slash("SUBSCRIPTION_MINI_APP_URL")?;
        let start_command_description = match r.raw("START_COMMAND_DESCRIPTION") {
            Some(v) if v.chars().count() > 256 => {
                return Err(invalid(
                    "START_COMMAND_DESCRIPTION",
                    "at most 256 characters",
                    v,
                ));
            }
            v => v.map(str::to_owned),
        };
        let disable_welcome_message = r.flag("DISABLE_WELCOME_MESSAGE", false)?;
        let my_devices_section_enabled = r.flag("MY_DEVICES_SECTION_ENABLED", false)?;
        let legacy_refs = r.flag("LEGACY_REFS", false)?;
        let logs_page_size = r.bounded("LOGS_PAGE_SIZE", 10, 1, 100)?;

        let rate_limit_enabled = r.flag("RATE_LIMIT_ENABLED", true)?;
        let requests = r.bounded("RATE_LIMIT_REQUESTS", 10, 1, u32::MAX)?;
        let window_secs = r.bounded("RATE_LIMIT_WINDOW", 5, 1, u32::MAX)?;
        let rate_limit = rate_limit_enabled.then_some(RateLimit {
            requests,
            window_secs,
        });

        let plans = Period::ALL
            .into_iter()
            .map(|p| plan(&r, p))
            .collect::<Result<Vec<_>, _>>()?;
        let referral_one_bonus_per_referee = r.flag("REFERRAL_ONE_BONUS_PER_REFEREE", true)?;

        let trial_enabled = r.flag("TRIAL_ENABLED", false)?;
        let trial_days = r.bounded("TRIAL_DURATION_DAYS", 3, 1, u32::MAX)?;
        let trial_traffic = r.whole::<u32>("TRIAL_TRAFFIC_LIMIT_GB")?.unwrap_or(5);
        let trial = trial_enabled.then_some(Trial {
            days: trial_days,
            traffic_limit_gb: trial_traffic,
        });

        let notifications = Notifications {
            enabled: r.flag("SUBSCRIPTION_NOTIFICATIONS_ENABLED", true)?,
            days_before: r.whole("SUBSCRIPTION_NOTIFY_DAYS_BEFORE")?.unwrap_or(3),
            on_expire: r.flag("SUBSCRIPTION_NOTIFY_ON_EXPIRE", true)?,
            after_expire: r.flag("SUBSCRIPTION_NOTIFY_AFTER_EXPIRE", true)?,
        };
        let log = LogSettings {
            chat_id: r.whole("LOG_CHAT_ID")?,
            thread_id: r.whole("LOG_THREAD_ID")?,
            new_users: r.flag("LOG_NEW_USERS", true)?,
            payments: r.flag("LOG_PAYMENTS", true)?,
            promo_activations: r.flag("LOG_PROMO_ACTIVATIONS", true)?,
            trial_activations: r.flag("LOG_TRIAL_ACTIVATIONS", true)?,
            suspicious_activity: r.flag("LOG_SUSPICIOUS_ACTIVITY", true)?,
        };

        let panel = panel(&r)?;
        let panel_webhook_secret = r.string("PANEL_WEBHOOK_SECRET");
        let yookassa = yookassa(&r)?;
        let cryptopay = cryptopay(&r)?;
        let stars_enabled = r.flag("STARS_ENABLED", false)?;
        let freekassa = freekassa(&r)?;
        let tribute = tribute(&r)?;
        let sentry = sentry(&r)?;

        let inline_thumbnails = InlineThumbnails {
            referral: r.url_keep_slash("INLINE_REFERRAL_THUMBNAIL_URL")?,
            user_stats: r.url_keep_slash("INLINE_USER_STATS_THUMBNAIL_URL")?,
            financial_stats: r.url_keep_slash("INLINE_FINANCIAL_STATS_THUMBNAIL_URL")?,
            system_stats: r.url_keep_slash("INLINE_SYSTEM_STATS_THUMBNAIL_URL")?,
        };
        let infra = infra(&r)?;

        Ok(Config {
            bot_token,
            admin_ids,
            webhook,
            telegram_api_url,
            default_language,
            default_currency_symbol,
            links,
            required_channel,
            subscription_mini_app_url,
            start_command_description,
            disable_welcome_message,
            my_devices_section_enabled,
            legacy_refs,
            logs_page_size,
            rate_limit,
            plans,
            referral_one_bonus_per_referee,
            trial,
            notifications,
            log,
            panel,
            panel_webhook_secret,
            yookassa,
            cryptopay,
            stars_enabled,
            freekassa,
            tribute,
            sentry,
            inline_thumbnails,
            infra,
        })
    }

    /// Names that were set but are ignored on serverless (PostgreSQL, Redis, Prometheus, web server...), for a one-line notice each.
    pub fn ignored_names(vars: &Vars) -> Vec<&'static str> {
        let r = Reader(vars);
        IGNORED_SETTINGS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| r.raw(name).is_some())
            .collect()
    }

    /// How a period is sold.
    pub fn plan(&self, p: Period) -> &PlanConfig {
        self.plans
            .iter()
            .find(|plan| plan.period == p)
            .expect("Config::plans holds every Period")
    }

    /// Whether a Telegram user is an admin.
    pub fn admin(&self, id: TelegramId) -> bool {
        self.admin_ids.contains(&id)
    }
}

fn admin_ids(r: &Reader<'_>) -> Result<Vec<TelegramId>, ConfigError> {
    let Some(raw) = r.raw("ADMIN_IDS") else {
        return Ok(Vec::new());
    };
    // Some Python bots wrote the list as JSON: [1, 2].
    let inner = raw
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(raw);
    let mut ids = Vec::new();
    for item in list_items(inner) {
        match item.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&TelegramId(id)) {
                    ids.push(TelegramId(id));
                }
            }
            _ => {
                return Err(invalid(
                    "ADMIN_IDS",
                    "comma-separated Telegram user ids",
                    item,
                ));
            }
        }
    }
    Ok(ids)
}

fn webhook(r: &Reader<'_>) -> Result<Webhook, ConfigError> {
    let validation_enabled = r.flag("WEBHOOK_VALIDATION_ENABLED", true)?;
    let secret_token = r.string("WEBHOOK_SECRET_TOKEN");
    if let Some(t) = &secret_token
        && !is_telegram_secret_token(t)
    {
        return Err(invalid(
            "WEBHOOK_SECRET_TOKEN",
            "1-256 characters of A-Z, a-z, 0-9, _ and -",
            t,
        ));
    }
    if validation_enabled && secret_token.is_none() {
        return Err(ConfigError::MissingWhen {
            name: "WEBHOOK_SECRET_TOKEN",
            because: "WEBHOOK_VALIDATION_ENABLED is true".into(),
        });
    }
    Ok(Webhook {
        validation_enabled,
        secret_token,
        base_url: r.url("WEBHOOK_BASE_URL")?,
    })
}

fn plan(r: &Reader<'_>, period: Period) -> Result<PlanConfig, ConfigError> {
    let n = plan_names(period);
    let rub_price = match r.raw(n.rub) {
        None => None,
        Some(v) => {
            Some(parse_rubles(v).ok_or_else(|| invalid(n.rub, "a positive number of rubles", v))?)
        }
    };
    let stars_price = r.whole::<u32>(n.stars)?.filter(|&s| s > 0).map(Stars);
    let has_price = rub_price.is_some() || stars_price.is_some();
    let enabled = match r.either(n.enabled_twin, n.enabled_old) {
        None => has_price,
        Some((flag, v)) => {
            let enabled = parse_bool(flag, v)?;
            if enabled && !has_price {
                return Err(ConfigError::Conflict {
                    name: flag,
                    problem: format!(
                        "the period is enabled but neither {} nor {} is set",
                        n.rub, n.stars
                    ),
                });
            }
            enabled
        }
    };
    Ok(PlanConfig {
        period,
        enabled,
        rub_price,
        stars_price,
        referral_bonus_days: r.whole(n.referral)?.unwrap_or(0),
        referee_bonus_days: r.whole(n.referee)?.unwrap_or(0),
        tribute_link: r.url_keep_slash(n.tribute)?,
    })
}

fn panel(r: &Reader<'_>) -> Result<Option<Panel>, ConfigError> {
    let api_url = r.url("PANEL_API_URL")?;
    let traffic_limit_gb = r.whole("USER_TRAFFIC_LIMIT_GB")?.unwrap_or(0);
    let traffic_strategy = match r.raw("USER_TRAFFIC_STRATEGY") {
        None => TrafficStrategy::NoReset,
        Some(v) => TrafficStrategy::from_panel_str(v).ok_or_else(|| {
            invalid(
                "USER_TRAFFIC_STRATEGY",
                "NO_RESET, DAY, WEEK, MONTH or MONTH_ROLLING",
                v,
            )
        })?,
    };
    let mut squad_uuids = Vec::new();
    for item in list_items(r.raw("USER_SQUAD_UUIDS").unwrap_or("")) {
        if !is_uuid(item) {
            return Err(invalid(
                "USER_SQUAD_UUIDS",
                "comma-separated UUIDs (8-4-4-4-12 hex digits)",
                item,
            ));
        }
        squad_uuids.push(item.to_ascii_lowercase());
    }
    let external_squad_uuid = r.uuid("USER_EXTERNAL_SQUAD_UUID")?;
    let hwid_device_limit = r.whole("USER_HWID_DEVICE_LIMIT")?;
    let Some(api_url) = api_url else {
        return Ok(None);
    };
    let api_key = r.required("PANEL_API_KEY", "PANEL_API_URL is set")?;
    Ok(Some(Panel {
        api_url,
        api_key,
        traffic_limit_gb,
        traffic_strategy,
        squad_uuids,
        external_squad_uuid,
        hwid_device_limit,
    }))
}

fn yookassa(r: &Reader<'_>) -> Result<Option<YooKassa>, ConfigError> {
    let enabled = r.flag("YOOKASSA_ENABLED", false)?;
    let shop_id = r.string("YOOKASSA_SHOP_ID");
    if let Some(id) = &shop_id
        && !id.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid("YOOKASSA_SHOP_ID", "the shop's numeric id", id));
    }
    let secret_key = r.string("YOOKASSA_SECRET_KEY");
    let return_url = r.url_keep_slash("YOOKASSA_RETURN_URL")?;
    let default_receipt_email = r.string("YOOKASSA_DEFAULT_RECEIPT_EMAIL");
    if let Some(e) = &default_receipt_email {
        let looks_ok = e
            .split_once('@')
            .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'))
            && !e.contains(char::is_whitespace);
        if !looks_ok {
            return Err(invalid(
                "YOOKASSA_DEFAULT_RECEIPT_EMAIL",
                "an email address",
                e,
            ));
        }
    }
    let vat_code = r.bounded("YOOKASSA_VAT_CODE", 1, 1, 12)? as u8;
    let payment_mode = r
        .string("YOOKASSA_PAYMENT_MODE")
        .unwrap_or_else(|| "full_prepayment".to_owned());
    if !YOOKASSA_PAYMENT_MODES.contains(&payment_mode.as_str()) {
        return Err(invalid(
            "YOOKASSA_PAYMENT_MODE",
            format!("one of {}", YOOKASSA_PAYMENT_MODES.join(", ")),
            &payment_mode,
        ));
    }
    let payment_subject = r
        .string("YOOKASSA_PAYMENT_SUBJECT")
        .unwrap_or_else(|| "service".to_owned());
    if !payment_subject
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Err(invalid(
            "YOOKASSA_PAYMENT_SUBJECT",
            "a YooKassa payment_subject such as service",
            &payment_subject,
        ));
    }
    let autopayments_enabled = r.flag("YOOKASSA_AUTOPAYMENTS_ENABLED", false)?;
    let autopayments_require_card_binding =
        r.flag("YOOKASSA_AUTOPAYMENTS_REQUIRE_CARD_BINDING", false)?;
    let api_url = r
        .url("YOOKASSA_API_URL")?
        .unwrap_or_else(|| "https://api.yookassa.ru/v3".to_owned());
    let allowed_ips = r.ip_list("YOOKASSA_ALLOWED_IPS", YOOKASSA_IPS)?;
    if !enabled {
        return Ok(None);
    }
    let because = "YOOKASSA_ENABLED is true";
    Ok(Some(YooKassa {
        shop_id: shop_id.ok_or_else(|| ConfigError::MissingWhen {
            name: "YOOKASSA_SHOP_ID",
            because: because.into(),
        })?,
        secret_key: secret_key.ok_or_else(|| ConfigError::MissingWhen {
            name: "YOOKASSA_SECRET_KEY",
            because: because.into(),
        })?,
        return_url,
        default_receipt_email,
        vat_code,
        payment_mode,
        payment_subject,
        autopayments_enabled,
        autopayments_require_card_binding,
        api_url,
        allowed_ips,
    }))
}

fn cryptopay(r: &Reader<'_>) -> Result<Option<CryptoPay>, ConfigError> {
    let enabled = r.flag("CRYPTOPAY_ENABLED", false)?;
    let network = match r
        .raw("CRYPTOPAY_NETWORK")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("mainnet") => CryptoNetwork::Mainnet,
        Some("testnet") => CryptoNetwork::Testnet,
        Some(_) => {
            return Err(invalid(
                "CRYPTOPAY_NETWORK",
                "mainnet or testnet",
                r.raw("CRYPTOPAY_NETWORK").unwrap_or_default(),
            ));
        }
    };
    let currency_type = match r
        .raw("CRYPTOPAY_CURRENCY_TYPE")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("fiat") => CryptoCurrencyType::Fiat,
        Some("crypto") => CryptoCurrencyType::Crypto,
        Some(_) => {
            return Err(invalid(
                "CRYPTOPAY_CURRENCY_TYPE",
                "fiat or crypto",
                r.raw("CRYPTOPAY_CURRENCY_TYPE").unwrap_or_default(),
            ));
        }
    };
    let asset = r
        .raw("CRYPTOPAY_ASSET")
        .unwrap_or("USDT")
        .to_ascii_uppercase();
    if asset.len() > 10 || !asset.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid(
            "CRYPTOPAY_ASSET",
            "an asset code such as USDT or TON",
            &asset,
        ));
    }
    let api_url = r.url("CRYPTOPAY_API_URL")?.unwrap_or_else(|| {
        match network {
            CryptoNetwork::Mainnet => "https://pay.crypt.bot/api",
            CryptoNetwork::Testnet => "https://testnet-pay.crypt.bot/api",
        }
        .to_owned()
    });
    let token = r.string("CRYPTOPAY_TOKEN");
    if !enabled {
        return Ok(None);
    }
    Ok(Some(CryptoPay {
        token: token.ok_or_else(|| ConfigError::MissingWhen {
            name: "CRYPTOPAY_TOKEN",
            because: "CRYPTOPAY_ENABLED is true".into(),
        })?,
        network,
        currency_type,
        asset,
        api_url,
    }))
}

fn freekassa(r: &Reader<'_>) -> Result<Option<FreeKassa>, ConfigError> {
    let enabled = r.flag("FREEKASSA_ENABLED", false)?;
    let merchant_id = r.string("FREEKASSA_MERCHANT_ID");
    let first_secret = r.string("FREEKASSA_FIRST_SECRET");
    let second_secret = r.string("FREEKASSA_SECOND_SECRET");
    let api_key = r.string("FREEKASSA_API_KEY");
    let payment_url = r
        .url_keep_slash("FREEKASSA_PAYMENT_URL")?
        .unwrap_or_else(|| "https://pay.fk.money/".to_owned());
    let payment_ip = match r.raw("FREEKASSA_PAYMENT_IP") {
        None => None,
        Some(v) => match v.parse::<IpAddr>() {
            Ok(ip) => Some(ip.to_string()),
            Err(_) => return Err(invalid("FREEKASSA_PAYMENT_IP", "an IP address", v)),
        },
    };
    let payment_method_id = r.whole("FREEKASSA_PAYMENT_METHOD_ID")?;
    let api_url = r
        .url("FREEKASSA_API_URL")?
        .unwrap_or_else(|| "https://api.fk.life/v1".to_owned());
    let allowed_ips = r.ip_list("FREEKASSA_ALLOWED_IPS", FREEKASSA_IPS)?;
    if !enabled {
        return Ok(None);
    }
    let because = "FREEKASSA_ENABLED is true";
    let need = |name: &'static str, v: Option<String>| {
        v.ok_or_else(|| ConfigError::MissingWhen {
            name,
            because: because.into(),
        })
    };
    Ok(Some(FreeKassa {
        merchant_id: need("FREEKASSA_MERCHANT_ID", merchant_id)?,
        first_secret: need("FREEKASSA_FIRST_SECRET", first_secret)?,
        second_secret: need("FREEKASSA_SECOND_SECRET", second_secret)?,
        api_key,
        payment_url,
        payment_ip,
        payment_method_id,
        api_url,
        allowed_ips,
    }))
}

fn tribute(r: &Reader<'_>) -> Result<Option<Tribute>, ConfigError> {
    let enabled = r.flag("TRIBUTE_ENABLED", false)?;
    let skip_notifications = r.flag("TRIBUTE_SKIP_NOTIFICATIONS", false)?;
    let skip_cancellation_notifications =
        r.flag("TRIBUTE_SKIP_CANCELLATION_NOTIFICATIONS", false)?;
    if !enabled {
        return Ok(None);
    }
    Ok(Some(Tribute {
        api_key: r.required("TRIBUTE_API_KEY", "TRIBUTE_ENABLED is true")?,
        skip_notifications,
        skip_cancellation_notifications,
    }))
}

fn sentry(r: &Reader<'_>) -> Result<Option<Sentry>, ConfigError> {
    let enabled = r.flag("SENTRY_ENABLED", false)?;
    let dsn = r.url_keep_slash("SENTRY_DSN")?;
    let environment = r.string("SENTRY_ENVIRONMENT");
    let traces_sample_rate = match r.raw("SENTRY_TRACES_SAMPLE_RATE") {
        None => 0.0,
        Some(v) => match v.parse::<f32>() {
            Ok(x) if (0.0..=1.0).contains(&x) => x,
            _ => {
                return Err(invalid(
                    "SENTRY_TRACES_SAMPLE_RATE",
                    "a number from 0 to 1",
                    v,
                ));
            }
        },
    };
    if !enabled {
        return Ok(None);
    }
    Ok(Some(Sentry {
        dsn: dsn.ok_or_else(|| ConfigError::MissingWhen {
            name: "SENTRY_DSN",
            because: "SENTRY_ENABLED is true".into(),
        })?,
        environment,
        traces_sample_rate,
    }))
}

fn infra(r: &Reader<'_>) -> Result<Infra, ConfigError> {
    let table_name = r.raw("TABLE_NAME").unwrap_or("vpn-shop");
    let valid_table = (3..=255).contains(&table_name.len())
        && table_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid_table {
        return Err(invalid(
            "TABLE_NAME",
            "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)",
            table_name,
        ));
    }
    Ok(Infra {
        table_name: table_name.to_owned(),
        outbox_queue_url: r.url_keep_slash("OUTBOX_QUEUE_URL")?,
        panel_sync_queue_url: r.url_keep_slash("PANEL_SYNC_QUEUE_URL")?,
        jobs_queue_url: r.url_keep_slash("JOBS_QUEUE_URL")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use std::path::PathBuf;

    /// The smallest settings that parse.
    fn minimal() -> Vars {
        let mut v = Vars::new();
        v.set("BOT_TOKEN", "123456:ABC-def_ghi");
        v.set("WEBHOOK_SECRET_TOKEN", "hook_secret-1");
        v
    }

    fn err(vars: &Vars) -> String {
        Config::from_vars(vars)
            .expect_err("settings should be rejected")
            .to_string()
    }

    /// A file in the temporary directory, removed when dropped.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(tag: &str, text: &str) -> TempFile {
            let path = std::env::temp_dir()
                .join(format!("shared-config-{}-{tag}.env", std::process::id()));
            std::fs::write(&path, text).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    const OPERATOR_ENV: &str = r#"# ====== Bot ======
BOT_TOKEN="7012345678:AAHx-SeCrEt_tokenValue"
ADMIN_IDS=111111111, 222222222
DEFAULT_LANGUAGE=en
DEFAULT_CURRENCY_SYMBOL="RUB"
SUPPORT_LINK=@my_support
START_COMMAND_DESCRIPTION=Open the main menu   # shown in the command list
WEBHOOK_SECRET_TOKEN='hook_Secret-123'
WEBHOOK_BASE_URL=https://vpn.example.com/
REQUIRED_CHANNEL_ID=-1001234567890
REQUIRED_CHANNEL_LINK=https://t.me/my_channel

# ====== Panel ======
PANEL_API_URL=https://panel.example.com/api/
PANEL_API_KEY=eyJhbGciOi$Jkey
USER_TRAFFIC_LIMIT_GB=0
USER_TRAFFIC_STRATEGY=month
USER_SQUAD_UUIDS=0F0E0D0C-0B0A-0908-0706-050403020100, 11111111-2222-3333-4444-555555555555
USER_HWID_DEVICE_LIMIT=

# ====== Payments ======
YOOKASSA_ENABLED=True
YOOKASSA_SHOP_ID=123456
YOOKASSA_SECRET_KEY=test_AbCdEf
YOOKASSA_RETURN_URL=https://t.me/my_vpn_bot
YOOKASSA_VAT_CODE=1
export STARS_ENABLED=yes
CRYPTOPAY_ENABLED=false
FREEKASSA_ENABLED=off

# ====== Periods ======
1_MONTH_ENABLED=true
3_MONTHS_ENABLED=true
6_MONTHS_ENABLED=false
12_MONTHS_ENABLED = "true"
RUB_PRICE_1_MONTH=199
RUB_PRICE_3_MONTHS="499.50"
RUB_PRICE_6_MONTHS=899
RUB_PRICE_12_MONTHS=1599
STARS_PRICE_1_MONTH=100
STARS_PRICE_3_MONTHS=0
STARS_PRICE_12_MONTHS=
REFERRAL_BONUS_DAYS_1_MONTH=7
REFEREE_BONUS_DAYS_1_MONTH=3

TRIAL_ENABLED=true
TRIAL_DURATION_DAYS=2
LOG_CHAT_ID=-1009876543210
LOG_PAYMENTS=false

# ====== VPS leftovers ======
POSTGRES_HOST=postgres
POSTGRES_PASSWORD=pg-pass
REDIS_PASSWORD=
WEB_SERVER_PORT=8080
"#;

    #[test]
    fn operator_dotenv_parses() {
        let file = TempFile::new("operator", OPERATOR_ENV);
        let mut vars = Vars::new();
        vars.merge_dotenv_file(&file.0).unwrap();
        assert_eq!(vars.get("1_MONTH_ENABLED"), Some("true"));
        assert_eq!(vars.get("PANEL_API_KEY"), Some("eyJhbGciOi$Jkey"));
        assert_eq!(
            vars.get("START_COMMAND_DESCRIPTION"),
            Some("Open the main menu")
        );

        let c = Config::from_vars(&vars).unwrap();
        assert_eq!(c.bot_token, "7012345678:AAHx-SeCrEt_tokenValue");
        assert_eq!(
            c.admin_ids,
            vec![TelegramId(111111111), TelegramId(222222222)]
        );
        assert!(c.admin(TelegramId(222222222)));
        assert!(!c.admin(TelegramId(333)));
        assert_eq!(c.default_language, Lang::En);
        assert_eq!(c.default_currency_symbol, "RUB");
        assert_eq!(c.links.support.as_deref(), Some("https://t.me/my_support"));
        assert_eq!(c.webhook.secret_token.as_deref(), Some("hook_Secret-123"));
        assert_eq!(
            c.webhook.base_url.as_deref(),
            Some("https://vpn.example.com")
        );
        assert_eq!(
            c.required_channel,
            Some(RequiredChannel {
                id: -1001234567890,
                link: Some("https://t.me/my_channel".into())
            })
        );

        let panel = c.panel.as_ref().unwrap();
        assert_eq!(panel.api_url, "https://panel.example.com/api");
        assert_eq!(panel.traffic_strategy, TrafficStrategy::Month);
        assert_eq!(panel.traffic_strategy.as_panel_str(), "MONTH");
        assert_eq!(panel.squad_uuids[0], "0f0e0d0c-0b0a-0908-0706-050403020100");
        assert_eq!(panel.hwid_device_limit, None);

        let yk = c.yookassa.as_ref().unwrap();
        assert_eq!(yk.shop_id, "123456");
        assert_eq!(yk.api_url, "https://api.yookassa.ru/v3");
        assert!(allowed(&yk.allowed_ips, "185.71.76.5".parse().unwrap()));
        assert!(c.stars_enabled);
        assert!(c.cryptopay.is_none());
        assert!(c.freekassa.is_none());

        let m1 = c.plan(Period::OneMonth);
        assert!(m1.enabled);
        assert_eq!(m1.rub_price, Some(Kopecks(19900)));
        assert_eq!(m1.stars_price, Some(Stars(100)));
        assert_eq!((m1.referral_bonus_days, m1.referee_bonus_days), (7, 3));
        let m3 = c.plan(Period::ThreeMonths);
        assert_eq!(m3.rub_price, Some(Kopecks(49950)));
        assert_eq!(m3.stars_price, None);
        assert!(!c.plan(Period::SixMonths).enabled);
        assert!(c.plan(Period::TwelveMonths).enabled);
        assert_eq!(
            c.plans.iter().map(|p| p.period).collect::<Vec<_>>(),
            Period::ALL.to_vec()
        );

        assert_eq!(
            c.trial,
            Some(Trial {
                days: 2,
                traffic_limit_gb: 5
            })
        );
        assert_eq!(c.log.chat_id, Some(-1009876543210));
        assert!(!c.log.payments && c.log.new_users);
        assert_eq!(
            c.rate_limit,
            Some(RateLimit {
                requests: 10,
                window_secs: 5
            })
        );
        assert_eq!(c.infra.table_name, "vpn-shop");

        assert_eq!(
            Config::ignored_names(&vars),
            vec!["POSTGRES_HOST", "POSTGRES_PASSWORD", "WEB_SERVER_PORT"]
        );
        assert!(
            ignored_reason("POSTGRES_HOST")
                .unwrap()
                .contains("DynamoDB")
        );
    }

    #[test]
    fn environment_wins_over_dotenv() {
        let file = TempFile::new("env-wins", "ADMIN_IDS=1\nLEGACY_REFS=true\n");
        let mut vars = Vars::new();
        vars.set("ADMIN_IDS", "42");
        vars.merge_dotenv_file(&file.0).unwrap();
        assert_eq!(vars.get("ADMIN_IDS"), Some("42"));
        assert_eq!(vars.get("LEGACY_REFS"), Some("true"));
    }

    #[test]
    fn dotenv_python_quirks() {
        let text = "A=x y z # note\r\nB=a#b\r\nC=\"multi\nline\"\nexport D='$HOME literal'\nE=\"cost $5\"\nBARE_NAME\n\nF=#hash\n";
        let pairs = parse_dotenv(text, "t").unwrap();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("x y z"));
        assert_eq!(get("B"), Some("a#b"));
        assert_eq!(get("C"), Some("multi\nline"));
        assert_eq!(get("D"), Some("$HOME literal"));
        assert_eq!(get("E"), Some("cost $5"));
        assert_eq!(get("F"), Some("#hash"));
        assert_eq!(get("BARE_NAME"), None);
    }

    #[test]
    fn dotenv_syntax_error_names_line_not_value() {
        let text = "BOT_TOKEN=1:a\n\nFREEKASSA_FIRST_SECRET=\"hunter2\\q\"\n";
        let e = parse_dotenv(text, "x.env").unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("FREEKASSA_FIRST_SECRET"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse_dotenv("OK=1\nnot a line\n", "x.env")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn missing_dotenv_file_is_not_found() {
        let mut vars = Vars::new();
        match vars.merge_dotenv_file(Path::new("/nonexistent/dir/.env")) {
            Err(ConfigError::DotEnvRead { source, .. }) => {
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bad_rub_price_names_the_variable() {
        let mut v = minimal();
        v.set("RUB_PRICE_3_MONTHS", "abc");
        assert_eq!(
            err(&v),
            r#"RUB_PRICE_3_MONTHS: expected a positive number of rubles, got "abc""#
        );
    }

    #[test]
    fn bad_bool_names_the_variable() {
        let mut v = minimal();
        v.set("TRIAL_ENABLED", "maybe");
        assert_eq!(
            err(&v),
            r#"TRIAL_ENABLED: expected true or false, got "maybe""#
        );
        for (raw, want) in [("YES", true), ("off", false), ("1", true), ("False", false)] {
            assert_eq!(parse_bool("X", raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn bad_whole_number() {
        let mut v = minimal();
        v.set("LOG_CHAT_ID", "12x");
        assert_eq!(
            err(&v),
            r#"LOG_CHAT_ID: expected a whole number, got "12x""#
        );
        let mut v = minimal();
        v.set("LOGS_PAGE_SIZE", "0");
        assert_eq!(
            err(&v),
            r#"LOGS_PAGE_SIZE: expected a whole number from 1 to 100, got "0""#
        );
    }

    #[test]
    fn missing_bot_token() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "  ");
        assert_eq!(err(&v), "BOT_TOKEN: required, not set");
    }

    #[test]
    fn bad_bot_token_is_not_echoed() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "hunter2-no-colon");
        let e = err(&v);
        assert!(e.starts_with("BOT_TOKEN: expected"), "{e}");
        assert!(e.ends_with("got an invalid value"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn bad_secret_token_charset() {
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", "has spaces+plus");
        let e = err(&v);
        assert_eq!(
            e,
            "WEBHOOK_SECRET_TOKEN: expected 1-256 characters of A-Z, a-z, 0-9, _ and -, got an invalid value"
        );
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", &"a".repeat(257));
        assert!(err(&v).starts_with("WEBHOOK_SECRET_TOKEN: expected"));
        let mut v = minimal();
        v.set("WEBHOOK_SECRET_TOKEN", "");
        assert_eq!(
            err(&v),
            "WEBHOOK_SECRET_TOKEN: required when WEBHOOK_VALIDATION_ENABLED is true, not set"
        );
        v.set("WEBHOOK_VALIDATION_ENABLED", "false");
        assert_eq!(Config::from_vars(&v).unwrap().webhook.secret_token, None);
    }

    #[test]
    fn enabled_period_without_price() {
        let mut v = minimal();
        v.set("6_MONTHS_ENABLED", "true");
        assert_eq!(
            err(&v),
            "6_MONTHS_ENABLED: the period is enabled but neither RUB_PRICE_6_MONTHS nor STARS_PRICE_6_MONTHS is set"
        );
        v.set("MONTHS_6_ENABLED", "true");
        assert!(err(&v).starts_with("MONTHS_6_ENABLED: the period is enabled"));
        v.set("STARS_PRICE_6_MONTHS", "0");
        assert!(err(&v).starts_with("MONTHS_6_ENABLED:"));
        v.set("STARS_PRICE_6_MONTHS", "250");
        let c = Config::from_vars(&v).unwrap();
        assert!(c.plan(Period::SixMonths).enabled);
        assert_eq!(c.plan(Period::SixMonths).stars_price, Some(Stars(250)));
    }

    #[test]
    fn twin_names_and_price_default() {
        let mut v = minimal();
        v.set("RUB_PRICE_1_MONTH", "100");
        v.set("RUB_PRICE_12_MONTHS", "1000");
        v.set("1_MONTH_ENABLED", "true");
        v.set("MONTH_1_ENABLED", "false");
        v.set("MONTHS_12_ENABLED", "");
        v.set("12_MONTHS_ENABLED", "false");
        let c = Config::from_vars(&v).unwrap();
        assert!(!c.plan(Period::OneMonth).enabled, "the twin wins");
        assert!(
            !c.plan(Period::TwelveMonths).enabled,
            "an empty twin falls back to the old name"
        );
        assert!(
            !c.plan(Period::ThreeMonths).enabled,
            "no price, no flag: not sold"
        );

        let mut v = minimal();
        v.set("RUB_PRICE_3_MONTHS", "300");
        let c = Config::from_vars(&v).unwrap();
        assert!(
            c.plan(Period::ThreeMonths).enabled,
            "a price enables by default"
        );

        let mut v = minimal();
        v.set("MONTHS_3_ENABLED", "nope");
        assert_eq!(
            err(&v),
            r#"MONTHS_3_ENABLED: expected true or false, got "nope""#
        );
    }

    #[test]
    fn rubles_to_kopecks() {
        assert_eq!(parse_rubles("199"), Some(Kopecks(19900)));
        assert_eq!(parse_rubles("199.50"), Some(Kopecks(19950)));
        assert_eq!(parse_rubles("199.5"), Some(Kopecks(19950)));
        assert_eq!(parse_rubles("0.01"), Some(Kopecks(1)));
        assert_eq!(parse_rubles(" 1599 "), Some(Kopecks(159900)));
        for bad in [
            "199.505",
            "-1",
            "0",
            "0.00",
            "abc",
            "",
            "1e3",
            "199.",
            ".5",
            "1,5",
            "99999999999999999999",
        ] {
            assert_eq!(parse_rubles(bad), None, "{bad}");
        }
        let mut v = minimal();
        v.set("RUB_PRICE_1_MONTH", "-1");
        assert_eq!(
            err(&v),
            r#"RUB_PRICE_1_MONTH: expected a positive number of rubles, got "-1""#
        );
    }

    #[test]
    fn ip_nets() {
        let net: IpNet = "185.71.76.0/27".parse().unwrap();
        assert!(net.contains("185.71.76.31".parse().unwrap()));
        assert!(!net.contains("185.71.76.32".parse().unwrap()));
        assert!(!net.contains("2a02:5180::1".parse().unwrap()));
        assert!(net.contains(IpAddr::V6(Ipv4Addr::new(185, 71, 76, 1).to_ipv6_mapped())));

        let host: IpNet = " 77.75.156.11 ".parse().unwrap();
        assert_eq!(host.prefix(), 32);
        assert!(host.contains("77.75.156.11".parse().unwrap()));
        assert!(!host.contains("77.75.156.12".parse().unwrap()));

        let v6: IpNet = "2a02:5180::/32".parse().unwrap();
        assert!(v6.contains("2a02:5180:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2a02:5181::1".parse().unwrap()));
        assert!(!v6.contains("185.71.76.1".parse().unwrap()));

        let all4: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all4.contains(IpAddr::V4(Ipv4Addr::BROADCAST)));
        let all6: IpNet = "::/0".parse().unwrap();
        assert!(all6.contains(IpAddr::V6(Ipv6Addr::LOCALHOST)));

        let masked: IpNet = "10.1.2.3/8".parse().unwrap();
        assert_eq!(masked.to_string(), "10.0.0.0/8");

        for bad in [
            "1.2.3.4/33",
            "::/129",
            "1.2.3",
            "1.2.3.4/",
            "1.2.3.4/x",
            "host",
            "1.2.3.4/-1",
        ] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }

        let list = Reader(&Vars::new())
            .ip_list("FREEKASSA_ALLOWED_IPS", FREEKASSA_IPS)
            .unwrap();
        assert_eq!(list.len(), 4);
        assert!(allowed(&list, "51.250.54.238".parse().unwrap()));
        assert!(!allowed(&list, "51.250.54.239".parse().unwrap()));

        let mut v = minimal();
        v.set("YOOKASSA_ALLOWED_IPS", "1.2.3.4, 10.0.0.0/33");
        assert_eq!(
            err(&v),
            r#"YOOKASSA_ALLOWED_IPS: expected comma-separated IP addresses or networks (1.2.3.0/24), got "10.0.0.0/33""#
        );
    }

    #[test]
    fn secret_json_wins_and_accepts_numbers() {
        let mut v = minimal();
        v.set("BOT_TOKEN", "1:from_env");
        v.merge_secret_json(
            r#"{"BOT_TOKEN": "999:from_secret", "YOOKASSA_SHOP_ID": 123456, "YOOKASSA_ENABLED": true,
                "YOOKASSA_SECRET_KEY": "live_x", "RUB_PRICE_1_MONTH": 199.5, "SENTRY_DSN": null}"#,
        )
        .unwrap();
        assert_eq!(v.get("BOT_TOKEN"), Some("999:from_secret"));
        assert_eq!(v.get("YOOKASSA_SHOP_ID"), Some("123456"));
        assert_eq!(v.get("SENTRY_DSN"), None);
        let c = Config::from_vars(&v).unwrap();
        assert_eq!(c.bot_token, "999:from_secret");
        assert_eq!(c.yookassa.as_ref().unwrap().shop_id, "123456");
        assert_eq!(c.plan(Period::OneMonth).rub_price, Some(Kopecks(19950)));

        let e = v.merge_secret_json("[1, 2]").unwrap_err().to_string();
        assert!(e.starts_with("secret JSON:"), "{e}");
        let e = v
            .merge_secret_json(r#"{"BOT_TOKEN": "1:supersecret"#)
            .unwrap_err()
            .to_string();
        assert!(!e.contains("supersecret"), "{e}");
        assert!(v.merge_secret_json(r#"{"A": {"b": 1}}"#).is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let secrets = [
            ("BOT_TOKEN", "123:tok_HIDDEN_1"),
            ("WEBHOOK_SECRET_TOKEN", "HIDDEN_2"),
            ("PANEL_API_KEY", "HIDDEN_3"),
            ("PANEL_WEBHOOK_SECRET", "HIDDEN_4"),
            ("YOOKASSA_SECRET_KEY", "HIDDEN_5"),
            ("CRYPTOPAY_TOKEN", "HIDDEN_6"),
            ("FREEKASSA_FIRST_SECRET", "HIDDEN_7"),
            ("FREEKASSA_SECOND_SECRET", "HIDDEN_8"),
            ("FREEKASSA_API_KEY", "HIDDEN_9"),
            ("TRIBUTE_API_KEY", "HIDDEN_A"),
            ("SENTRY_DSN", "https://HIDDEN_B@sentry.example.com/1"),
        ];
        let mut v = Vars::new();
        for (k, val) in secrets {
            v.set(k, val);
        }
        for (k, val) in [
            ("PANEL_API_URL", "https://panel.example.com"),
            ("YOOKASSA_ENABLED", "1"),
            ("YOOKASSA_SHOP_ID", "42"),
            ("CRYPTOPAY_ENABLED", "1"),
            ("FREEKASSA_ENABLED", "1"),
            ("FREEKASSA_MERCHANT_ID", "77"),
            ("TRIBUTE_ENABLED", "1"),
            ("SENTRY_ENABLED", "1"),
        ] {
            v.set(k, val);
        }
        let c = Config::from_vars(&v).unwrap();
        assert!(c.panel.is_some() && c.yookassa.is_some() && c.cryptopay.is_some());
        assert!(c.freekassa.is_some() && c.tribute.is_some() && c.sentry.is_some());
        let shown = format!("{c:?} {v:?}");
        assert!(!shown.contains("HIDDEN"), "{shown}");
        assert!(shown.contains("***"));
        assert!(shown.contains("panel.example.com"), "non-secrets are shown");
        let mut names: Vec<&str> = secrets.iter().map(|(k, _)| *k).collect();
        let mut listed = SECRET_NAMES.to_vec();
        names.sort_unstable();
        listed.sort_unstable();
        assert_eq!(names, listed, "every secret is covered");
    }

    #[test]
    fn provider_requirements() {
        let mut v = minimal();
        v.set("PANEL_API_URL", "https://panel.example.com");
        assert_eq!(
            err(&v),
            "PANEL_API_KEY: required when PANEL_API_URL is set, not set"
        );
        let mut v = minimal();
        v.set("YOOKASSA_ENABLED", "true");
        v.set("YOOKASSA_SHOP_ID", "1");
        assert_eq!(
            err(&v),
            "YOOKASSA_SECRET_KEY: required when YOOKASSA_ENABLED is true, not set"
        );
        let mut v = minimal();
        v.set("CRYPTOPAY_ENABLED", "true");
        v.set("CRYPTOPAY_TOKEN", "1:x");
        v.set("CRYPTOPAY_NETWORK", "TestNet");
        let cp = Config::from_vars(&v).unwrap().cryptopay.unwrap();
        assert_eq!(cp.network, CryptoNetwork::Testnet);
        assert_eq!(cp.api_url, "https://testnet-pay.crypt.bot/api");
        assert_eq!(cp.asset, "USDT");
        let mut v = minimal();
        v.set("USER_SQUAD_UUIDS", "not-a-uuid");
        assert_eq!(
            err(&v),
            r#"USER_SQUAD_UUIDS: expected comma-separated UUIDs (8-4-4-4-12 hex digits), got "not-a-uuid""#
        );
        let mut v = minimal();
        v.set("SUPPORT_LINK", "t.me/support");
        assert_eq!(
            err(&v),
            r#"SUPPORT_LINK: expected an https:// link or @username, got "t.me/support""#
        );
    }

    #[test]
    fn defaults() {
        let c = Config::from_vars(&minimal()).unwrap();
        assert_eq!(c.telegram_api_url, "https://api.telegram.org");
        assert_eq!(c.default_language, Lang::Ru);
        assert_eq!(c.default_currency_symbol, "₽");
        assert_eq!(c.logs_page_size, 10);
        assert!(c.webhook.validation_enabled);
        assert!(c.referral_one_bonus_per_referee);
        assert!(c.trial.is_none() && c.panel.is_none() && c.yookassa.is_none());
        assert!(c.plans.iter().all(|p| !p.enabled));
        assert_eq!(
            c.notifications,
            Notifications {
                enabled: true,
                days_before: 3,
                on_expire: true,
                after_expire: true
            }
        );
        let mut v = minimal();
        v.set("TELEGRAM_API_URL", "http://localhost:8081/");
        v.set("ADMIN_IDS", "[5, 6,]");
        let c = Config::from_vars(&v).unwrap();
        assert_eq!(c.telegram_api_url, "http://localhost:8081");
        assert_eq!(c.admin_ids, vec![TelegramId(5), TelegramId(6)]);
    }
}
