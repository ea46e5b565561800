//! The one error type that reaches `main`, mapped to an exit code there.

use crate::{
    config::ConfigError,
    notice::NoticeError,
    policy::{PolicyError, edit::EditError},
    rpz::RpzError,
    server::BindError,
    zones::ZoneLoadError,
};

/// Why a command failed. Each variant's message already names the file (and line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum ExitError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Zones(#[from] ZoneLoadError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Bind(#[from] BindError),
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Rpz(#[from] RpzError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
