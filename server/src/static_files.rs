//! The built app (`dist/`): files as they are, and `index.html` for every other path so the app's
//! router can show the page (`/people/new` on a reload).

use std::path::Path;

use axum::http::{HeaderValue, header};
use tower::Layer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

pub fn service(dir: &Path) -> SetResponseHeader<ServeDir<ServeFile>, HeaderValue> {
    let index = ServeFile::new(dir.join("index.html"));
    // Revalidate every time: a new version of the app must reach tablets on their next visit.
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
        .layer(ServeDir::new(dir).fallback(index))
}
