//! Values and settings: the types money and ids are made of, the parsed
//! configuration, the texts in both languages and how dates and amounts are
//! written, callback data. Nothing here does IO or knows the layers above.

pub mod admin_callback;
pub mod callback;
pub mod clock;
pub mod config;
pub mod format;
pub mod i18n;
#[cfg(test)]
mod i18n_check;
pub mod initdata;
pub mod money;
pub mod refcode;
pub mod types;
