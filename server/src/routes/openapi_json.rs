//! `GET /api/openapi.json`: the API's OpenAPI description.

use std::sync::Arc;

use axum::{Extension, Json};

#[utoipa::path(get, path = "/openapi.json", tag = "system",
    security(()),
    responses((status = 200, description = "This API's OpenAPI 3.1 description", content_type = "application/json")))]
pub async fn openapi_json(Extension(api): Extension<Arc<utoipa::openapi::OpenApi>>) -> Json<utoipa::openapi::OpenApi> {
    Json((*api).clone())
}
