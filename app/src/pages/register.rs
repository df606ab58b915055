//! `/`: everyone on the register this device holds: counts per rating, filters (rating, status, what
//! is due, keyworker, age group, overdue), search by name or NHS number, sorted by any column (the
//! next due date first); each row with its rating (tag with text), age, keyworker, every due item (the
//! next one shown, the rest a tap away) and whether the server has it yet. "Print the register" prints
//! every person the filters show, for the DSR meeting (the print stylesheet leaves out the controls).

use chrono::Local;
use dsr_shared::due::DueRule;
use dsr_shared::rating::Rating;
use dsr_shared::register::{
    AgeGroup, KeyworkerFilter, RatingCounts, RegisterFilter, RegisterRow, SortBy, StatusFilter,
};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::element_ids as ids;
use crate::local_store;
use crate::read_model::{PersonRow, RegisterTally, ShownRows};
use crate::state::AppState;

/// Rows shown at first, and added by "Show more".
const PAGE_ROWS: usize = 100;
/// Rows drawn a frame, from the frame after the register first shows: opening it (after every save)
/// paints the page and its notice first, and the rows (below the fold on a tablet) follow this many a
/// frame, each a short task.
const DRAWN_AT_ONCE: usize = 20;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let mounting = crate::timing::now();
    if state.session.with_untracked(|s| s.user().is_some_and(|u| u.role == dsr_shared::access::Role::Keyworker)) {
        crate::components::page::set_title("Your caseload");
    }
    // Shown once, on the first page after a save.
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    let count = move || state.people.with(|people| people.len());
    // A long register shows a page at a time.
    let shown = RwSignal::new(PAGE_ROWS);
    // How many of them are drawn so far: grows a step a frame until all shown are.
    let drawn = RwSignal::new(0);
    let filter = RwSignal::new(RegisterFilter::default());
    // The rows to show, in order, following each change to the rows by the changed rows alone (a
    // pulled page among 100,000 costs a binary search per changed row, not a sort of everyone); read
    // again in full when the filter changes or the changes are not all kept.
    let visible = Memo::new_owning(move |before: Option<ShownRows>| {
        let started = crate::timing::now();
        let filter = filter.get();
        let visible = state.people.with(|people| match before {
            Some(before) => before.follow(people, filter),
            None => ShownRows::of(people, filter),
        });
        crate::timing::record("dsr-register-order", started);
        (visible, true)
    });
    // Timed from the page's start until its first effects run (it is built and in the document).
    Effect::new(move |_| crate::timing::record("dsr-register-mount", mounting));
    request_animation_frame(move || crate::timing::record("dsr-register-frame", mounting));
    Effect::new(move |_| {
        if drawn.get() < shown.get().min(visible.with(|v| v.len())) {
            // After this frame is painted (the page may be gone by then).
            request_animation_frame(move || {
                set_timeout(
                    move || _ = drawn.try_update(|n| *n = n.saturating_add(DRAWN_AT_ONCE)),
                    std::time::Duration::ZERO,
                );
            });
        }
    });
    // The counts per rating and the keyworkers, kept as rows change (see `visible`); what shows them is
    // drawn again only when they differ.
    let tally = Memo::new_owning(move |before: Option<RegisterTally>| {
        let tally = state.people.with(|people| match before {
            Some(before) => before.follow(people),
            None => RegisterTally::of(people),
        });
        (tally, true)
    });
    let counts = Memo::new(move |_| tally.with(|t| t.counts));
    let keyworkers = Memo::new(move |_| tally.with(|t| t.keyworkers.names()));

    view! {
        {notice.map(|text| view! {
            <div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert"
                aria-labelledby="notice-title" id=ids::NOTICE>
                <div class="nhsuk-notification-banner__header">
                    <h2 class="nhsuk-notification-banner__title" id="notice-title">"Success"</h2>
                </div>
                <div class="nhsuk-notification-banner__content">
                    <p class="nhsuk-notification-banner__heading">{text}</p>
                </div>
            </div>
        })}
        // A keyworker's register is their caseload (the server sends only their people).
        <h1>{move || if state.session.with(|s| s.user().is_some_and(|u| u.role == dsr_shared::access::Role::Keyworker)) { "Your caseload" } else { "Register" }}</h1>
        <Show when=move || state.demo.get()>
            <div class="nhsuk-inset-text" id=ids::DEMO_BANNER>
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"This is a demo area. Everyone listed is fictional and their NHS numbers are from the test range."</p>
            </div>
        </Show>
        {move || state.storage_problem.get().map(|p| view! {
            <div class="nhsuk-error-summary" role="alert"><h2 class="nhsuk-error-summary__title">{p}</h2></div>
        })}
        // Coordinators add people; a referring professional adds the people they refer.
        <Show when=move || state.session.with(|s| s.user().is_some_and(|u| u.role.may_create_person()))>
            <a class="nhsuk-button" id=ids::ADD_PERSON_LINK href="/people/new" role="button" draggable="false">"Add a person"</a>
        </Show>
        <p class="nhsuk-body" id=ids::REGISTER_COUNT data-count=move || count().to_string()>
            {move || match count() { 1 => "1 person".to_string(), n => format!("{n} people") }}
        </p>
        // Counts only of ratings this account sees; those it does not are said, never counted as unrated.
        <Show when=move || counts.with(|c| c.red + c.amber + c.green + c.blue + c.unrated > 0 || c.hidden == 0)>
            <RatingCountsView counts=counts filter=filter/>
        </Show>
        <Show when=move || counts.with(|c| c.hidden > 0)>
            <p class="nhsuk-body" id=ids::RATINGS_HIDDEN data-count=move || counts.with(|c| c.hidden).to_string()>
                {move || match counts.with(|c| c.hidden) {
                    1 => "The rating of 1 person is not shown on this account.".to_string(),
                    n => format!("The ratings of {n} people are not shown on this account."),
                }}
            </p>
        </Show>
        <FilterForm filter=filter keyworkers=keyworkers/>
        <button class="nhsuk-button nhsuk-button--secondary dsr-no-print" id=ids::PRINT_REGISTER type="button"
            on:click=move |_| {
                // Every person the filters show, not only the first page, all drawn before printing.
                shown.set(usize::MAX);
                drawn.set(usize::MAX);
                request_animation_frame(|| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.print();
                    }
                });
            }>"Print the register"</button>
        <p class="dsr-print-only" id=ids::REGISTER_PRINTED>{move || format!(
            "Dynamic Support Register: {}. Printed {}. {}",
            state.session.with(|s| s.user().map(|u| u.area_name.clone()).unwrap_or_default()),
            Local::now().format("%-d %B %Y, %H:%M"),
            filter.with(describe),
        )}</p>
        <p class="nhsuk-body" id=ids::REGISTER_SHOWING data-count=move || visible.with(|v| v.len()).to_string()>
            {move || format!("Showing {} of {}", visible.with(|v| v.len()), count())}
        </p>
        <Show
            when=move || { count() > 0 }
            fallback=|| view! { <p class="nhsuk-body" id=ids::REGISTER_EMPTY>"Nobody is on the register on this device yet."</p> }
        >
            <table class="nhsuk-table" id=ids::REGISTER_TABLE>
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"People on the register"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <SortHeader filter=filter sort=SortBy::Name label="Name and NHS number"/>
                        <SortHeader filter=filter sort=SortBy::Age label="Age"/>
                        <SortHeader filter=filter sort=SortBy::Rating label="Rating"/>
                        <SortHeader filter=filter sort=SortBy::Keyworker label="Keyworker"/>
                        <SortHeader filter=filter sort=SortBy::NextDue label="Due"/>
                        <th scope="col" class="nhsuk-table__header dsr-no-print">"Sent to the server"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    <For
                        each=move || visible.with(|v| v.iter().take(shown.get().min(drawn.get())).cloned().collect::<Vec<_>>())
                        key=|row| row.view_key()
                        let:row
                    >
                        <PersonRowView row=row/>
                    </For>
                </tbody>
            </table>
            <Show when=move || { visible.with(|v| v.len()) > shown.get() }>
                <p class="nhsuk-body">{move || format!("Showing {} of {}", shown.get().min(visible.with(|v| v.len())), visible.with(|v| v.len()))}</p>
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::SHOW_MORE
                    on:click=move |_| shown.update(|n| *n += PAGE_ROWS)>"Show more people"</button>
            </Show>
        </Show>
    }
}

#[component]
fn PersonRowView(row: Arc<PersonRow>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = row.id.to_string();
    let texts = &row.texts;
    let name = format!("{} {}", texts.given_name, texts.family_name);
    // Only those who may change a person's record are offered to (the server decides anyway).
    let may_change = state.session.with_untracked(|s| {
        s.user().is_some_and(|u| {
            matches!(u.role, dsr_shared::access::Role::Coordinator | dsr_shared::access::Role::Keyworker)
        })
    });
    let today = Local::now().date_naive();
    let (born, age, nhs_number) = match &row.person {
        Some(person) => (
            format!("Born {}", person.date_of_birth.format("%-d %B %Y")),
            person.age_on(today).to_string(),
            person.nhs_number.map(|n| n.to_string()).unwrap_or_else(|| "Not known".into()),
        ),
        None => (texts.date_of_birth.clone(), String::new(), texts.nhs_number.clone()),
    };
    let (tag_class, tag_text) = match (row.refused.is_empty(), row.on_server) {
        (false, _) => ("nhsuk-tag nhsuk-tag--red", "Refused by the server"),
        (true, true) => ("nhsuk-tag nhsuk-tag--green", "Sent"),
        (true, false) => ("nhsuk-tag nhsuk-tag--yellow", "Saved on this device, not sent yet"),
    };
    let refused = row
        .refused
        .iter()
        .map(|(seq, reasons)| {
            let seq = *seq;
            let why = reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>().join("; ");
            view! {
                <p class="nhsuk-body-s dsr-refused">{why}</p>
                <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" id=ids::discard_refused(seq)
                    on:click=move |_| spawn_local(async move {
                        local_store::discard_refused(seq).await.ok();
                        state.reload().await;
                    })>"Discard this change"</button>
            }
        })
        .collect_view();
    view! {
        <tr class="nhsuk-table__row" id=ids::person_row(&id) data-on-server=row.on_server.to_string()>
            <td class="nhsuk-table__cell">
                <a href=format!("/people/{id}") id=ids::person_link(&id)>{name.clone()}</a>
                " "
                {may_change.then(|| view! {
                    <a class="dsr-cell-detail-link" href=format!("/people/{id}/edit") id=ids::edit_person_link(&id)>
                        "Change"<span class="nhsuk-u-visually-hidden">{format!(" {name}'s details")}</span>
                    </a>
                })}
                <span class="dsr-cell-detail">{born}</span>
                <span class="dsr-cell-detail dsr-nowrap">{format!("NHS number: {nhs_number}")}</span>
            </td>
            <td class="nhsuk-table__cell">{age}</td>
            <td class="nhsuk-table__cell">{rating_cell(row.register.as_ref())}</td>
            <td class="nhsuk-table__cell">{row.register.as_ref().and_then(|r| r.keyworker.clone()).unwrap_or_else(|| "None yet".into())}</td>
            <td class="nhsuk-table__cell">{next_due(row.register.as_ref(), &id)}</td>
            <td class="nhsuk-table__cell dsr-no-print">
                <strong class=tag_class>{tag_text}</strong>
                {refused}
            </td>
        </tr>
    }
}

/// The words for a rating or due items this account may not see: never "Not rated" or "Nothing due".
pub const NOT_SHOWN: &str = "Not shown on this account";

/// The rating cell: the tag, or that this account is not shown ratings.
fn rating_cell(row: Option<&RegisterRow>) -> impl IntoView + use<> {
    match row {
        Some(r) if r.rating_hidden => view! { <span data-rating="hidden">{NOT_SHOWN}</span> }.into_any(),
        _ => rating_tag(row.and_then(|r| r.rating)).into_any(),
    }
}

/// A rating as a tag with its word (never colour alone).
pub fn rating_tag(rating: Option<Rating>) -> impl IntoView {
    let (class, text) = match rating {
        Some(Rating::Red) => ("nhsuk-tag nhsuk-tag--red", "Red"),
        Some(Rating::Amber) => ("nhsuk-tag nhsuk-tag--orange", "Amber"),
        Some(Rating::Green) => ("nhsuk-tag nhsuk-tag--green", "Green"),
        Some(Rating::Blue) => ("nhsuk-tag nhsuk-tag--blue", "Blue"),
        None => ("nhsuk-tag nhsuk-tag--grey", "Not rated"),
    };
    view! { <strong class=class data-rating=text>{text}</strong> }
}

/// One due item: its date and what it is, "Overdue" when past.
fn due_item(item: &dsr_shared::due::DueItem) -> impl IntoView + use<> {
    view! {
        {item.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
        {item.due_on.format("%-d %b %Y").to_string()}
        <span class="dsr-cell-detail">{item.reason.clone()}</span>
    }
}

/// What is due: the next item, and every other one a tap away (all of them printed).
fn next_due(row: Option<&RegisterRow>, person: &str) -> impl IntoView + use<> {
    let items = row.map(|r| r.due.clone()).unwrap_or_default();
    let overdue = row.map_or(0, |r| r.overdue);
    if row.is_some_and(|r| r.due_hidden) {
        return view! { <span data-due="hidden">{NOT_SHOWN}</span> }.into_any();
    }
    let Some((first, rest)) = items.split_first() else {
        return view! { <span>"Nothing due"</span> }.into_any();
    };
    let more = (!rest.is_empty()).then(|| {
        let rest = rest.to_vec();
        view! {
            <details class="nhsuk-details dsr-due-more" id=ids::due_more(person)>
                <summary class="nhsuk-details__summary">
                    <span class="nhsuk-details__summary-text">{match rest.len() { 1 => "1 more due".to_string(), n => format!("{n} more due") }}</span>
                </summary>
                <ul class="nhsuk-list nhsuk-details__text">
                    {rest.iter().map(|item| view! { <li>{due_item(item)}</li> }).collect_view()}
                </ul>
            </details>
        }
    });
    view! {
        <span class=if first.overdue { "dsr-overdue" } else { "" } data-overdue=overdue.to_string()>{due_item(first)}</span>
        {more}
    }
    .into_any()
}

/// A column's heading, a button that sorts by it (again: the other way round).
#[component]
fn SortHeader(filter: RwSignal<RegisterFilter>, sort: SortBy, label: &'static str) -> impl IntoView {
    let active = move || filter.with(|f| f.sort == sort);
    let aria = move || match (active(), filter.with(|f| f.descending)) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    view! {
        <th scope="col" class="nhsuk-table__header" aria-sort=aria>
            <button type="button" class="dsr-sort" id=ids::sort_by(sort.name())
                on:click=move |_| filter.update(|f| {
                    f.descending = f.sort == sort && !f.descending;
                    f.sort = sort;
                })>
                {label}
                <span class="dsr-sort__arrow" aria-hidden="true">{move || match aria() { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</span>
            </button>
        </th>
    }
}

/// The filters in words, for the printed register.
fn describe(filter: &RegisterFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !filter.ratings.is_empty() {
        let names: Vec<&str> = filter.ratings.iter().map(|r| r.map_or("Not rated", |r| r.label())).collect();
        parts.push(format!("Rated {}", names.join(" or ")));
    }
    if let Some(status) = filter.status {
        parts.push(status.label().to_string());
    }
    if let Some(rule) = filter.due {
        parts.push(rule.label().to_string());
    }
    match &filter.keyworker {
        Some(KeyworkerFilter::Named(name)) => parts.push(format!("Keyworker {name}")),
        Some(KeyworkerFilter::Nobody) => parts.push("No keyworker".to_string()),
        None => {}
    }
    if let Some(group) = filter.age_group {
        parts.push(group.label().to_string());
    }
    if filter.overdue_only {
        parts.push("Something overdue".to_string());
    }
    if !filter.search.trim().is_empty() {
        parts.push(format!("Matching \"{}\"", filter.search.trim()));
    }
    if parts.is_empty() { "Everyone on this device.".to_string() } else { format!("Showing: {}.", parts.join("; ")) }
}

/// The number of people per rating at the top; each a button that shows only those people.
#[component]
fn RatingCountsView(counts: Memo<RatingCounts>, filter: RwSignal<RegisterFilter>) -> impl IntoView {
    let choices: [(Option<Rating>, &'static str); 5] = [
        (Some(Rating::Red), "Red"),
        (Some(Rating::Amber), "Amber"),
        (Some(Rating::Green), "Green"),
        (Some(Rating::Blue), "Blue"),
        (None, "Not rated"),
    ];
    view! {
        <ul class="dsr-rating-counts" id=ids::RATING_COUNTS aria-label="People per rating">
            {choices.into_iter().map(|(rating, label)| {
                let pressed = move || filter.with(|f| f.ratings == vec![rating]);
                view! {
                    <li>
                        <button type="button" class="dsr-rating-count" id=ids::rating_count(label)
                            aria-pressed=move || pressed().to_string()
                            data-count=move || counts.with(|c| c.get(rating)).to_string()
                            on:click=move |_| filter.update(|f| {
                                f.ratings = if f.ratings == vec![rating] { Vec::new() } else { vec![rating] };
                            })>
                            {rating_tag(rating)}
                            <span class="dsr-rating-count__number">{move || counts.with(|c| c.get(rating))}</span>
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Search, status, what is due, keyworker, age group, overdue and sort.
#[component]
fn FilterForm(filter: RwSignal<RegisterFilter>, keyworkers: Memo<Vec<String>>) -> impl IntoView {
    view! {
        <div class="dsr-filters">
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::REGISTER_SEARCH>"Search by name or NHS number"</label>
                <input class="nhsuk-input" id=ids::REGISTER_SEARCH type="search" autocomplete="off" spellcheck="false"
                    on:input=move |ev| filter.update(|f| f.search = event_target_value(&ev))/>
            </div>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::FILTER_STATUS>"Status"</label>
                <select class="nhsuk-select" id=ids::FILTER_STATUS
                    on:change=move |ev| filter.update(|f| f.status = StatusFilter::from_name(&event_target_value(&ev)))>
                    <option value="">"Everyone"</option>
                    {StatusFilter::ALL.into_iter().map(|s| view! { <option value=s.name()>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::FILTER_DUE>"What is due"</label>
                <select class="nhsuk-select" id=ids::FILTER_DUE
                    on:change=move |ev| filter.update(|f| f.due = DueRule::from_name(&event_target_value(&ev)))>
                    <option value="">"Anything"</option>
                    {DueRule::ALL.into_iter().filter(|r| *r != DueRule::RetentionPurge).map(|r| view! { <option value=r.name()>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::FILTER_KEYWORKER>"Keyworker"</label>
                <select class="nhsuk-select" id=ids::FILTER_KEYWORKER
                    on:change=move |ev| filter.update(|f| f.keyworker = match event_target_value(&ev).as_str() {
                        "" => None,
                        "__nobody__" => Some(KeyworkerFilter::Nobody),
                        name => Some(KeyworkerFilter::Named(name.to_string())),
                    })>
                    <option value="">"Anyone"</option>
                    <option value="__nobody__">"No keyworker yet"</option>
                    {move || keyworkers.get().into_iter().map(|n| { let value = n.clone(); view! { <option value=value>{n}</option> } }).collect_view()}
                </select>
            </div>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::FILTER_AGE>"Age"</label>
                <select class="nhsuk-select" id=ids::FILTER_AGE
                    on:change=move |ev| filter.update(|f| f.age_group = AgeGroup::from_name(&event_target_value(&ev)))>
                    <option value="">"Any age"</option>
                    {AgeGroup::ALL.into_iter().map(|g| view! { <option value=g.name()>{g.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::REGISTER_SORT>"Order"</label>
                <select class="nhsuk-select" id=ids::REGISTER_SORT
                    prop:value=move || filter.with(|f| f.sort.name())
                    on:change=move |ev| filter.update(|f| {
                        f.sort = SortBy::from_name(&event_target_value(&ev)).unwrap_or_default();
                        f.descending = false;
                    })>
                    <option value="due">"Next due first"</option>
                    <option value="name">"Name"</option>
                    <option value="age">"Age, youngest first"</option>
                    <option value="rating">"Rating, most at risk first"</option>
                    <option value="keyworker">"Keyworker"</option>
                </select>
            </div>
            <div class="nhsuk-checkboxes nhsuk-checkboxes--small dsr-filters__overdue">
                <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id=ids::FILTER_OVERDUE type="checkbox"
                        on:change=move |ev| filter.update(|f| f.overdue_only = event_target_checked(&ev))/>
                    <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::FILTER_OVERDUE>"Only people with something overdue"</label>
                </div>
            </div>
        </div>
    }
}
