//! The OpenAPI description of the API, served at `/api/openapi.json`. Paths come from the handlers'
//! `#[utoipa::path]` attributes as they are registered (see `routes::api_router`).

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dynamic Support Register API",
        description = "The JSON API of the Dynamic Support Register. Errors are JSON `{ code, message, fields }`.",
        license(name = "MIT"),
    ),
    tags(
        (name = "system", description = "Health and this description"),
        (name = "sync", description = "Offline sync: push a device's changes, pull everything after a cursor"),
        (name = "session", description = "Sign in and out. Every other route except health and this description needs the session cookie."),
        (name = "accounts", description = "A coordinator's accounts for their area: staff, family invitations, caseloads"),
        (name = "audit", description = "The audit trail: every read of a person's record and every change"),
        (name = "people", description = "Erasure requests: a person's details removed at once"),
        (name = "referrals", description = "The public side: the areas, and a family's or young person's self-referral (no account needed)"),
        (name = "policy", description = "The area's policy: timescales, consent ages, risk tools (versioned), meetings, retention"),
    ),
    components(schemas(dsr_shared::api::ApiError, dsr_shared::FieldError)),
    modifiers(&SessionCookie),
    security(("session" = []))
)]
pub struct ApiDoc;

/// Every route but health, this description, sign-in and invite acceptance needs the session cookie
/// that `POST /api/session/login` sets (HttpOnly, SameSite=Strict).
struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            utoipa::openapi::security::SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
                utoipa::openapi::security::ApiKeyValue::new(crate::auth::SESSION_COOKIE),
            )),
        );
    }
}
