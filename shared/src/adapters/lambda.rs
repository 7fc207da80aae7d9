//! Adapters between the Lambda runtime and the library's handlers, so each
//! function's `main` is a few lines of wiring.

use crate::adapters::http::{HttpRequest, HttpResponse};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use bytes::Bytes;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::future::Future;
use std::net::IpAddr;

/// Converts an API Gateway (HTTP API) request into an [`HttpRequest`].
pub fn from_lambda(req: Request) -> HttpRequest {
    let source_ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx
            .http
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse::<IpAddr>().ok()),
        _ => None,
    };
    let (parts, body) = req.into_parts();
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    HttpRequest {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers,
        body,
        source_ip,
    }
}

/// Converts an [`HttpResponse`] into the Lambda runtime's response.
pub fn to_lambda(resp: HttpResponse) -> Response<Body> {
    let mut out = Response::new(Body::Binary(resp.body.to_vec()));
    *out.status_mut() = resp.status;
    *out.headers_mut() = resp.headers;
    out.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(resp.content_type),
    );
    out
}

/// Runs an HTTP handler under the Lambda runtime until the sandbox ends.
pub async fn run_http<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(HttpRequest) -> Fut,
    Fut: Future<Output = HttpResponse> + Send,
{
    lambda_http::run(lambda_http::service_fn(|req: Request| {
        let fut = handler(from_lambda(req));
        async move { Ok::<_, std::convert::Infallible>(to_lambda(fut.await)) }
    }))
    .await
}

/// A whole HTTP function: logging, the application built once per cold
/// start, then `handler` for every request.
pub async fn http_function<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(std::sync::Arc<crate::adapters::app::App>, HttpRequest) -> Fut,
    Fut: Future<Output = HttpResponse> + Send,
{
    crate::adapters::app::init_logging();
    let app = crate::adapters::app::App::from_env_or_exit().await;
    crate::adapters::metrics::cold_start();
    run_http(|req| {
        let fut = handler(app.clone(), req);
        let app = app.clone();
        async move {
            let resp = fut.await;
            crate::adapters::sentry::flush(&app.http, &app.config).await;
            resp
        }
    })
    .await
}

/// A whole SQS consumer function: logging, the application built once per
/// cold start, then `handler` for every batch (it reports failures per message).
pub async fn sqs_function<F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(std::sync::Arc<crate::adapters::app::App>, SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse> + Send,
{
    crate::adapters::app::init_logging();
    let app = crate::adapters::app::App::from_env_or_exit().await;
    crate::adapters::metrics::cold_start();
    lambda_runtime::run(lambda_runtime::service_fn(
        |event: lambda_runtime::LambdaEvent<SqsEvent>| {
            let fut = handler(app.clone(), event.payload);
            let app = app.clone();
            async move {
                let resp = fut.await;
                crate::adapters::sentry::flush(&app.http, &app.config).await;
                Ok::<_, lambda_runtime::Error>(resp)
            }
        },
    ))
    .await
}

/// A whole function for an asynchronous event (SNS): logging, the
/// application built once per cold start, then `handler` for every event;
/// an error fails the invocation, so Lambda retries it.
pub async fn event_function<E, F, Fut, Err>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: serde::de::DeserializeOwned + Send + 'static,
    F: Fn(std::sync::Arc<crate::adapters::app::App>, E) -> Fut,
    Fut: Future<Output = Result<(), Err>> + Send,
    Err: std::fmt::Display,
{
    crate::adapters::app::init_logging();
    let app = crate::adapters::app::App::from_env_or_exit().await;
    crate::adapters::metrics::cold_start();
    lambda_runtime::run(lambda_runtime::service_fn(
        |event: lambda_runtime::LambdaEvent<E>| {
            let fut = handler(app.clone(), event.payload);
            let app = app.clone();
            async move {
                let result = fut.await;
                crate::adapters::sentry::flush(&app.http, &app.config).await;
                result.map_err(|e| lambda_runtime::Error::from(e.to_string()))
            }
        },
    ))
    .await
}

/// A whole scheduled function (an EventBridge schedule's target): logging,
/// the application built once per cold start, then `handler` with the time
/// of each invocation. A failure fails the invocation, so it shows in the
/// function's errors; the next run covers the window again.
pub async fn scheduled_function<F, Fut, Err>(handler: F) -> Result<(), lambda_runtime::Error>
where
    F: Fn(std::sync::Arc<crate::adapters::app::App>, i64) -> Fut,
    Fut: Future<Output = Result<(), Err>> + Send,
    Err: std::fmt::Display,
{
    event_function(move |app, _event: serde_json::Value| handler(app, crate::base::clock::now()))
        .await
}
