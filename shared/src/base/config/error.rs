//! `ConfigError`: why a setting cannot be used, one line naming it and never showing a secret.

/// A setting that cannot be used; `Display` is one line naming the setting and never shows a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required setting is absent or empty.
    #[error("{name}: required, not set")]
    Missing {
        /// The setting.
        name: &'static str,
    },
    /// A setting that another setting makes required is absent or empty.
    #[error("{name}: required when {because}, not set")]
    MissingWhen {
        /// The setting.
        name: &'static str,
        /// The condition that requires it, e.g. "PANEL_API_URL is set".
        because: String,
    },
    /// A non-secret setting has a value of the wrong shape.
    #[error("{name}: expected {expected}, got {got:?}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// What a valid value looks like.
        expected: String,
        /// The offending value (or the offending item of a list).
        got: String,
    },
    /// A secret setting has a value of the wrong shape; the value is not kept.
    #[error("{name}: expected {expected}, got an invalid value")]
    InvalidSecret {
        /// The setting.
        name: &'static str,
        /// What a valid value looks like.
        expected: String,
    },
    /// Settings that are valid one by one but not together.
    #[error("{name}: {problem}")]
    Conflict {
        /// The setting to change.
        name: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// The `.env` file could not be read.
    #[error(".env file {path}: {source}")]
    DotEnvRead {
        /// The file.
        path: String,
        /// Why it could not be read (`source.kind()` is `NotFound` for a missing file).
        source: std::io::Error,
    },
    /// A line of the `.env` file could not be parsed; the line's value is not shown.
    #[error(".env file {path}, line {line}: {problem}")]
    DotEnvSyntax {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, naming the setting when it is known.
        problem: String,
    },
    /// The Secrets Manager secret is not a flat JSON object of names to strings, numbers or booleans.
    #[error("secret JSON: {0}")]
    SecretJson(String),
    /// More than one setting cannot be used: every one of them, in the order they are read.
    #[error("{} settings are invalid: {}", .0.len(), join(.0))]
    Several(Vec<ConfigError>),
}

fn join(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    /// The setting the error names, when it names one.
    pub fn setting(&self) -> Option<&'static str> {
        match self {
            ConfigError::Missing { name }
            | ConfigError::MissingWhen { name, .. }
            | ConfigError::Invalid { name, .. }
            | ConfigError::InvalidSecret { name, .. }
            | ConfigError::Conflict { name, .. } => Some(name),
            _ => None,
        }
    }
}
