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
        (name = "exports", description = "Downloads for DSR coordinators: the register, the follow-up list and the anonymised aggregate return (audited)"),
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

/// Adds to every operation the error answers every handler of its shape can give, where the handler's
/// own description does not already say them (the JSON extractors' 400, 413, 415 and 422 for a body;
/// 400 for a malformed path or query; 401 and 403 where a session is needed), so the description lists
/// every status an endpoint returns.
pub fn with_common_errors(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ApiError"))).build())
            .build()
    };
    for item in api.paths.paths.values_mut() {
        for operation in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete].into_iter().flatten() {
            let mut add = |status: &str, description: &str| {
                operation.responses.responses.entry(status.to_string()).or_insert_with(|| error(description).into());
            };
            let has_body = operation.request_body.is_some();
            let parameters = operation.parameters.clone().unwrap_or_default();
            let public = operation.security.as_ref().is_some_and(|s| {
                s.iter().all(|r| serde_json::to_value(r).is_ok_and(|v| v.as_object().is_some_and(|o| o.is_empty())))
            });
            if has_body {
                add("400", "The body is not valid JSON");
                add("413", "The body is larger than the server accepts");
                add("415", "The body is not sent as JSON (Content-Type: application/json)");
                add("422", "The body lacks a field or has one of the wrong type");
            }
            if parameters.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path)) {
                add("400", "The address names something that cannot exist (a malformed id)");
            }
            if parameters.iter().any(|p| matches!(p.parameter_in, ParameterIn::Query)) {
                add("400", "A query parameter is malformed");
            }
            if !public {
                add("401", "Not signed in, or the session has ended");
                add("403", "The account has been closed, or this is not the user's to do");
            }
        }
    }
    api
}
