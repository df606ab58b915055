//! The same person twice is a hazard (two records, half the story each): adding a person, changing who
//! they are, or accepting a referral looks through the people on this device first, offline, and stops
//! with a link to the one they may be. The server checks again against the whole area.

use dsr_shared::RecordId;
use dsr_shared::person::{Person, SamePerson, find_duplicates};
use leptos::prelude::*;

use crate::element_ids as ids;
use crate::state::AppState;

/// Someone on this device that a person being added or accepted may be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PossibleDuplicate {
    pub id: RecordId,
    pub name: String,
    pub why: SamePerson,
}

/// The person on this device `person` may be (never themselves), NHS number matches first.
pub fn possible_duplicate(state: AppState, person: &Person) -> Option<PossibleDuplicate> {
    state.people.with_untracked(|rows| {
        let others = rows.iter().filter_map(|r| r.person.as_ref());
        find_duplicates(person, others).first().map(|(other, why)| PossibleDuplicate {
            id: RecordId::from_uuid(other.id.as_uuid()),
            name: other.full_name(),
            why: *why,
        })
    })
}

/// A warning with a link to the person they may be.
#[component]
pub fn DuplicateNotice(found: RwSignal<Option<PossibleDuplicate>>) -> impl IntoView {
    move || {
        found.get().map(|d| {
            let why = match d.why {
                SamePerson::NhsNumber => "the same NHS number",
                SamePerson::NameAndDateOfBirth => "the same name and date of birth",
            };
            view! {
                <div class="nhsuk-warning-callout" id=ids::POSSIBLE_DUPLICATE role="alert">
                    <h3 class="nhsuk-warning-callout__label">
                        <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"This person may already be on the register"</span>
                    </h3>
                    <p>{format!("Someone with {why} is on the register already: ")}
                        <a href=format!("/people/{}", d.id) id=ids::DUPLICATE_LINK>{d.name.clone()}</a>
                        ". Open their record instead of adding them again."</p>
                </div>
            }
        })
    }
}
