//! Happ's crypt4 links (remnawave-tg-shop's `CRYPT4_ENABLED`): the
//! subscription link shown and put on the Connect button is
//! `happ://crypt4/` + base64 of the link encrypted with Happ's published
//! RSA key (PKCS#1 v1.5), so the link itself is readable only by Happ.
//! remnawave-tg-shop asked the panel for it (`/system/tools/happ/encrypt`,
//! gone since Remnawave 2.8); it is computed here.
//!
//! PKCS#1 v1.5 padding is random: every encryption of the same link is a
//! different string. The one made for a link is stored next to it on the
//! user (`c4_link`, `c4_of`) by every writer of the link, and made again
//! only when the link changes, so a sync does not give the user a new
//! link each time.

use crate::adapters::store::users::User;
use crate::base::config::Config;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Encrypt, RsaPublicKey};
use std::sync::LazyLock;

/// What a crypt4 link starts with.
pub const PREFIX: &str = "happ://crypt4/";

/// Happ's published crypt4 key, with the note that names it.
const HAPP_KEY_FILE: &str = include_str!("happ-crypt4-public-key.pem");

/// PKCS#1 v1.5's padding: the link may be at most the key's size less this.
const PADDING_BYTES: usize = 11;

static HAPP_KEY: LazyLock<Option<RsaPublicKey>> = LazyLock::new(|| parse_key(HAPP_KEY_FILE));

/// A public key from a PEM file (text before the PEM block skipped).
pub fn parse_key(file: &str) -> Option<RsaPublicKey> {
    let pem = &file[file.find("-----BEGIN")?..];
    RsaPublicKey::from_public_key_pem(pem.trim()).ok()
}

/// Happ's key; `None` only if the embedded file were broken (a test
/// parses it).
pub fn happ_key() -> Option<&'static RsaPublicKey> {
    HAPP_KEY.as_ref()
}

/// `link` as a crypt4 link under `key`; `None` when the link is longer
/// than the key can hold (4096 bits: 501 bytes).
pub fn encrypt(key: &RsaPublicKey, link: &str) -> Option<String> {
    if link.len() > key.size().saturating_sub(PADDING_BYTES) {
        return None;
    }
    let sealed = key
        .encrypt(&mut rand_core::OsRng, Pkcs1v15Encrypt, link.as_bytes())
        .ok()?;
    Some(format!(
        "{PREFIX}{}",
        aws_smithy_types::base64::encode(sealed)
    ))
}

/// The crypt4 form of `url` to store with it on `user`: the one stored
/// when it was made for this same link, else a new one. `None` when
/// crypt4 is off, or the link is too long for the key (logged; the plain
/// link is shown).
pub fn seal(config: &Config, user: &User, url: &str) -> Option<String> {
    config.crypt4.as_ref()?;
    if url.is_empty() {
        return None;
    }
    if let Some((of, sealed)) = &user.crypt4
        && of == url
    {
        return Some(sealed.clone());
    }
    let sealed = happ_key().and_then(|key| encrypt(key, url));
    if sealed.is_none() {
        tracing::warn!(
            user = %user.id,
            len = url.len(),
            "subscription link too long for a crypt4 link: the plain link is shown"
        );
    }
    sealed
}

/// What a subscription link is shown as, and where Connect goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    /// The link in the message: the crypt4 link, or the plain one.
    pub text: String,
    /// The Connect button's URL: with crypt4 on, `CRYPT4_REDIRECT_URL`
    /// followed by the crypt4 link (remnawave-tg-shop's rule); none without
    /// a redirect, since Telegram opens only http(s) links from buttons.
    pub button: Option<String>,
}

impl LinkView {
    /// The view of `plain` whose crypt4 form is `sealed` (when made).
    pub fn of(config: &Config, plain: &str, sealed: Option<&str>) -> LinkView {
        match (&config.crypt4, sealed) {
            (Some(c4), Some(sealed)) => LinkView {
                text: sealed.to_owned(),
                button: c4.redirect_url.as_ref().map(|r| format!("{r}{sealed}")),
            },
            _ => LinkView {
                text: plain.to_owned(),
                button: Some(plain.to_owned()),
            },
        }
    }

    /// `user`'s view of `plain`: the crypt4 form stored with it; if none
    /// was stored for this link (written before crypt4 was switched on),
    /// one made now.
    pub fn for_user(config: &Config, user: &User, plain: &str) -> LinkView {
        let sealed = seal(config, user, plain);
        LinkView::of(config, plain, sealed.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::{EncodePublicKey, LineEnding};

    #[test]
    fn happs_published_key_parses_and_holds_a_long_link() {
        let key = happ_key().expect("the embedded key parses");
        assert_eq!(key.size(), 512, "RSA 4096");
        let link = format!("https://sub.example.com/{}", "a".repeat(400));
        let sealed = encrypt(key, &link).expect("fits");
        assert!(sealed.starts_with(PREFIX));
        assert_eq!(
            aws_smithy_types::base64::decode(&sealed[PREFIX.len()..])
                .expect("base64")
                .len(),
            512
        );
        assert_eq!(encrypt(key, &"a".repeat(502)), None, "over 501 bytes");
    }

    #[test]
    fn a_link_sealed_with_a_key_opens_with_its_private_half() {
        let private = RsaPrivateKey::new(&mut rand_core::OsRng, 1024).expect("a key pair");
        let pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("pem");
        let public = parse_key(&format!("a note first\n{pem}")).expect("parses");
        let link = "https://sub.example.com/api/sub/AbC123xyz";
        let sealed = encrypt(&public, link).expect("fits");
        let again = encrypt(&public, link).expect("fits");
        assert_ne!(sealed, again, "the padding is random");
        for s in [sealed, again] {
            let bytes = aws_smithy_types::base64::decode(&s[PREFIX.len()..]).expect("base64");
            let opened = private.decrypt(Pkcs1v15Encrypt, &bytes).expect("opens");
            assert_eq!(opened, link.as_bytes());
        }
        // 1024 bits hold 117 bytes.
        assert!(encrypt(&public, &"x".repeat(117)).is_some());
        assert_eq!(encrypt(&public, &"x".repeat(118)), None);
    }
}
