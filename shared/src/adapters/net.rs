//! One TLS configuration for the whole process, and the AWS SDK's HTTP
//! client built on it.
//!
//! Every HTTPS call this product makes (DynamoDB, SQS and Secrets Manager
//! through the AWS SDK; Telegram, the providers and the panel through
//! `reqwest`) trusts the same roots: Mozilla's, compiled in (`webpki-roots`),
//! with `ring` for the cryptography. Building that configuration costs no
//! file IO. The SDK's own HTTPS client would instead load the system's
//! roots through `rustls-native-certs` when the clients are built, reading
//! and parsing every file under `/etc/ssl/certs` at each cold start
//! (measured in `docs/benchmarks.md` §1): that is why the SDK gets the
//! client below, a small [`HttpClient`] over `hyper-util`'s pooled client.

use aws_config::{BehaviorVersion, ConfigLoader};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::ErrorKind;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::TokioExecutor;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The SDK's connect timeout when its settings give none (the SDK's own default).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// The process's TLS client configuration: compiled-in Mozilla roots and
/// `ring`; no ALPN (each client sets its own). Built once; every client
/// starts from it.
pub fn tls_config() -> &'static rustls::ClientConfig {
    static CONFIG: OnceLock<rustls::ClientConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
    })
}

/// A `reqwest` client builder over [`tls_config`].
pub fn reqwest_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().use_preconfigured_tls(tls_config().clone())
}

/// The AWS configuration loader every function, tool and test starts from:
/// the latest behaviour version and [`sdk_http_client`].
///
/// On Lambda the credentials and the region are always in the environment
/// (the execution role's keys, `AWS_REGION`), so they are taken from there
/// directly. The default chains would find the same values first, but
/// building them costs a cold start an STS client (its endpoint rules, a
/// large JSON document and a dozen regular expressions parsed) and a look
/// for profile files: about a tenth of a millisecond for nothing. Elsewhere
/// (tools on an operator's machine, tests) the default chains stay.
pub fn aws_loader() -> ConfigLoader {
    let loader = aws_config::defaults(BehaviorVersion::latest()).http_client(sdk_http_client());
    let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    match (
        env("AWS_LAMBDA_FUNCTION_NAME"),
        env("AWS_ACCESS_KEY_ID"),
        env("AWS_REGION"),
    ) {
        (Some(_), Some(_), Some(region)) => loader
            .credentials_provider(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            )
            .region(aws_config::Region::new(region)),
        _ => loader,
    }
}

/// The AWS SDK's HTTP client: pooled HTTP/1.1 over [`tls_config`] (plain
/// HTTP too, for the local stack), with the SDK's connect and read timeouts.
pub fn sdk_http_client() -> SharedHttpClient {
    SharedHttpClient::new(SdkClient {
        connectors: Mutex::new(Vec::new()),
    })
}

/// The connectors made so far, one per distinct timeout settings (the SDK
/// asks once per client and operation configuration; all ours share one).
struct SdkClient {
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

impl fmt::Debug for SdkClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SdkClient(hyper-util, webpki roots)")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Timeouts {
    connect: Option<Duration>,
    read: Option<Duration>,
}

impl HttpClient for SdkClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = Timeouts {
            connect: settings.connect_timeout(),
            read: settings.read_timeout(),
        };
        let mut connectors = self.connectors.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, found)) = connectors.iter().find(|(k, _)| *k == key) {
            return found.clone();
        }
        let connector = SharedHttpConnector::new(SdkConnector::new(key));
        connectors.push((key, connector.clone()));
        connector
    }
}

/// One pooled client with fixed timeouts.
struct SdkConnector {
    client: PooledClient<HttpsConnector<TcpConnector>, SdkBody>,
    read_timeout: Option<Duration>,
}

impl fmt::Debug for SdkConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkConnector")
            .field("read_timeout", &self.read_timeout)
            .finish()
    }
}

impl SdkConnector {
    fn new(timeouts: Timeouts) -> SdkConnector {
        let mut tcp = TcpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(timeouts.connect.unwrap_or(DEFAULT_CONNECT_TIMEOUT)));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls_config().clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(tcp);
        SdkConnector {
            client: PooledClient::builder(TokioExecutor::new()).build(https),
            read_timeout: timeouts.read,
        }
    }
}

impl HttpConnector for SdkConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(request) => request,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let sent = self.client.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let response = match read_timeout {
                Some(limit) => match tokio::time::timeout(limit, sent).await {
                    Ok(result) => result,
                    Err(elapsed) => return Err(ConnectorError::timeout(elapsed.into())),
                },
                None => sent.await,
            }
            .map_err(classify)?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// Sorts a failed call the way the SDK's retry policy expects: anything
/// that happened on the connection (refused, reset, closed, cut short) is
/// an IO error and retried; a request we built wrong is the user's.
fn classify(err: hyper_util::client::legacy::Error) -> ConnectorError {
    let transport = err.is_connect()
        || find_source::<std::io::Error>(&err).is_some()
        || find_source::<hyper::Error>(&err)
            .is_some_and(|h| h.is_closed() || h.is_canceled() || h.is_incomplete_message());
    let user = find_source::<hyper::Error>(&err).is_some_and(hyper::Error::is_user);
    if transport {
        ConnectorError::io(err.into())
    } else if user {
        ConnectorError::user(err.into())
    } else {
        ConnectorError::other(err.into(), Some(ErrorKind::TransientError))
    }
}

fn find_source<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(found) = err.downcast_ref::<E>() {
            return Some(found);
        }
        next = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tls_configuration_with_the_compiled_in_roots() {
        let a = tls_config() as *const rustls::ClientConfig;
        let b = tls_config() as *const rustls::ClientConfig;
        assert_eq!(a, b);
        assert!(
            tls_config().alpn_protocols.is_empty(),
            "hyper-rustls refuses a preset ALPN"
        );
        assert_eq!(
            tls_config().crypto_provider().cipher_suites,
            rustls::crypto::ring::default_provider().cipher_suites
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_an_io_error_the_sdk_retries() {
        // A port bound but not listening: connections to it are refused,
        // and no test running beside this one can take it while it is held.
        let held = tokio::net::TcpSocket::new_v4().unwrap();
        held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = held.local_addr().unwrap().port();
        let connector = SdkConnector::new(Timeouts {
            connect: Some(Duration::from_secs(2)),
            read: None,
        });
        let request = http::Request::builder()
            .uri(format!("http://127.0.0.1:{port}/"))
            .body(SdkBody::empty())
            .unwrap();
        let err = connector
            .call(HttpRequest::try_from(request).unwrap())
            .await
            .unwrap_err();
        assert!(err.is_io(), "{err:?}");
    }
}
