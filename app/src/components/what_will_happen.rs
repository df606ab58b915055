//! "What will happen": the warning a confirmation page shows before anything that cannot simply be
//! undone (withdrawing consent, closing an account), one consequence a line.

use leptos::prelude::*;

#[component]
pub fn WhatWillHappen(id: &'static str, effects: &'static [&'static str]) -> impl IntoView {
    view! {
        <div class="nhsuk-warning-callout" id=id>
            <h3 class="nhsuk-warning-callout__label">"What will happen"</h3>
            <ul class="nhsuk-list nhsuk-list--bullet">
                {effects.iter().map(|e| view! { <li>{*e}</li> }).collect_view()}
            </ul>
        </div>
    }
}
