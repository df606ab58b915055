//! Shapes of the JSON API that both the app and the server use.

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// The body of every error response: a stable machine-readable `code`, a plain-words `message`
/// and, for validation errors, the problem with each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// For example `validation_failed`, `not_found`, `conflict`, `bad_request`, `payload_too_large`.
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the server and its database answer.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// True when the server was started with fictional demo data.
    pub demo: bool,
}
