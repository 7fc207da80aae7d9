//! Crypto Pay (@CryptoBot) payments: token, network, pricing, asset, API address.

use super::error::ConfigError;
use super::parse::{Reader, invalid};
use super::vars::REDACTED;
use std::fmt;

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

/// Reads the Crypto Pay settings; `None` unless CRYPTOPAY_ENABLED.
pub(super) fn read(r: &Reader<'_>) -> Result<Option<CryptoPay>, ConfigError> {
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
