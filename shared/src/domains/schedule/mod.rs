//! The product's clock. A scheduled function calls [`tick::run`] every few
//! minutes with the time; it finds what falls due in the next window on the
//! day-keyed index and queues one job per item on `JobsQueue`, delayed to
//! fire on time. The jobs consumer runs them here: expiry notices
//! (`notices`), stuck-payment re-checks (`stuck`), the nightly panel
//! reconciliation (`nightly`). Every job is idempotent, so a repeated run or
//! a duplicated delivery does nothing twice.

pub mod nightly;
pub mod notices;
pub mod stuck;
pub mod tick;
