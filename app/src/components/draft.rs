//! Autosave for any form: its fields are written to IndexedDB's `drafts` store shortly after each
//! keystroke (debounced) and put back when the form opens again, after a reload, a crash or a closed
//! tab. Saving the form for real clears the draft.

use std::collections::BTreeMap;

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::local_store::{self, Draft};
use crate::timing;

/// How long typing must pause before the draft is written.
pub const DEBOUNCE_MS: u32 = 250;

/// A form's draft: made by [`use_draft`], cleared by [`FormDraft::clear`] once the form is saved.
#[derive(Clone, Copy)]
pub struct FormDraft {
    key: StoredValue<String>,
    pending: StoredValue<Option<Timeout>, LocalStorage>,
    /// True when the form was filled in from a draft.
    pub restored: RwSignal<bool>,
    /// What was last written to this device (shown as "Draft saved on this device").
    pub saved: RwSignal<Option<BTreeMap<String, String>>>,
}

/// Restores the draft saved under `key` into `fields` (name, signal), then saves the fields there
/// whenever they change.
pub fn use_draft(key: String, fields: Vec<(impl Into<String>, RwSignal<String>)>) -> FormDraft {
    let fields: Vec<(String, RwSignal<String>)> = fields.into_iter().map(|(n, s)| (n.into(), s)).collect();
    let ready = RwSignal::new(false);
    let restored = RwSignal::new(false);
    let pending = StoredValue::new_local(None::<Timeout>);
    let saved = RwSignal::new(None);
    let draft = FormDraft { key: StoredValue::new(key.clone()), pending, restored, saved };
    {
        let fields = fields.clone();
        let key = key.clone();
        spawn_local(async move {
            if let Ok(Some(saved)) = local_store::load_draft(&key).await {
                for (name, signal) in &fields {
                    if let Some(value) = saved.values.get(name) {
                        signal.set(value.clone());
                    }
                }
                restored.set(saved.values.values().any(|v| !v.is_empty()));
            }
            ready.set(true);
        });
    }
    Effect::new(move |_| {
        let values: BTreeMap<String, String> =
            fields.iter().map(|(name, signal)| (name.clone(), signal.get())).collect();
        if !ready.get() {
            return;
        }
        let key = key.clone();
        let write = Timeout::new(DEBOUNCE_MS, move || {
            spawn_local(async move {
                if values.values().all(String::is_empty) {
                    local_store::delete_draft(&key).await.ok();
                    saved.set(None);
                } else {
                    let started = timing::now();
                    let written = local_store::save_draft(&Draft { key, values: values.clone() }).await;
                    timing::record("dsr-draft-save", started);
                    if written.is_ok() {
                        saved.set(Some(values));
                    }
                }
            })
        });
        // Replacing the pending write cancels it: only the last pause in typing writes.
        pending.set_value(Some(write));
    });
    draft
}

/// "We put back what you had typed before", when the form opened with a saved draft.
#[component]
pub fn DraftRestored(draft: FormDraft) -> impl IntoView {
    view! {
        <Show when=move || draft.restored.get()>
            <div class="nhsuk-inset-text" id=crate::element_ids::DRAFT_RESTORED>
                <p>"We put back what you had typed before. Check it, then save."</p>
            </div>
        </Show>
    }
}

/// "Draft saved on this device", once a draft is written (its `data-values` are what was written).
#[component]
pub fn DraftSaved(draft: FormDraft) -> impl IntoView {
    move || {
        draft.saved.get().map(|values| {
            let written = serde_json::to_string(&values).unwrap_or_default();
            view! {
                <p class="nhsuk-body-s dsr-draft-saved" id=crate::element_ids::DRAFT_SAVED data-values=written>
                    "Draft saved on this device"
                </p>
            }
        })
    }
}

impl FormDraft {
    /// Forgets the draft (after the form was saved).
    pub async fn clear(self) {
        self.pending.set_value(None);
        local_store::delete_draft(&self.key.get_value()).await.ok();
    }
}
