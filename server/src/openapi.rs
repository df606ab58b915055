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
    ),
    components(schemas(dsr_shared::api::ApiError, dsr_shared::FieldError))
)]
pub struct ApiDoc;
