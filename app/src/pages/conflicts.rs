//! `/conflicts`: changes made here and elsewhere to the same field. The server kept the other
//! value; a person decides which is right (or types the right one). The choice is saved like any
//! other change.

use dsr_shared::sync::Fields;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::element_ids as ids;
use crate::local_store::{self, LocalConflict, LocalRecord};
use crate::state::AppState;
use crate::sync;

fn label(field: &str) -> String {
    match field {
        "given_name" => "Given name".into(),
        "family_name" => "Family name".into(),
        "date_of_birth" => "Date of birth".into(),
        "nhs_number" => "NHS number".into(),
        other => other.replace('_', " "),
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "(empty)".into(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[component]
pub fn ConflictsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let list = RwSignal::new_local(Vec::<(LocalConflict, Option<LocalRecord>)>::new());
    let load = move || {
        spawn_local(async move {
            if let Ok(found) = local_store::conflicts().await {
                list.set(found);
            }
        })
    };
    load();
    // Reload when the counts change (a sync brought the other side's value).
    Effect::new(move |_| {
        state.counts.track();
        load();
    });
    let resolve = move |conflict: LocalConflict, value: Value| {
        spawn_local(async move {
            let mut values = Fields::new();
            values.insert(conflict.field.clone(), value);
            if local_store::save(conflict.kind, conflict.record_id, values, Some(&conflict.id)).await.is_ok() {
                state.notice.set(Some(format!("Your choice for {} was saved on this device", label(&conflict.field))));
                state.reload().await;
                sync::request(state);
                load();
            }
        })
    };

    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <h1>"Changes that clash"</h1>
        <p>"Someone else changed the same detail while you were working. Their change was kept for now. Choose which is right."</p>
        <Show when=move || list.with(Vec::is_empty)>
            <p class="nhsuk-body" id=ids::CONFLICTS_NONE>"Nothing to resolve."</p>
        </Show>
        <For each=move || list.get() key=|(c, _)| c.id.clone() let:item>
            {
                let (conflict, record) = item;
                let theirs = record.as_ref().and_then(|r| r.server.as_ref()).map(|s| s.field(&conflict.field).clone()).unwrap_or(Value::Null);
                let name = record.as_ref().map(|r| {
                    let get = |f: &str| r.fields.get(f).and_then(Value::as_str).unwrap_or("").to_string();
                    format!("{} {}", get("given_name"), get("family_name"))
                }).unwrap_or_default();
                let typed = RwSignal::new(show(&conflict.ours));
                let (keep, mine, own) = (conflict.clone(), conflict.clone(), conflict.clone());
                let (theirs_value, ours_value) = (theirs.clone(), conflict.ours.clone());
                view! {
                    <div class="nhsuk-card" id=ids::conflict(&conflict.id)>
                        <div class="nhsuk-card__content">
                            <h2 class="nhsuk-card__heading">{format!("{name}: {}", label(&conflict.field))}</h2>
                            <dl class="nhsuk-summary-list">
                                <div class="nhsuk-summary-list__row">
                                    <dt class="nhsuk-summary-list__key">"Before either change"</dt>
                                    <dd class="nhsuk-summary-list__value">{show(&conflict.base)}</dd>
                                </div>
                                <div class="nhsuk-summary-list__row">
                                    <dt class="nhsuk-summary-list__key">"Their change (kept for now)"</dt>
                                    <dd class="nhsuk-summary-list__value" data-role="theirs">{show(&theirs)}</dd>
                                </div>
                                <div class="nhsuk-summary-list__row">
                                    <dt class="nhsuk-summary-list__key">"Your change"</dt>
                                    <dd class="nhsuk-summary-list__value" data-role="ours">{show(&conflict.ours)}</dd>
                                </div>
                            </dl>
                            <div class="dsr-button-row">
                                <button class="nhsuk-button nhsuk-button--secondary" id=ids::keep_theirs(&conflict.id)
                                    on:click=move |_| resolve(keep.clone(), theirs_value.clone())>"Keep their change"</button>
                                <button class="nhsuk-button" id=ids::use_mine(&conflict.id)
                                    on:click=move |_| resolve(mine.clone(), ours_value.clone())>"Use my change"</button>
                            </div>
                            <div class="nhsuk-form-group">
                                <label class="nhsuk-label" for=ids::conflict_own_value(&conflict.id)>"Or type the right value"</label>
                                <input class="nhsuk-input nhsuk-u-width-two-thirds" type="text" id=ids::conflict_own_value(&conflict.id) bind:value=typed/>
                            </div>
                            <button class="nhsuk-button nhsuk-button--secondary" id=ids::use_typed(&conflict.id)
                                on:click=move |_| resolve(own.clone(), Value::String(typed.get_untracked()))>"Use what I typed"</button>
                        </div>
                    </div>
                }
            }
        </For>
    }
}
