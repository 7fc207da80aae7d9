//! A real browser for the cabinet's tests: Debian's Chromium, headless,
//! driven over the Chrome DevTools Protocol (one WebSocket to the page).
//! Nothing is downloaded: `chromium` must be on PATH (`scripts/test`
//! installs it). The page's `telegram-web-app.js` cannot be fetched
//! offline, so requests to telegram.org are blocked and a stand-in for
//! `window.Telegram.WebApp` is injected before the page's own scripts.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A phone's viewport, CSS pixels.
pub const PHONE: (u32, u32) = (390, 844);

/// A headless Chromium with one page.
pub struct Browser {
    child: tokio::process::Child,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Events received while waiting for answers (method, params).
    pub events: Vec<(String, Value)>,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The stand-in for Telegram's `WebApp` object: the signed `initData`, the
/// theme, and records of what the page asked Telegram to do
/// (`window.__tg.links`, `.invoices`, `.telegramLinks`). `__tg.setTheme`
/// switches the theme as Telegram does and fires `themeChanged`.
pub fn telegram_stand_in(init_data: &str, platform: &str) -> String {
    let init = serde_json::to_string(init_data).expect("a string");
    let platform = serde_json::to_string(platform).expect("a string");
    format!(
        r#"(function () {{
  var themes = {{
    light: {{bg_color: '#ffffff', text_color: '#000000', hint_color: '#707579', link_color: '#3390ec',
             button_color: '#3390ec', button_text_color: '#ffffff', secondary_bg_color: '#f4f4f5',
             destructive_text_color: '#e53935'}},
    dark: {{bg_color: '#212121', text_color: '#ffffff', hint_color: '#aaaaaa', link_color: '#8774e1',
            button_color: '#8774e1', button_text_color: '#ffffff', secondary_bg_color: '#181818',
            destructive_text_color: '#ff595a'}}
  }};
  var handlers = {{}};
  var rec = {{links: [], invoices: [], telegramLinks: [], ready: 0}};
  var wa = {{
    initData: {init}, platform: {platform}, colorScheme: 'light', themeParams: themes.light,
    ready: function () {{ rec.ready += 1; }}, expand: function () {{}},
    onEvent: function (name, fn) {{ (handlers[name] = handlers[name] || []).push(fn); }},
    offEvent: function () {{}},
    openLink: function (url) {{ rec.links.push(url); }},
    openTelegramLink: function (url) {{ rec.telegramLinks.push(url); }},
    openInvoice: function (url, cb) {{ rec.invoices.push(url); if (cb) cb('pending'); }},
    showConfirm: function (text, cb) {{ cb(true); }}
  }};
  rec.setTheme = function (name) {{
    wa.colorScheme = name; wa.themeParams = themes[name];
    (handlers.themeChanged || []).forEach(function (fn) {{ fn(); }});
  }};
  window.Telegram = {{WebApp: wa}};
  window.__tg = rec;
}})();"#
    )
}

impl Browser {
    /// Starts Chromium at phone size with `stand_in` run before every page's scripts.
    pub async fn start(stand_in: &str) -> Browser {
        let profile = std::env::temp_dir().join(format!("cabinet-chromium-{}", uuid()));
        std::fs::create_dir_all(&profile).expect("profile dir");
        let mut child = tokio::process::Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--window-size={},{}", PHONE.0, PHONE.1))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("chromium on PATH (scripts/test installs Debian's package: apt-get install chromium)");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let browser_ws = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("chromium exited before listening");
        })
        .await
        .expect("chromium listens within 30 s");
        // Keep reading stderr so Chromium never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let port = browser_ws
            .trim_start_matches("ws://")
            .split(['/', ':'])
            .nth(1)
            .expect("port")
            .to_owned();
        let list: Value = reqwest::get(format!("http://127.0.0.1:{port}/json/list"))
            .await
            .expect("DevTools HTTP")
            .json()
            .await
            .expect("json");
        let page_ws = list
            .as_array()
            .and_then(|l| l.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("a page target")
            .to_owned();
        let (ws, _) = tokio_tungstenite::connect_async(page_ws.as_str())
            .await
            .expect("DevTools WebSocket");
        let mut b = Browser {
            child,
            ws,
            next_id: 0,
            events: Vec::new(),
            _profile: TempDir(profile),
        };
        b.call("Page.enable", json!({})).await;
        b.call("Runtime.enable", json!({})).await;
        b.call("Network.enable", json!({})).await;
        b.call(
            "Network.setBlockedURLs",
            json!({"urls": ["*telegram.org*"]}),
        )
        .await;
        b.call("Network.setCacheDisabled", json!({"cacheDisabled": true}))
            .await;
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": PHONE.0, "height": PHONE.1, "deviceScaleFactor": 2, "mobile": true}),
        )
        .await;
        b.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": stand_in}),
        )
        .await;
        b
    }

    /// Sends one DevTools command and returns its result; events that
    /// arrive meanwhile are kept in [`Browser::events`].
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws
            .send(Message::Text(msg.into()))
            .await
            .expect("DevTools send");
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{method}: no answer in 30 s"))
                .expect("DevTools open")
                .expect("DevTools frame");
            let Message::Text(text) = frame else { continue };
            let v: Value = serde_json::from_str(&text).expect("DevTools json");
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method}: {e}");
                }
                return v["result"].clone();
            }
            if let Some(m) = v["method"].as_str() {
                self.events.push((m.to_owned(), v["params"].clone()));
            }
        }
    }

    /// Opens `url` and waits for its load event.
    pub async fn open(&mut self, url: &str) {
        self.events.clear();
        self.call("Page.navigate", json!({"url": url})).await;
        self.wait_for("document.readyState === 'complete'").await;
    }

    /// Evaluates `expr` in the page (promises awaited) and returns its value.
    pub async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{expr}: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits up to 15 s until `expr` is true in the page.
    pub async fn wait_for(&mut self, expr: &str) {
        for _ in 0..150 {
            if self.eval(&format!("!!({expr})")).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let body = self
            .eval("document.body ? document.body.innerText : ''")
            .await;
        panic!("waited 15 s for {expr}; the page shows: {body}");
    }

    /// Clicks the first element matching `selector`.
    pub async fn click(&mut self, selector: &str) {
        let sel = serde_json::to_string(selector).expect("a string");
        let found = self
            .eval(&format!(
                "(function () {{ var e = document.querySelector({sel}); if (!e) return false; e.click(); return true; }})()"
            ))
            .await;
        assert_eq!(found, json!(true), "no element {selector}");
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&mut self, path: &Path) {
        use base64::Engine;
        let shot = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("data"))
            .expect("base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("screenshot written");
    }

    /// Uncaught exceptions and console errors the page reported so far.
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|(m, p)| match m.as_str() {
                "Runtime.exceptionThrown" => Some(p["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if p["type"] == "error" => Some(p["args"].to_string()),
                _ => None,
            })
            .collect()
    }

    /// (URL, bytes on the wire) of every response the page received since it was opened.
    pub fn responses(&self) -> Vec<(String, f64)> {
        let urls: std::collections::HashMap<String, String> = self
            .events
            .iter()
            .filter(|(m, _)| m == "Network.responseReceived")
            .filter_map(|(_, p)| {
                Some((
                    p["requestId"].as_str()?.to_owned(),
                    p["response"]["url"].as_str()?.to_owned(),
                ))
            })
            .collect();
        self.events
            .iter()
            .filter(|(m, _)| m == "Network.loadingFinished")
            .filter_map(|(_, p)| {
                let url = urls.get(p["requestId"].as_str()?)?.clone();
                Some((url, p["encodedDataLength"].as_f64()?))
            })
            .collect()
    }
}

fn uuid() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}
