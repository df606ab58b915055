//! `/people/{id}/partners`: the partners who would need to be involved in a C(E)TR (for someone rated
//! Green, NHS England's table asks for them to be identified), one per line as "role, agency, name".
//! Saves only this field of the person's record, so a change made elsewhere is never overwritten.

use dsr_shared::ValidationErrors;
use dsr_shared::person::{parse_partners, partners_text};
use dsr_shared::sync::{Fields, RecordKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::json;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::TextAreaField;
use crate::element_ids as ids;
use crate::local_store;
use crate::record_forms::{one_error, person_row};
use crate::state::AppState;

#[component]
pub fn PartnersPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let row = person_row(state);
    let person = row.as_ref().and_then(|r| r.person.clone());
    let id = row.as_ref().map(|r| r.id);
    let text = RwSignal::new(person.as_ref().map(|p| partners_text(&p.cetr_partners)).unwrap_or_default());
    let draft =
        use_draft(format!("partners:{}", id.map(|p| p.to_string()).unwrap_or_default()), vec![("partners", text)]);
    let errors = RwSignal::new(ValidationErrors::new());
    let error = Signal::derive(move || errors.with(|e| e.message_for("cetr_partners").map(str::to_owned)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(id) = id else { return };
        let partners = match parse_partners(&text.get_untracked()) {
            Ok(partners) => partners,
            Err(message) => return errors.set(one_error("cetr_partners", message)),
        };
        let mut fields = Fields::new();
        fields.insert(
            "cetr_partners".into(),
            if partners.is_empty() { serde_json::Value::Null } else { json!(partners) },
        );
        errors.set(ValidationErrors::new());
        let navigate = navigate.clone();
        spawn_local(async move {
            match local_store::save(RecordKind::Person, id, fields, None).await {
                Ok(()) => {
                    draft.clear().await;
                    state.saved("The partners were saved on this device").await;
                    navigate(&format!("/people/{id}"), Default::default());
                }
                Err(problem) => errors.set(one_error("cetr_partners", format!("Nothing was saved: {problem}"))),
            }
        });
    };
    view! {
        <a class="nhsuk-back-link" href=id.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        <h1>"Partners for a review"</h1>
        <p class="nhsuk-body">"The partners who would need to be involved in a Care (Education) and Treatment Review, should one be needed."</p>
        <ErrorSummary errors=errors field_id=|_| ids::PARTNERS_TEXT/>
        <form novalidate on:submit=on_submit>
            <TextAreaField id=ids::PARTNERS_TEXT label="Partners"
                hint="One on each line: their role, a comma, their agency, and a name if you know it. For example: Social worker, Example County Council, Sam Smith"
                value=text error=error rows=6/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_PARTNERS type="submit">"Save the partners"</button>
        </form>
    }
}
