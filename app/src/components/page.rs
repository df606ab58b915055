//! Every page's title, and where focus goes after moving to another page (WCAG 2.2: 2.4.2 "Page
//! titled", 2.4.3 "Focus order"). A screen reader user hears the new page's heading when a link
//! opens it, as they would on a site whose every page loads anew, and the browser's tab, history and
//! app switcher name the page.
//!
//! A title names the page, never the person it is about: a browser keeps titles in its history and
//! shows them in its list of open apps, where anyone picking up a shared tablet would read them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::element_ids as ids;

/// The service's name, after the page's in every title.
pub const SERVICE: &str = "Dynamic Support Register";

/// The whole title for a page named `page`.
pub fn full_title(page: &str) -> String {
    format!("{page} – {SERVICE}")
}

/// Names the page shown now (a page may name itself more precisely than its route did).
pub fn set_title(page: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&full_title(page));
    }
}

/// A route's page, named `title`.
#[component]
pub fn Titled(title: &'static str, children: Children) -> impl IntoView {
    set_title(title);
    children()
}

/// Moves focus to the page's heading after every move to another page (not on the first page the
/// app opens on: focus starts at the top, where "Skip to main content" is). Inside the router.
#[component]
pub fn FocusOnNavigation() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let now = location.pathname.get();
        if previous.is_some_and(|p| p != now) {
            // After the new page is drawn, unless something on it has focus already (someone quick
            // is typing in its first field).
            request_animation_frame(|| {
                if !focus_in_main() {
                    focus_heading();
                }
            });
        }
        now
    });
}

/// Focuses the main heading (made focusable by script only: it is not a stop when tabbing).
pub fn focus_heading() {
    let heading = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("#{} h1", ids::MAIN)).ok().flatten())
        .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(heading) = heading {
        if !heading.has_attribute("tabindex") {
            heading.set_attribute("tabindex", "-1").ok();
        }
        heading.focus().ok();
    }
}

/// Whether focus is on something in the page's main part (not the header, not lost).
fn focus_in_main() -> bool {
    let document = web_sys::window().and_then(|w| w.document());
    let main = document.as_ref().and_then(|d| d.get_element_by_id(ids::MAIN));
    let active = document.and_then(|d| d.active_element());
    match (main, active) {
        (Some(main), Some(active)) => main.contains(Some(active.unchecked_ref::<web_sys::Node>())),
        _ => false,
    }
}

/// Whether focus is nowhere in particular (on the page's body: the element that had it went, as the
/// "Opening…" heading does when the page it stood for is shown).
pub fn focus_lost() -> bool {
    let document = web_sys::window().and_then(|w| w.document());
    let active = document.as_ref().and_then(|d| d.active_element());
    match (active, document.and_then(|d| d.body())) {
        (None, _) => true,
        (Some(active), Some(body)) => active == *body.unchecked_ref::<web_sys::Element>(),
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_names_the_page_then_the_service() {
        assert_eq!(full_title("Sign in"), "Sign in – Dynamic Support Register");
    }
}
