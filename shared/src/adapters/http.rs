//! A small HTTP request/response pair that both the Lambda adapter and the
//! local server build, so handlers never depend on where they run.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use std::net::IpAddr;

/// An inbound HTTP request, body kept as the raw bytes received.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: Method,
    /// Path without the query string, e.g. `/telegram`.
    pub path: String,
    /// Raw query string without `?`, possibly empty.
    pub query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Body exactly as received: signatures are checked over these bytes.
    pub body: Bytes,
    /// The caller's address: API Gateway's `sourceIp`, or the TCP peer locally.
    pub source_ip: Option<IpAddr>,
}

impl HttpRequest {
    /// A header as text, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// Status code.
    pub status: StatusCode,
    /// `Content-Type` header value.
    pub content_type: &'static str,
    /// Body bytes.
    pub body: Bytes,
    /// Other headers (caching, security policy, encoding); usually none.
    pub headers: HeaderMap,
}

impl HttpResponse {
    /// A JSON response.
    pub fn json(status: StatusCode, value: &serde_json::Value) -> Self {
        HttpResponse {
            status,
            content_type: "application/json",
            body: Bytes::from(value.to_string()),
            headers: HeaderMap::new(),
        }
    }

    /// A plain-text response.
    pub fn text(status: StatusCode, text: &str) -> Self {
        HttpResponse {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Bytes::copy_from_slice(text.as_bytes()),
            headers: HeaderMap::new(),
        }
    }

    /// Bytes of `content_type`.
    pub fn bytes(status: StatusCode, content_type: &'static str, body: Bytes) -> Self {
        HttpResponse {
            status,
            content_type,
            body,
            headers: HeaderMap::new(),
        }
    }

    /// The same response with the header `name: value` added.
    pub fn with_header(mut self, name: http::HeaderName, value: &str) -> Self {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            self.headers.append(name, v);
        }
        self
    }

    /// `200 {"ok":true}`.
    pub fn ok() -> Self {
        Self::json(StatusCode::OK, &serde_json::json!({"ok": true}))
    }

    /// An error status with a short JSON reason (never a secret).
    pub fn error(status: StatusCode, reason: &str) -> Self {
        Self::json(status, &serde_json::json!({"ok": false, "error": reason}))
    }
}
