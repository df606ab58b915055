//! Security headers on every response: a strict Content-Security-Policy, no framing, no sniffing,
//! no referrer.

use std::path::Path;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy: everything from this origin only; WebAssembly may compile; the app's inline
/// start-up script (written by trunk into `index.html`) is allowed by its hash and nothing else inline.
pub fn content_security_policy(static_dir: &Path) -> String {
    let index = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&index)
        .iter()
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of every `<script>` element without a `src` attribute.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body = &rest[tag_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        if !tag.contains("src=") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

/// How long browsers keep to HTTPS once told (a year, as the NCSC and OWASP suggest).
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Per request: `Strict-Transport-Security` when it came over HTTPS (configured, or a proxy's
/// `X-Forwarded-Proto: https`: over plain HTTP the header means nothing and is not sent), and
/// `Cache-Control: no-store` on every API answer (they hold people's details: no browser or proxy
/// cache keeps them).
async fn transport_and_cache(
    axum::extract::State(secure): axum::extract::State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let https = crate::auth::is_secure(request.headers(), secure);
    let api = request.uri().path().starts_with("/api/") || request.uri().path() == "/api";
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Adds the security headers to every response of `router`; `secure`: the server is configured as
/// served over HTTPS.
pub fn with_headers(router: Router, csp: &str, secure: bool) -> Router {
    let set = |name: HeaderName, value: HeaderValue| SetResponseHeaderLayer::overriding(name, value);
    // A policy that cannot be sent as a header (it never happens: it is ASCII) falls back to the strictest.
    let csp = HeaderValue::from_str(csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    router
        .layer(set(header::CONTENT_SECURITY_POLICY, csp))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(set(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ))
        .layer(set(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")))
        .layer(axum::middleware::from_fn_with_state(secure, transport_and_cache))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<head><script src="/a.js"></script><script type="module">import x from '/x.js';</script></head>"#;
        assert_eq!(inline_scripts(html), vec!["import x from '/x.js';"]);
    }

    #[test]
    fn policy_hashes_each_inline_script() {
        let dir = std::env::temp_dir().join(format!("dsr-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(dir.join("index.html"), "<script>alert(1)</script>").ok();
        let csp = content_security_policy(&dir);
        // sha256("alert(1)"), base64
        assert!(csp.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
