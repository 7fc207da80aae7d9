//! What the fuzz targets share: settings with every provider on, built once.

use shared::base::config::{Config, Vars};
use std::sync::OnceLock;

/// The Crypto Pay token the targets sign with.
pub const CP_TOKEN: &str = "4242:AAfuzz-Token";
/// The Tribute API key the targets sign with.
pub const TRIBUTE_KEY: &str = "fuzz-tribute-key";
/// The FreeKassa shop id.
pub const FK_MERCHANT: &str = "777";
/// The FreeKassa second secret (notifications).
pub const FK_SECRET2: &str = "fuzz_fk_second";
/// The panel webhook secret.
pub const PANEL_SECRET: &str = "fuzz0panel0webhook0secret000000000";

/// The settings, parsed once.
pub fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut vars = Vars::new();
        for (k, v) in [
            ("BOT_TOKEN", "1:fuzz"),
            ("WEBHOOK_SECRET_TOKEN", "fuzz_secret"),
            ("RUB_PRICE_1_MONTH", "199"),
            ("CRYPTOPAY_ENABLED", "true"),
            ("CRYPTOPAY_TOKEN", CP_TOKEN),
            ("FREEKASSA_ENABLED", "true"),
            ("FREEKASSA_MERCHANT_ID", FK_MERCHANT),
            ("FREEKASSA_FIRST_SECRET", "fuzz_fk_first"),
            ("FREEKASSA_SECOND_SECRET", FK_SECRET2),
            ("FREEKASSA_ALLOWED_IPS", "127.0.0.1"),
            ("TRIBUTE_ENABLED", "true"),
            ("TRIBUTE_API_KEY", TRIBUTE_KEY),
        ] {
            vars.set(k, v);
        }
        Config::from_vars(&vars).expect("valid settings")
    })
}

/// Splits `data` at the first newline: (first line, rest). Targets that
/// take a header and a body read them this way.
pub fn header_and_body(data: &[u8]) -> (Option<&str>, &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (std::str::from_utf8(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    }
}
