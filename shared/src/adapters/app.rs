//! Everything a function builds once per cold start: configuration, clients.

use crate::adapters::net;
use crate::adapters::outbox::{Outbox, OutgoingText};
use crate::adapters::panel::PanelClient;
use crate::adapters::store::Store;
use crate::base::config::{Config, ConfigError, Vars};
use aws_config::SdkConfig;
use std::path::PathBuf;
use std::sync::Arc;
use teloxide_core::Bot;
use teloxide_core::requests::Requester;
use tokio::sync::OnceCell;

/// The wired application shared by all handlers of one process.
pub struct App {
    /// Parsed settings.
    pub config: Config,
    /// The DynamoDB table.
    pub store: Store,
    /// The outgoing-message queue.
    pub outbox: Outbox,
    /// SQS client (health checks, other queues).
    pub sqs: aws_sdk_sqs::Client,
    /// Telegram Bot API client.
    pub bot: Bot,
    /// HTTP client for payment providers and the panel (rustls, timeouts).
    pub http: reqwest::Client,
    /// The VPN panel's API; `None` when PANEL_API_URL is unset.
    pub panel: Option<PanelClient>,
    bot_username: OnceCell<String>,
}

/// Why a function could not start. Printed as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is missing or wrong.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The Secrets Manager secret could not be read.
    #[error("SECRETS_ARN: could not read the secret: {0}")]
    Secret(String),
    /// `TELEGRAM_API_URL` is not a URL.
    #[error("TELEGRAM_API_URL: expected a URL, got {0:?}")]
    TelegramUrl(String),
    /// An HTTP client could not be built (the TLS configuration refused).
    #[error("could not build an HTTP client: {0}")]
    HttpClient(String),
}

impl App {
    /// Loads settings (environment, `.env` locally, the secret on AWS) and
    /// builds the clients.
    pub async fn from_env() -> Result<Arc<App>, StartupError> {
        let mut vars = Vars::from_env();
        if let Some(path) = dotenv_path(&vars) {
            vars.merge_dotenv_file(&path)?;
        }
        let aws = net::aws_loader().load().await;
        App::load(vars, &aws).await.map(Arc::new)
    }

    /// Adds the secret named by `SECRETS_ARN` (if any) to `vars`, parses the
    /// settings and builds the clients over `aws`.
    ///
    /// While the secret is on its way, the clients that need no setting are
    /// built on another thread: their construction (the SDK clients' endpoint
    /// rules, the HTTP clients) is most of what init costs besides the round
    /// trip, and the main thread has nothing to do but wait.
    pub async fn load(mut vars: Vars, aws: &SdkConfig) -> Result<App, StartupError> {
        let Some(arn) = vars.get("SECRETS_ARN").filter(|s| !s.is_empty()) else {
            let config = App::parse(&vars)?;
            return App::with_clients(config, Clients::build(aws)?);
        };
        let clients = tokio::task::spawn_blocking({
            let aws = aws.clone();
            move || Clients::build(&aws)
        });
        let secret = aws_sdk_secretsmanager::Client::new(aws)
            .get_secret_value()
            .secret_id(arn)
            .send()
            .await
            .map_err(|e| {
                StartupError::Secret(
                    aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string(),
                )
            })?;
        if let Some(json) = secret.secret_string() {
            vars.merge_secret_json(json)?;
        }
        let config = App::parse(&vars)?;
        let clients = match clients.await {
            Ok(built) => built?,
            Err(e) => return Err(StartupError::HttpClient(e.to_string())),
        };
        App::with_clients(config, clients)
    }

    /// The settings from `vars`, with a warning logged for each name that is
    /// not read here (ignored, another bot's, unknown) and each suspicious value.
    fn parse(vars: &Vars) -> Result<Config, StartupError> {
        // Once per cold start: every name set that is not read here, one line
        // each (see docs/configuration.md, "How start-up reports settings").
        for line in Config::report(vars).lines() {
            tracing::warn!("{line}");
        }
        let config = Config::from_vars(vars)?;
        for warning in config.warnings() {
            tracing::warn!("{warning}");
        }
        Ok(config)
    }

    /// Like [`App::from_env`], but prints the one-line reason and exits on failure.
    pub async fn from_env_or_exit() -> Arc<App> {
        match App::from_env().await {
            Ok(app) => app,
            Err(e) => {
                eprintln!("configuration error: {e}");
                tracing::error!("configuration error: {e}");
                std::process::exit(1);
            }
        }
    }

    /// Builds the clients for `config` over an AWS configuration.
    pub fn new(config: Config, aws: &SdkConfig) -> Result<App, StartupError> {
        App::with_clients(config, Clients::build(aws)?)
    }

    fn with_clients(config: Config, clients: Clients) -> Result<App, StartupError> {
        let api_url = reqwest_url(&config.telegram_api_url)?;
        let bot = Bot::with_client(config.bot_token.clone(), clients.telegram).set_api_url(api_url);
        let store = Store::new(clients.dynamodb, config.infra.table_name.clone());
        let outbox = Outbox::new(clients.sqs.clone(), config.infra.outbox_queue_url.clone());
        let panel = config.panel.as_ref().map(PanelClient::new);
        Ok(App {
            config,
            store,
            outbox,
            sqs: clients.sqs,
            bot,
            http: clients.http,
            panel,
            bot_username: OnceCell::new(),
        })
    }

    /// Queues a line for the admin log chat, if one is configured. A
    /// failure is logged: the log chat is a report, never a reason to fail
    /// the work it reports on.
    pub async fn admin_log(&self, text: String) {
        if let Err(e) = self.try_admin_log(text).await {
            tracing::error!("admin log not queued: {e}");
        }
    }

    /// Like [`App::admin_log`], but says when the line could not be queued,
    /// for work that must retry until its report is out (a payment's).
    pub async fn try_admin_log(&self, text: String) -> Result<(), String> {
        let Some(chat_id) = self.config.log.chat_id else {
            return Ok(());
        };
        let msg = OutgoingText {
            chat_id,
            thread_id: self.config.log.thread_id,
            text,
            buttons: Vec::new(),
            user: None,
            deferrals: 0,
        };
        self.outbox.send(&msg, 0).await.map_err(|e| e.to_string())
    }

    /// The bot's @username, asked of Telegram once per process.
    pub async fn bot_username(&self) -> Option<&str> {
        self.bot_username
            .get_or_try_init(|| async {
                let me = self.bot.get_me().await?;
                Ok::<_, teloxide_core::RequestError>(me.username().to_owned())
            })
            .await
            .map_err(|e| tracing::warn!("getMe failed: {e}"))
            .ok()
            .map(String::as_str)
    }
}

/// The clients no setting shapes: built before the settings are known.
struct Clients {
    dynamodb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
    /// Telegram's (teloxide's timeouts).
    telegram: reqwest::Client,
    /// The providers'.
    http: reqwest::Client,
}

impl Clients {
    fn build(aws: &SdkConfig) -> Result<Clients, StartupError> {
        let http_error = |e: reqwest::Error| StartupError::HttpClient(e.to_string());
        Ok(Clients {
            dynamodb: crate::adapters::store::dynamodb_client(aws),
            sqs: aws_sdk_sqs::Client::new(aws),
            telegram: teloxide_core::net::default_reqwest_settings()
                .use_preconfigured_tls(net::tls_config().clone())
                .build()
                .map_err(http_error)?,
            http: net::reqwest_builder()
                .connect_timeout(std::time::Duration::from_secs(5))
                .timeout(std::time::Duration::from_secs(12))
                .build()
                .map_err(http_error)?,
        })
    }
}

fn reqwest_url(url: &str) -> Result<reqwest::Url, StartupError> {
    let with_slash = format!("{}/", url.trim_end_matches('/'));
    reqwest::Url::parse(&with_slash).map_err(|_| StartupError::TelegramUrl(url.to_owned()))
}

/// The `.env` to read: `ENV_FILE`, or `./.env` when it exists; never on Lambda.
pub fn dotenv_path(vars: &Vars) -> Option<PathBuf> {
    if vars.get("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        return None;
    }
    match vars.get("ENV_FILE").filter(|s| !s.is_empty()) {
        Some(path) => Some(PathBuf::from(path)),
        None => Some(PathBuf::from(".env")).filter(|p| p.exists()),
    }
}

/// Sets up logging: JSON lines on Lambda (CloudWatch), compact text locally.
/// On Lambda, `ERROR` events are also kept for Sentry (`adapters::sentry`).
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        builder
            .json()
            .with_current_span(false)
            .without_time()
            .with_ansi(false)
            .finish()
            .with(crate::adapters::sentry::CaptureErrors)
            .try_init()
            .map_err(|e| e.to_string())
    } else {
        builder.compact().try_init().map_err(|e| e.to_string())
    };
    let _ = result;
}
