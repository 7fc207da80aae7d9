//! The cabinet's page and assets, embedded in the binary (`cargo build`
//! alone builds them; no Node step). Each asset is named by its content's
//! hash (`app.<hash>.js`) and cached for a year; the page itself is
//! revalidated by its ETag. Everything is gzipped once, on first use, and
//! sent gzipped to clients that accept it. The page's Content-Security-Policy
//! allows scripts only from this origin and Telegram's `telegram-web-app.js`.

use crate::adapters::http::{HttpRequest, HttpResponse};
use bytes::Bytes;
use http::StatusCode;
use http::header::{CACHE_CONTROL, CONTENT_ENCODING, ETAG, VARY};
use std::sync::LazyLock;

/// The policy the page is served with: no inline script or style, no
/// third-party origin but Telegram's script, framed only by Telegram's
/// web clients.
pub const CSP: &str = "default-src 'none'; script-src 'self' https://telegram.org; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors https://web.telegram.org https://*.telegram.org";

const INDEX: &str = include_str!("../../../cabinet/index.html");
const CSS: &[u8] = include_bytes!("../../../cabinet/app.css");
const JS: &[u8] = include_bytes!("../../../cabinet/app.js");

/// One file as served.
#[derive(Debug)]
pub struct File {
    /// Its name under `/app/assets/` (empty for the page).
    pub name: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes.
    pub raw: Bytes,
    /// The same, gzipped.
    pub gzip: Bytes,
    /// Strong ETag (quoted).
    pub etag: String,
}

fn hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(bytes)[..6])
}

fn gzip(bytes: &[u8]) -> Bytes {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(bytes);
    Bytes::from(enc.finish().unwrap_or_default())
}

fn file(name: String, content_type: &'static str, raw: Bytes) -> File {
    let etag = format!("\"{}\"", hash(&raw));
    File {
        name,
        content_type,
        gzip: gzip(&raw),
        raw,
        etag,
    }
}

/// The page and its assets, built once per process.
pub struct Site {
    /// `index.html` with the assets' hashed names in it.
    pub index: File,
    /// The assets by hashed name.
    pub assets: Vec<File>,
}

/// The site, built on first use.
pub static SITE: LazyLock<Site> = LazyLock::new(|| {
    let css = file(
        format!("app.{}.css", hash(CSS)),
        "text/css; charset=utf-8",
        Bytes::from_static(CSS),
    );
    let js = file(
        format!("app.{}.js", hash(JS)),
        "text/javascript; charset=utf-8",
        Bytes::from_static(JS),
    );
    let page = INDEX
        .replace("{{app.css}}", &css.name)
        .replace("{{app.js}}", &js.name);
    Site {
        index: file(String::new(), "text/html; charset=utf-8", Bytes::from(page)),
        assets: vec![css, js],
    }
});

fn serve(req: &HttpRequest, f: &File, cache: &str) -> HttpResponse {
    let not_modified = req
        .header("if-none-match")
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == f.etag));
    let gzip = req.header("accept-encoding").is_some_and(|a| {
        a.split(',')
            .any(|e| e.trim().split(';').next() == Some("gzip"))
    });
    let (status, body) = match (not_modified, gzip) {
        (true, _) => (StatusCode::NOT_MODIFIED, Bytes::new()),
        (false, true) => (StatusCode::OK, f.gzip.clone()),
        (false, false) => (StatusCode::OK, f.raw.clone()),
    };
    let body = if req.method == http::Method::HEAD {
        Bytes::new()
    } else {
        body
    };
    let mut resp = HttpResponse::bytes(status, f.content_type, body)
        .with_header(ETAG, &f.etag)
        .with_header(CACHE_CONTROL, cache)
        .with_header(VARY, "Accept-Encoding")
        .with_header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if gzip && !not_modified {
        resp = resp.with_header(CONTENT_ENCODING, "gzip");
    }
    resp
}

/// The page.
pub fn index(req: &HttpRequest) -> HttpResponse {
    serve(req, &SITE.index, "no-cache")
        .with_header(http::header::CONTENT_SECURITY_POLICY, CSP)
        .with_header(http::header::REFERRER_POLICY, "no-referrer")
}

/// An asset by its hashed name.
pub fn asset(req: &HttpRequest, name: &str) -> HttpResponse {
    match SITE.assets.iter().find(|f| f.name == name) {
        Some(f) => serve(req, f, "public, max-age=31536000, immutable"),
        None => HttpResponse::error(StatusCode::NOT_FOUND, "no such asset"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_each_asset_by_its_hash() {
        for a in &SITE.assets {
            let page = std::str::from_utf8(&SITE.index.raw).unwrap();
            assert!(page.contains(&format!("assets/{}", a.name)), "{}", a.name);
        }
        assert!(!std::str::from_utf8(&SITE.index.raw).unwrap().contains("{{"));
    }

    #[test]
    fn the_page_has_no_inline_script() {
        let page = std::str::from_utf8(&SITE.index.raw).unwrap();
        for tag in page.split("<script").skip(1) {
            let head = tag.split('>').next().unwrap();
            assert!(head.contains("src="), "inline script: <script{head}>");
            let body = tag.split_once('>').unwrap().1;
            assert!(body.starts_with("</script"), "inline script body");
        }
        let handler = page.match_indices(" on").any(|(i, _)| {
            let rest = &page[i + 3..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!handler, "no inline event handlers");
        assert!(!page.contains("style="), "no inline styles");
    }
}
