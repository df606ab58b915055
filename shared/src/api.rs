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
    /// True when the server was started with fictional demo data.
    pub demo: bool,
}

/// `GET /api/area/policy`: the signed-in user's area's policy, and which version of it this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyDocument {
    /// Goes up by one with every change; 0 while the area still has the handbook's defaults.
    pub version: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub policy: crate::policy::AreaPolicy,
    /// When and by whom it was last changed (none for the defaults).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub changed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub changed_by: Option<String>,
}

/// `PUT /api/area/policy`: a coordinator's edit of the version they opened (`base_version`), so that
/// two coordinators editing at once never overwrite each other silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyUpdate {
    pub base_version: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub policy: crate::policy::AreaPolicy,
    /// Why it changed (kept in the audit trail).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/people/{person_id}/erase`: an erasure request, carried out at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureRequest {
    /// Who asked for it ("Sam Parent, his mother").
    #[serde(default)]
    pub asked_by: String,
    /// Why, and how they asked ("a letter on 20 November: they are moving away"). Both kept in the
    /// audit trail.
    #[serde(default)]
    pub reason: String,
}

impl ErasureRequest {
    /// Who asked and why, both required, or what to fix (`asked_by`, `reason`).
    pub fn validate(&self) -> Result<crate::text::WhoAsked, crate::ValidationErrors> {
        crate::text::WhoAsked::parse(
            &self.asked_by,
            "Say who asked for their details to be erased",
            &self.reason,
            Some("Say why, and how they asked (for example: a letter on 20 November)"),
        )
    }

    /// What an erasure does, in plain words (its confirmation page says it first).
    pub const EFFECTS: [&'static str; 3] = [
        "Everything the register holds about them is removed now, from the server, and from every device when it next syncs.",
        "It cannot be undone: nobody can get it back, not even the DSR coordinator.",
        "The audit trail keeps who did what and when, with who asked for the erasure and why; never what was written about them.",
    ];
}

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Erased {
    /// How many records about the person were removed.
    pub records: usize,
}
