//! One error type for every handler: JSON `{ code, message, fields }`, a 4xx for the caller's
//! mistakes, and a plain 500 (details only in the log) for ours.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dsr_shared::ValidationErrors;
use dsr_shared::api::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error("{message}")]
    BadRequest { status: StatusCode, code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// Too many attempts under `limit`: try again after this many seconds (429).
    #[error("too many attempts ({})", .limit.scope)]
    Throttled { retry_after_secs: u64, limit: crate::limits::Limit },
    /// Too much work already in hand (password checks): try again after this many seconds (503).
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    /// The database does not answer (stopped, unreachable, every connection taken for too long): 503,
    /// so a device keeps its changes and tries again, and a load balancer sends no one here.
    #[error("the database does not answer: {0}")]
    Unavailable(String),
}

/// Seconds a caller is asked to wait when the database does not answer.
const UNAVAILABLE_RETRY_SECS: u64 = 5;

impl AppError {
    /// 401: no valid session. The app asks the user to sign in again and keeps what is on the device.
    pub fn unauthorized(code: &'static str, message: &str) -> Self {
        AppError::BadRequest { status: StatusCode::UNAUTHORIZED, code, message: message.into() }
    }

    /// 403: signed in, but this is not theirs to see or do.
    pub fn forbidden(message: &str) -> Self {
        AppError::BadRequest { status: StatusCode::FORBIDDEN, code: "forbidden", message: message.into() }
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, ApiError) {
        let body = |code: &str, message: String| ApiError { code: code.into(), message, fields: Vec::new() };
        match self {
            AppError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ApiError {
                    code: "validation_failed".into(),
                    message: match errors.fields().len() {
                        1 => "One field needs attention".into(),
                        n => format!("{n} fields need attention"),
                    },
                    fields: errors.fields().to_vec(),
                },
            ),
            AppError::BadRequest { status, code, message } => (*status, body(code, message.clone())),
            AppError::NotFound(message) => (StatusCode::NOT_FOUND, body("not_found", message.clone())),
            AppError::Conflict(message) => (StatusCode::CONFLICT, body("conflict", message.clone())),
            AppError::Throttled { retry_after_secs, limit } => (
                StatusCode::TOO_MANY_REQUESTS,
                body("too_many_attempts", crate::limits::throttled_message(limit, *retry_after_secs)),
            ),
            AppError::Busy { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                body("busy", "The server is busy just now. Nothing was lost: try again in a few seconds.".into()),
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                body(
                    "database_unavailable",
                    "The server cannot reach its database just now. Nothing was lost: try again in a few seconds."
                        .into(),
                ),
            ),
            AppError::Database(_) | AppError::Corrupt(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                body(
                    "internal",
                    "Something went wrong on the server. Nothing was lost on your device; try again later.".into(),
                ),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = self.parts();
        if status.is_server_error() {
            // The message names the failing operation, never a person's data.
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (status, axum::Json(body)).into_response();
        let retry_after = match self {
            AppError::Throttled { retry_after_secs, .. } | AppError::Busy { retry_after_secs } => {
                Some(retry_after_secs)
            }
            AppError::Unavailable(_) => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            // No connection to be had: the database is down or overwhelmed, not broken.
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                AppError::Unavailable(error.to_string())
            }
            // Text a database cannot hold (PostgreSQL refuses NUL): the caller's to fix, never a 500.
            sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("22021" | "22P05")) => {
                AppError::BadRequest {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "unstorable_text",
                    message:
                        "The request holds a character that cannot be stored (such as NUL): remove it and try again"
                            .into(),
                }
            }
            error => AppError::Database(error),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let (code, message) = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ("unsupported_media_type", "Send the body as JSON with Content-Type: application/json".to_string())
            }
            JsonRejection::JsonSyntaxError(_) => ("malformed_json", "The body is not valid JSON".to_string()),
            JsonRejection::JsonDataError(error) => ("invalid_body", error.body_text()),
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                ("payload_too_large", "The body is larger than the server accepts".to_string())
            }
            _ => ("bad_request", rejection.body_text()),
        };
        AppError::BadRequest { status, code, message }
    }
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: std::path::PathBuf, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0} is not a database URL this server knows: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    DatabaseUrl(String),
    #[error("cannot apply database migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("cannot load the demo area: {0}")]
    Demo(AppError),
    #[error("cannot prepare the database: {0}")]
    Storage(AppError),
    #[error("{}", describe(.0))]
    Admin(AppError),
    #[error("cannot read the database: {0}")]
    Store(AppError),
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// `axum::Json`, whose rejection is an [`AppError`] so bad bodies get the same JSON error shape.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest { status: StatusCode::BAD_REQUEST, code: "invalid_query", message: rejection.body_text() }
    }
}

/// `axum::extract::Query`, whose rejection is an [`AppError`].
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// An error of an administration command, with the fields that need attention.
fn describe(error: &AppError) -> String {
    match error {
        AppError::Validation(errors) => {
            errors.fields().iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_path",
            message: format!("The address names something that cannot exist: {}", rejection.body_text()),
        }
    }
}

/// `axum::extract::Path`, whose rejection is an [`AppError`] (a malformed id gets the JSON error shape).
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);
