//! `/people/new`: add a person to the register. Saved on this device first, then sent.

use dsr_shared::RecordId;
use leptos::prelude::*;

use crate::components::person_form::PersonFormView;
use crate::local_store::random_bytes;

#[component]
pub fn AddPersonPage() -> impl IntoView {
    let id = RecordId::from_time_and_random(js_sys::Date::now() as u64, random_bytes());
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <h1>"Add a person to the register"</h1>
        <PersonFormView id=id existing=None submit_label="Save person"/>
    }
}
