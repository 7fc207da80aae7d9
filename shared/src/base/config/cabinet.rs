//! The cabinet, the subscriber's Telegram Mini App: on or off, and the address Telegram opens.

use super::error::ConfigError;
use super::parse::Reader;

/// The cabinet, when the operator turned it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cabinet {
    /// The page Telegram opens, ending in `/` (CABINET_URL, else
    /// WEBHOOK_BASE_URL + `/app/`).
    pub url: String,
}

/// Reads CABINET_ENABLED and the cabinet's address; `None` while it is off.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<Cabinet>, ConfigError> {
    if !r.flag("CABINET_ENABLED", false)? {
        return Ok(None);
    }
    let url = match (r.url("CABINET_URL")?, r.url("WEBHOOK_BASE_URL")?) {
        (Some(url), _) => format!("{url}/"),
        (None, Some(base)) => format!("{base}/app/"),
        (None, None) => {
            return Err(ConfigError::MissingWhen {
                name: "CABINET_URL",
                because: "CABINET_ENABLED is true and WEBHOOK_BASE_URL is not set".into(),
            });
        }
    };
    if !url.starts_with("https://")
        && !url.starts_with("http://127.0.0.1")
        && !url.starts_with("http://localhost")
    {
        return Err(super::parse::invalid(
            "CABINET_URL",
            "an https:// address (Telegram opens Mini Apps over HTTPS only)",
            &url,
        ));
    }
    Ok(Some(Cabinet { url }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::config::Vars;

    fn read_vars(pairs: &[(&str, &str)]) -> Result<Option<Cabinet>, ConfigError> {
        let mut vars = Vars::new();
        for (k, v) in pairs {
            vars.set(k, v);
        }
        read(&Reader(&vars))
    }

    #[test]
    fn off_unless_enabled() {
        assert_eq!(
            read_vars(&[("WEBHOOK_BASE_URL", "https://b.example")]).unwrap(),
            None
        );
    }

    #[test]
    fn the_address_comes_from_the_webhook_base_or_its_own_setting() {
        let on = ("CABINET_ENABLED", "true");
        let base = ("WEBHOOK_BASE_URL", "https://b.example/");
        assert_eq!(
            read_vars(&[on, base]).unwrap().unwrap().url,
            "https://b.example/app/"
        );
        let own = ("CABINET_URL", "https://cab.example/x");
        assert_eq!(
            read_vars(&[on, base, own]).unwrap().unwrap().url,
            "https://cab.example/x/"
        );
        let e = read_vars(&[on]).unwrap_err().to_string();
        assert!(
            e.starts_with("CABINET_URL: required when CABINET_ENABLED"),
            "{e}"
        );
        let e = read_vars(&[on, ("CABINET_URL", "http://cab.example")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("https://"), "{e}");
        assert!(read_vars(&[("CABINET_ENABLED", "maybe")]).is_err());
    }
}
