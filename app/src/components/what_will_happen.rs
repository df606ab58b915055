//! "What will happen": the warning a confirmation page shows before anything that cannot simply be
//! undone (withdrawing consent, closing an account, taking someone off the register, an erasure), one
//! consequence a line.

use leptos::prelude::*;

#[component]
pub fn WhatWillHappen<E: AsRef<str>>(id: &'static str, effects: impl IntoIterator<Item = E>) -> impl IntoView {
    let effects: Vec<String> = effects.into_iter().map(|e| e.as_ref().to_string()).collect();
    view! {
        <div class="nhsuk-warning-callout" id=id>
            <h3 class="nhsuk-warning-callout__label">"What will happen"</h3>
            <ul class="nhsuk-list nhsuk-list--bullet">
                {effects.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
        </div>
    }
}
