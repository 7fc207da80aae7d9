//! One local HTTP port with the routes of the template, each calling the same
//! library handler its Lambda function calls.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use shared::adapters::app::App;
use shared::adapters::health::Probe;
use shared::adapters::http::{HttpRequest, HttpResponse};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What the routes need.
pub struct Routes {
    /// The application.
    pub app: Arc<App>,
    /// The health probe.
    pub probe: Arc<Probe>,
}

impl Routes {
    /// Dispatches a request by method and path.
    pub async fn handle(&self, req: HttpRequest) -> HttpResponse {
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/telegram") => shared::bot::handle_webhook(&self.app, req).await,
            ("POST", "/panel") => {
                shared::domains::access::webhook::handle_panel_webhook(&self.app, req).await
            }
            ("GET", "/health") => shared::adapters::health::handle_health(&self.probe, &req).await,
            ("POST", "/pay/yookassa") => {
                shared::domains::money::payhooks::yookassa(&self.app, req).await
            }
            ("POST", "/pay/cryptopay") => {
                shared::domains::money::payhooks::cryptopay(&self.app, req).await
            }
            ("POST" | "GET", "/pay/freekassa") => {
                shared::domains::money::payhooks::freekassa(&self.app, req).await
            }
            ("POST", "/pay/platega") => {
                shared::domains::money::payhooks::platega(&self.app, req).await
            }
            ("POST", "/pay/severpay") => {
                shared::domains::money::payhooks::severpay(&self.app, req).await
            }
            ("POST", "/pay/tribute") => {
                shared::domains::money::payhooks::tribute(&self.app, req).await
            }
            (_, p) if p == "/app" || p.starts_with("/app/") => {
                shared::bot::cabinet::handle(&self.app, req).await
            }
            // Locally, the stand-in for SNS invoking AlarmsFunction: the body is the Lambda event SNS delivers.
            ("POST", "/_local/sns/alarms") => {
                match serde_json::from_slice::<shared::domains::ops::alarms::SnsEvent>(&req.body) {
                    Err(e) => HttpResponse::error(
                        StatusCode::BAD_REQUEST,
                        &format!("not an SNS event: {e}"),
                    ),
                    Ok(event) => {
                        match shared::domains::ops::alarms::handle_alarms(&self.app, event).await {
                            Ok(()) => HttpResponse::text(StatusCode::OK, "ok"),
                            Err(e) => HttpResponse::error(
                                StatusCode::INTERNAL_SERVER_ERROR,
                                &e.to_string(),
                            ),
                        }
                    }
                }
            }
            _ => HttpResponse::error(StatusCode::NOT_FOUND, "no such route"),
        }
    }
}

/// Serves `routes` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, routes: Arc<Routes>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                continue;
            }
        };
        let routes = routes.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let routes = routes.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(&routes, req, peer).await) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection ended: {e}");
            }
        });
    }
}

async fn answer(
    routes: &Routes,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return response(HttpResponse::error(
                StatusCode::BAD_REQUEST,
                "unreadable body",
            ));
        }
    };
    let request = HttpRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
        // Locally the source IP is the TCP peer, as API Gateway's sourceIp is on AWS.
        source_ip: Some(peer.ip()),
    };
    let started = std::time::Instant::now();
    let (method, path) = (request.method.clone(), request.path.clone());
    let resp = routes.handle(request).await;
    tracing::info!(%method, %path, status = resp.status.as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    response(resp)
}

fn response(resp: HttpResponse) -> Response<Full<Bytes>> {
    let mut out = Response::new(Full::new(resp.body));
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(resp.content_type),
    );
    out
}
