//! The built app (`dist/`): its files, and `index.html` for every app route so the app's router can
//! show the page (`/people/new` on a reload).
//!
//! - **Compressed at build time**: `scripts/precompress.mjs` writes a `.br` and a `.gz` beside each
//!   built file worth compressing; the one the browser's `Accept-Encoding` prefers is sent as it is
//!   (nothing is compressed per request), with `Vary: Accept-Encoding` so caches keep them apart.
//! - **Cached right**: a file whose name carries the build's content hash (`app-1a2b…9f.css`,
//!   `dsr-app-…_bg.wasm`) never changes, so browsers keep it a year without asking
//!   (`immutable`); everything else (`index.html`, the service worker, the manifest, the pictures) is
//!   revalidated on every use (`no-cache`, answered 304 when unchanged), so a new version reaches
//!   tablets on their next visit.
//! - A missing file (a path whose last part has an extension) is a 404, never `index.html` under a
//!   script's name (which a cache would then keep as that script for a year).

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// A year: what browsers may keep a hashed file for without asking.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else: kept, but asked about (a 304 when unchanged) on every use.
pub const REVALIDATE: &str = "no-cache";

/// The files of `dir`, precompressed variants preferred, `index.html` for app routes.
pub fn service(dir: &Path) -> Router {
    let index = dir.join("index.html");
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(tower::service_fn(move |request: Request| app_route(index.clone(), request)));
    Router::new().fallback_service(files).layer(middleware::from_fn(cache_headers))
}

/// A path no file answers: `index.html` when it is an app route (no extension), else 404.
async fn app_route(index: PathBuf, request: Request) -> Result<Response, std::convert::Infallible> {
    if looks_like_a_file(request.uri().path()) {
        return Ok(
            (StatusCode::NOT_FOUND, "No such file: the app may have been updated; reload the page.").into_response()
        );
    }
    let served = ServeFile::new(index).precompressed_br().precompressed_gzip().oneshot(request).await;
    Ok(match served {
        Ok(response) => response.map(axum::body::Body::new),
        Err(error) => match error {},
    })
}

/// `Cache-Control` by the name asked for, and `Vary: Accept-Encoding` (a precompressed variant may have
/// been sent), on every static answer.
async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let ok = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    let cache = if hashed && ok { IMMUTABLE } else { REVALIDATE };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// Whether the last part of `path` has an extension (`/sw.js`, `/x-1a2b.wasm`), so names a file.
pub fn looks_like_a_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|name| name.contains('.'))
}

/// Whether the file's name carries the build's content hash: Trunk names built files
/// `name-<16 hex digits>.ext` (and the WebAssembly `name-<16 hex digits>_bg.wasm`).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.match_indices('-').any(|(at, _)| {
        let hash = name.get(at + 1..at + 17);
        let after = name.get(at + 17..).unwrap_or("");
        hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
            && (after.starts_with('.') || after.starts_with("_bg."))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_files_with_a_content_hash_are_told_apart_from_the_rest() {
        for hashed in [
            "/dsr-app-435c7117c4eb50ac.js",
            "/dsr-app-435c7117c4eb50ac_bg.wasm",
            "/nhsuk-frontend.min-ad02698e089ca590.css",
            "/favicon-f8b5a8e6d88bf2d4.ico",
        ] {
            assert!(is_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/pictures/index.txt",
            "/pictures/1F3E0.svg",
            "/assets/images/nhsuk-icon-192.png",
            "/people/0193d000-0000-7000-8000-000000000031",
            "/x-435c7117c4eb50a.js",
            "/x-435c7117c4eb50acz.js",
            "/x-435c7117c4eb50ag.js",
        ] {
            assert!(!is_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn a_path_with_an_extension_names_a_file_and_an_app_route_does_not() {
        assert!(looks_like_a_file("/dsr-app-435c7117c4eb50ac.js"));
        assert!(looks_like_a_file("/pictures/1F3E0.svg"));
        assert!(!looks_like_a_file("/people/new"));
        assert!(!looks_like_a_file("/"));
        assert!(!looks_like_a_file("/people/0193d000-0000-7000-8000-000000000031/reviews"));
    }
}
