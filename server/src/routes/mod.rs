//! The JSON API under `/api`, one module per area of the API.

mod audit;
mod exports;
mod health;
mod openapi_json;
mod people;
mod policy;
mod recovery;
mod referrals;
mod session;
mod sync;
mod users;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::{AppState, openapi::ApiDoc};

/// Body size limit for API requests.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
pub use referrals::MAX_SELF_REFERRALS;
pub use sync::{MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BYTES};

/// Every route of the API, registered with its OpenAPI description, so the two cannot drift apart.
pub fn api_router(state: AppState) -> Router {
    let (router, api) = documented_routes().split_for_parts();
    let api = with_api_prefix(api);
    router
        .layer(Extension(Arc::new(api)))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(compression())
        .fallback(no_such_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// Answers above [`COMPRESS_ABOVE_BYTES`] compressed (zstd, brotli or gzip, as the browser's
/// `Accept-Encoding` prefers, zstd first) at the fastest level ([`COMPRESSION_LEVEL`]): a pull page of a
/// thousand records goes over a tablet's connection in a fifth of the bytes, for about a millisecond of
/// the server's time. Never the announcement stream (each event must arrive at once) nor a spreadsheet
/// (already compressed).
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let predicate = SizeAbove::new(COMPRESS_ABOVE_BYTES)
        .and(NotForContentType::SSE)
        .and(NotForContentType::const_new("application/vnd.openxmlformats"));
    CompressionLayer::new().quality(CompressionLevel::Precise(COMPRESSION_LEVEL)).compress_when(predicate)
}

/// Level 1: JSON shrinks four- to sixfold at hundreds of megabytes a second (a better level saves a
/// little more and costs the server and a sync of 10,000 records measurably: `scripts/bench.sh`).
pub const COMPRESSION_LEVEL: i32 = 1;

/// Smaller answers go as they are: compressing them saves less than its own headers cost.
pub const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// The routes with their descriptions; paths are relative to `/api`, where `app()` nests them.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(openapi_json::openapi_json))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(sync::push))
                .layer(axum::extract::DefaultBodyLimit::max(sync::MAX_PUSH_BYTES)),
        )
        .routes(routes!(sync::pull))
        .routes(routes!(sync::conflicts))
        .routes(routes!(sync::events))
        .routes(routes!(session::login))
        .routes(routes!(session::current))
        .routes(routes!(session::logout))
        .routes(routes!(users::list, users::create_staff))
        .routes(routes!(users::disable))
        .routes(routes!(users::assign))
        .routes(routes!(users::unassign))
        .routes(routes!(users::invite))
        .routes(routes!(users::accept))
        .routes(routes!(recovery::reset_code))
        .routes(routes!(recovery::reset_password))
        .routes(routes!(recovery::new_device_recovery, recovery::device_recovery))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
        .routes(routes!(audit::views))
        .routes(routes!(exports::register))
        .routes(routes!(exports::follow_up))
        .routes(routes!(exports::aggregate))
        .routes(routes!(policy::get, policy::put))
        .routes(routes!(referrals::areas))
        .routes(routes!(people::erase))
        .routes(routes!(referrals::self_referral))
        .routes(routes!(referrals::self_referral_status))
}

/// The API description as served at `/api/openapi.json`, with full paths.
pub fn openapi() -> utoipa::openapi::OpenApi {
    with_api_prefix(documented_routes().into_openapi())
}

fn with_api_prefix(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut api = crate::openapi::with_common_errors(api);
    api.paths.paths =
        std::mem::take(&mut api.paths.paths).into_iter().map(|(path, item)| (format!("/api{path}"), item)).collect();
    api
}

async fn no_such_route() -> AppError {
    AppError::BadRequest {
        status: StatusCode::NOT_FOUND,
        code: "no_such_route",
        message: "There is no such API route; see /api/openapi.json".into(),
    }
}

async fn method_not_allowed() -> AppError {
    AppError::BadRequest {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: "This API route does not accept that method; see /api/openapi.json".into(),
    }
}
