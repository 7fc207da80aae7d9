//! The local stack: moto_server for DynamoDB, SQS and Secrets Manager, the
//! template's resources created in it, every HTTP function behind one port,
//! the queue consumers and the scheduler, and optionally long polling of Telegram.

pub mod moto;
pub mod poll;
pub mod provision;
pub mod server;
pub mod workers;

use aws_config::{Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use shared::adapters::app::App;
use shared::adapters::health::Probe;
use shared::base::config::{SECRET_NAMES, Vars};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use workers::Worker;

/// AWS configuration that reaches the emulator at `endpoint`.
pub async fn local_aws(endpoint: &str) -> SdkConfig {
    shared::adapters::net::aws_loader()
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "local",
            "local",
            None,
            None,
            "local-stack",
        ))
        .load()
        .await
}

/// A running local stack. Dropping it stops everything it started.
pub struct Stack {
    /// The emulator.
    pub moto: moto::Moto,
    /// AWS configuration pointing at the emulator.
    pub aws: SdkConfig,
    /// What was created from the template.
    pub provisioned: provision::Provisioned,
    /// The HTTP address the routes are served on.
    pub addr: SocketAddr,
    /// The application the handlers share.
    pub app: Arc<App>,
    tasks: Vec<JoinHandle<()>>,
    /// (queue URL, receipt handle) of messages a drain saw fail: still on
    /// their queue, invisible until their visibility timeout ends.
    failed: Mutex<Vec<(String, String)>>,
}

/// What draining a queue did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Messages handled.
    pub handled: usize,
    /// Of those, reported as failed (left on the queue for a retry).
    pub failed: usize,
}

impl Stack {
    /// Starts moto_server, creates the template's resources, stores the
    /// secret settings of `vars` in the local secret (and takes them out of
    /// `vars`, so they are read back through Secrets Manager as on AWS), and
    /// serves the routes on `addr`. Consumers run unless `consumers` is false
    /// (tests drive them by hand with [`Stack::drain_outbox`]).
    pub async fn start(mut vars: Vars, addr: SocketAddr, consumers: bool) -> Result<Stack, String> {
        let moto = moto::Moto::start().await?;
        let aws = local_aws(&moto.endpoint).await;
        let provisioned = provision::provision(&aws, &vars.secrets_json()).await?;
        for name in SECRET_NAMES {
            vars.remove(name);
        }
        for (k, v) in &provisioned.env {
            vars.set(k, v);
        }
        let app = Arc::new(App::load(vars, &aws).await.map_err(|e| e.to_string())?);
        let mut probe = probe_for(&app);
        probe.dlqs = [
            ("outbox_dlq", "OutboxDlq"),
            ("panel_sync_dlq", "PanelSyncDlq"),
            ("jobs_dlq", "JobsDlq"),
        ]
        .into_iter()
        .filter_map(|(name, id)| Some((name, provisioned.refs.get(id)?.clone())))
        .collect();
        let probe = Arc::new(probe);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let routes = Arc::new(server::Routes {
            app: app.clone(),
            probe,
        });
        let mut tasks = vec![tokio::spawn(server::serve(listener, routes))];
        if consumers {
            tasks.extend(spawn_consumers(&app));
            tasks.push(tokio::spawn(run_scheduler(app.clone())));
        }
        Ok(Stack {
            moto,
            aws,
            provisioned,
            addr,
            app,
            tasks,
            failed: Mutex::new(Vec::new()),
        })
    }

    /// Starts long polling of Telegram through the webhook's handler.
    pub fn spawn_polling(&mut self) {
        self.tasks.push(tokio::spawn(poll::run(self.app.clone())));
    }

    /// Processes the outbox queue until no message is visible (for tests),
    /// after the jobs queue: the jobs visible now (a payment's after-payment
    /// job, say) run first, as the deployed workers would have run them.
    pub async fn drain_outbox(&self) -> Result<usize, String> {
        self.drain(Worker::Jobs).await?;
        self.drain(Worker::Outbox).await.map(|d| d.handled)
    }

    /// Processes the panel-sync queue until no message is visible (for
    /// tests), after the jobs queue as [`Stack::drain_outbox`] does. Failed
    /// messages stay on the queue, as on AWS; see
    /// [`Stack::expire_retry_delays`].
    pub async fn drain_panel_sync(&self) -> Result<Drained, String> {
        self.drain(Worker::Jobs).await?;
        self.drain(Worker::PanelSync).await
    }

    /// Processes the jobs queue until no message is visible (for tests).
    pub async fn drain_jobs(&self) -> Result<Drained, String> {
        self.drain(Worker::Jobs).await
    }

    async fn drain(&self, worker: Worker) -> Result<Drained, String> {
        let url = worker
            .queue_url(&self.app.config.infra)
            .ok_or_else(|| format!("no queue for {worker:?}"))?;
        let app = self.app.clone();
        let handler = move |event| {
            let app = app.clone();
            async move { worker.handle(&app, event).await }
        };
        let mut total = Drained::default();
        loop {
            let batch = workers::poll_batch(&self.app.sqs, &url, &handler, 0).await?;
            if batch.received == 0 {
                return Ok(total);
            }
            total.handled += batch.received;
            total.failed += batch.failed.len();
            let mut failed = self.failed.lock().map_err(|e| e.to_string())?;
            failed.extend(batch.failed.into_iter().map(|h| (url.clone(), h)));
        }
    }

    /// Makes every message a drain saw fail visible again now, as if its
    /// visibility timeout (and any back-off) had passed (for tests).
    pub async fn expire_retry_delays(&self) -> Result<usize, String> {
        let failed: Vec<(String, String)> = self
            .failed
            .lock()
            .map_err(|e| e.to_string())?
            .drain(..)
            .collect();
        for (url, handle) in &failed {
            self.app
                .sqs
                .change_message_visibility()
                .queue_url(url)
                .receipt_handle(handle)
                .visibility_timeout(0)
                .send()
                .await
                .map_err(|e| aws_sdk_sqs::error::DisplayErrorContext(e).to_string())?;
        }
        Ok(failed.len())
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// The health probe of `app`.
pub fn probe_for(app: &App) -> Probe {
    let infra = &app.config.infra;
    Probe {
        store: app.store.clone(),
        sqs: app.sqs.clone(),
        queues: [
            ("outbox", infra.outbox_queue_url.clone()),
            ("panel_sync", infra.panel_sync_queue_url.clone()),
            ("jobs", infra.jobs_queue_url.clone()),
        ]
        .into_iter()
        .filter_map(|(n, u)| Some((n, u?)))
        .collect(),
        dlqs: Vec::new(),
        // The app was built from these settings: they parse.
        startup: None,
        token: app.config.health_token.clone(),
    }
}

/// How often the local stack runs the scheduler (on AWS: every 5 minutes).
pub const SCHEDULER_EVERY: Duration = Duration::from_secs(30);

/// Runs the scheduler on the wall clock every [`SCHEDULER_EVERY`], as the
/// EventBridge schedule does on AWS (tests call
/// `shared::domains::schedule::tick::run` with their own clock instead).
async fn run_scheduler(app: Arc<App>) {
    loop {
        let now = shared::base::clock::now();
        if let Err(e) = shared::domains::schedule::tick::run(&app, now).await {
            tracing::warn!("scheduler run failed: {e}");
        }
        tokio::time::sleep(SCHEDULER_EVERY).await;
    }
}

fn spawn_consumers(app: &Arc<App>) -> Vec<JoinHandle<()>> {
    Worker::ALL
        .into_iter()
        .filter_map(|worker| {
            let url = worker.queue_url(&app.config.infra)?;
            let a = app.clone();
            Some(tokio::spawn(workers::run_consumer(
                app.sqs.clone(),
                url,
                move |event| {
                    let a = a.clone();
                    async move { worker.handle(&a, event).await }
                },
            )))
        })
        .collect()
}
