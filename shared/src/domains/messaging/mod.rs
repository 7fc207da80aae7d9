//! Messages that are not the direct answer to an update: the outbox
//! consumer that delivers them under Telegram's limits (`sender`).

pub mod sender;
