//! The design system's error summary: at the top of the page, focused when it appears, each
//! message a link to its field.

use dsr_shared::ValidationErrors;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::element_ids as ids;

/// Shows `errors` (nothing when empty). `field_id` maps a field name to the element to focus.
#[component]
pub fn ErrorSummary<F, S>(errors: RwSignal<ValidationErrors>, field_id: F) -> impl IntoView
where
    F: Fn(&str) -> S + Copy + Send + Sync + 'static,
    S: Into<String>,
{
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            let items = errors
                .into_fields()
                .into_iter()
                .map(|e| {
                    let target: String = field_id(&e.field).into();
                    let href = format!("#{target}");
                    view! {
                        <li>
                            <a href=href on:click=move |ev| {
                                ev.prevent_default();
                                focus(&target);
                            }>{e.message}</a>
                        </li>
                    }
                })
                .collect_view();
            request_animation_frame(|| focus(ids::ERROR_SUMMARY));
            view! {
                <div class="nhsuk-error-summary" id=ids::ERROR_SUMMARY tabindex="-1" aria-labelledby="error-summary-title">
                    <div role="alert">
                        <h2 class="nhsuk-error-summary__title" id="error-summary-title">"There is a problem"</h2>
                        <div class="nhsuk-error-summary__body">
                            <ul class="nhsuk-list nhsuk-error-summary__list">{items}</ul>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// Moves keyboard focus to the element with this id, if it is on the page.
pub fn focus(id: &str) {
    if let Some(element) = document().get_element_by_id(id).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        element.focus().ok();
    }
}
