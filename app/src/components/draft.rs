//! Autosave for any form: its fields are written to IndexedDB's `drafts` store as they change and put
//! back when the form opens again, after a reload, a crash or a closed tab. Saving the form for real
//! clears the draft.
//!
//! No timer stands between a keystroke and its write (a reload right after typing would lose what a
//! timer held back): a change starts a write at once; changes made while one is being written are
//! written together as soon as it ends (one write at a time, always the latest values, so no write
//! overtakes another). The page being hidden or left (`visibilitychange`, `pagehide`) starts whatever
//! is still waiting. The writes are done by a worker, off the page's main thread, where there is one
//! (`local_store::draft_writer`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::local_store::{self, Draft};
use crate::timing;

/// A form's draft: made by [`use_draft`], cleared by [`FormDraft::clear`] once the form is saved.
#[derive(Clone, Copy)]
pub struct FormDraft {
    key: StoredValue<String>,
    /// Values changed and not yet being written, with when the first of those changes was made.
    waiting: StoredValue<Option<(BTreeMap<String, String>, f64)>>,
    /// A write is under way (shared with the write, which may end after the form is gone).
    writing: StoredValue<Arc<AtomicBool>>,
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
    let saved = RwSignal::new(None);
    let draft = FormDraft {
        key: StoredValue::new(key.clone()),
        waiting: StoredValue::new(None),
        writing: StoredValue::new(Arc::new(AtomicBool::new(false))),
        restored,
        saved,
    };
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
        // A change waiting since earlier keeps its time: the measure runs from the oldest change not stored.
        let since = draft.waiting.with_value(|w| w.as_ref().map(|(_, since)| *since)).unwrap_or_else(timing::now);
        draft.waiting.set_value(Some((values, since)));
        draft.write_waiting();
    });
    // Hidden or left: whatever waits is written now (nothing waits behind a timer, but a change made
    // while a write was under way may).
    let flush = move || draft.write_waiting();
    let on_hidden = window_event_listener(leptos::ev::visibilitychange, move |_| flush());
    let on_pagehide = window_event_listener(leptos::ev::pagehide, move |_| flush());
    on_cleanup(move || {
        on_hidden.remove();
        on_pagehide.remove();
    });
    draft
}

impl FormDraft {
    /// Starts writing the waiting values unless a write is under way (that write takes them when it ends).
    fn write_waiting(self) {
        let writing = self.writing.get_value();
        if writing.load(Ordering::Relaxed) || self.waiting.with_value(Option::is_none) {
            return;
        }
        writing.store(true, Ordering::Relaxed);
        spawn_local(async move {
            while let Some((values, since)) = self.waiting.try_update_value(Option::take).flatten() {
                let Some(key) = self.key.try_get_value() else { break };
                if values.values().all(String::is_empty) {
                    local_store::delete_draft(&key).await.ok();
                    self.saved.try_set(None);
                } else if let Ok(stored) = local_store::save_draft(&Draft { key, values: values.clone() }).await {
                    // From the change to the draft being on the device (`dsr-draft-save`).
                    timing::record_between("dsr-draft-save", since, stored);
                    self.saved.try_set(Some(values));
                }
            }
            writing.store(false, Ordering::Relaxed);
        });
    }

    /// Forgets the draft (after the form was saved): nothing waiting is written after, at once; the
    /// returned future deletes what was written, and needs nothing of the form, so a page can show
    /// what comes next first and delete the draft after.
    pub fn clear(self) -> impl std::future::Future<Output = ()> + 'static {
        self.waiting.set_value(None);
        let key = self.key.get_value();
        let writing = self.writing.get_value();
        async move {
            // A write under way would put the draft back after its deletion: let it end first.
            while writing.load(Ordering::Relaxed) {
                gloo_timers::future::TimeoutFuture::new(5).await;
            }
            local_store::delete_draft(&key).await.ok();
        }
    }
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
