//! The outside world, each behind one module: the DynamoDB table (`store`),
//! the SQS queues (`queue`, `outbox`, `jobs`), the HTTP edge (`http`,
//! `lambda`), metrics (`metrics`, EMF lines), the payment providers' APIs and signatures (`pay`), the VPN
//! panel's API (`panel`), one TLS configuration and the AWS SDK's HTTP client (`net`), and `app`, which wires them once per cold start.
//! Adapters know wire formats and tables, never business rules.

pub mod app;
pub mod health;
pub mod http;
pub mod jobs;
pub mod lambda;
pub mod metrics;
pub mod net;
pub mod outbox;
pub mod panel;
pub mod pay;
pub mod queue;
pub mod queues;
pub mod sentry;
pub mod store;
