//! `/accounts`: a DSR coordinator's accounts for their area: staff with a first password, families
//! invited with a one-time code to pass on, who is assigned to whom, closing an account.

use dsr_shared::access::Role;
use dsr_shared::accounts::{InviteCreated, NewFamilyInvite, NewStaffUser, UserSummary};
use dsr_shared::{PersonId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{PasswordField, TextField, radio_group};
use crate::components::what_will_happen::WhatWillHappen;
use crate::element_ids as ids;
use crate::pages::sign_in::problem;
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "username" => ids::STAFF_USERNAME,
        "display_name" => ids::STAFF_NAME,
        "role" => ids::STAFF_ROLE,
        "password" => ids::STAFF_PASSWORD,
        _ => ids::STAFF_USERNAME,
    }
}

/// A person's name as this device knows it.
fn person_name(state: AppState, id: PersonId) -> String {
    state.people.with(|people| {
        people
            .iter()
            .find(|p| p.id.as_uuid() == id.as_uuid())
            .and_then(|p| p.person.as_ref().map(|p| p.full_name()))
            .unwrap_or_else(|| "Someone not on this device".to_string())
    })
}

fn status(user: &UserSummary) -> &'static str {
    if user.disabled {
        "Closed"
    } else if user.invite_pending {
        "Invited, not set up yet"
    } else {
        "Active"
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let version = RwSignal::new(0u32);
    let users = LocalResource::new(move || {
        version.track();
        async { api::users().await }
    });
    // Shown once, after an account was closed on its own page.
    let notice = RwSignal::new(state.notice.get_untracked());
    state.notice.set(None);
    let action_error = RwSignal::new(None::<String>);
    let changed = Callback::new(move |message: String| {
        notice.set(Some(message));
        action_error.set(None);
        version.update(|v| *v += 1);
    });
    let failed = Callback::new(move |error: ApiFailure| action_error.set(Some(error.to_string())));

    let rows = move || {
        users.get().map(|result| match result {
            Err(error) => view! { <p class="nhsuk-body">{format!("The accounts cannot be shown: {error}")}</p> }.into_any(),
            Ok(list) => view! {
                <table class="nhsuk-table" id=ids::USERS_TABLE>
                    <caption class="nhsuk-table__caption">"Accounts in your area"</caption>
                    <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
                        <th scope="col" class="nhsuk-table__header">"Name"</th>
                        <th scope="col" class="nhsuk-table__header">"Role"</th>
                        <th scope="col" class="nhsuk-table__header">"People"</th>
                        <th scope="col" class="nhsuk-table__header">"Account"</th>
                    </tr></thead>
                    <tbody class="nhsuk-table__body">
                        {list.into_iter().map(|user| view! { <UserRow user=user on_change=changed on_fail=failed/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        })
    };

    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <h1>"Accounts"</h1>
        {move || notice.get().map(|text| view! {
            <div class="nhsuk-inset-text" id=ids::ACCOUNTS_NOTICE role="status"><p>{text}</p></div>
        })}
        {move || action_error.get().map(|text| view! {
            <div class="nhsuk-error-summary" role="alert"><h2 class="nhsuk-error-summary__title">{text}</h2></div>
        })}
        <p class="nhsuk-body">
            <a href=api::audit_export_path(None, None) id=ids::AUDIT_EXPORT download>"Download the whole audit trail (CSV)"</a>
        </p>
        <Transition fallback=|| view! { <p class="nhsuk-body">"Loading accounts…"</p> }>{rows}</Transition>
        <AddStaff on_change=changed/>
        <InviteFamily on_change=changed state=state/>
    }
}

#[component]
fn UserRow(user: UserSummary, on_change: Callback<String>, on_fail: Callback<ApiFailure>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = user.id;
    let key = id.to_string();
    let chosen = RwSignal::new(String::new());
    let assigned = user.people.clone();
    let sees_everyone = user.role.sees_whole_register();
    let name = user.display_name.clone();
    let assign_name = name.clone();
    let is_me = state.session.with_untracked(|s| s.user().is_some_and(|u| u.user_id == id.to_string()));
    // A reset code, shown once here to pass on.
    let reset = RwSignal::new(None::<dsr_shared::accounts::ResetCodeCreated>);
    let give_reset_code = move |_| {
        spawn_local(async move {
            match api::reset_code(id).await {
                Ok(made) => reset.set(Some(made)),
                Err(error) => on_fail.run(error),
            }
        })
    };
    let assign = move |_| {
        let Ok(person) = chosen.get_untracked().parse::<PersonId>() else { return };
        let name = assign_name.clone();
        spawn_local(async move {
            match api::assign(id, person).await {
                Ok(_) => on_change.run(format!("{name} now works with {}", person_name(state, person))),
                Err(error) => on_fail.run(error),
            }
        });
    };
    let unassigned = move || -> Vec<(PersonId, String)> {
        state.people.with(|people| {
            people
                .iter()
                .filter_map(|p| p.person.as_ref().map(|person| (person.id, person.full_name())))
                .filter(|(pid, _)| !assigned.contains(pid))
                .collect()
        })
    };
    view! {
        <tr class="nhsuk-table__row" id=ids::user_row(&key) data-username=user.username.clone().unwrap_or_default()>
            <td class="nhsuk-table__cell">
                <strong>{user.display_name.clone()}</strong><br/>
                <span class="nhsuk-body-s">{user.username.clone().unwrap_or_else(|| "no username yet".into())}</span>
            </td>
            <td class="nhsuk-table__cell">{user.role.label()}</td>
            <td class="nhsuk-table__cell">
                {if sees_everyone {
                    view! { <span>"Everyone in the area"</span> }.into_any()
                } else {
                    view! {
                        <ul class="nhsuk-list">
                            {user.people.iter().map(|person| {
                                let person = *person;
                                let label = move || person_name(state, person);
                                let name = name.clone();
                                let remove = move |_| {
                                    let name = name.clone();
                                    spawn_local(async move {
                                    match api::unassign(id, person).await {
                                        Ok(_) => on_change.run(format!("{name} no longer works with {}", person_name(state, person))),
                                        Err(error) => on_fail.run(error),
                                    }
                                    })
                                };
                                view! {
                                    <li>{label}" "
                                        <button class="dsr-link-button" type="button" id=ids::unassign_button(&id.to_string(), &person.to_string())
                                            on:click=remove>"Remove"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(!user.disabled).then(|| view! {
                            <div class="dsr-inline-form">
                                <label class="nhsuk-label nhsuk-u-visually-hidden" for=ids::assign_select(&id.to_string())>"Person to assign"</label>
                                <select class="nhsuk-select" id=ids::assign_select(&id.to_string())
                                    on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    <option value="">"Choose a person"</option>
                                    {move || unassigned().into_iter().map(|(pid, label)| view! {
                                        <option value=pid.to_string()>{label}</option>
                                    }).collect_view()}
                                </select>
                                <button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="button"
                                    id=ids::assign_button(&id.to_string()) on:click=assign>"Assign"</button>
                            </div>
                        })}
                    }.into_any()
                }}
            </td>
            <td class="nhsuk-table__cell">
                <p>{status(&user)}</p>
                <p><a href=format!("/audit?user={id}")>"Audit trail"</a></p>
                {(!user.disabled && !user.invite_pending && !is_me).then(|| view! {
                    <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::reset_code_button(&id.to_string())
                        on:click=give_reset_code>"Give a reset code"</button>
                    {move || reset.get().map(|made| view! {
                        <div class="nhsuk-inset-text nhsuk-u-margin-top-0">
                            <p class="dsr-invite-code" id=ids::RESET_CODE_SHOWN>{made.code.clone()}</p>
                            <p>{format!(
                                "Give this code to {} by phone or in person. It works once, until {}. They choose a new password with it; their devices keep what they have not sent.",
                                made.user.display_name, dsr_shared::calendar::long_date(made.expires_on)
                            )}</p>
                        </div>
                    })}
                })}
                {(!user.disabled && user.role != Role::Coordinator).then(|| view! {
                    <a class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0"
                        id=ids::disable_user(&id.to_string()) href=format!("/accounts/{id}/close")>"Close account"</a>
                })}
            </td>
        </tr>
    }
}

#[component]
fn AddStaff(on_change: Callback<String>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Keyworker.name().to_string());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let user = NewStaffUser {
            username: username.get_untracked(),
            display_name: name.get_untracked(),
            role: Role::from_name(&role.get_untracked()).unwrap_or(Role::Keyworker),
            password: password.get_untracked(),
        };
        if let Err(found) = user.validate() {
            return errors.set(found);
        }
        spawn_local(async move {
            match api::create_staff(&user).await {
                Ok(created) => {
                    errors.set(ValidationErrors::new());
                    for field in [username, name, password] {
                        field.set(String::new());
                    }
                    on_change.run(format!(
                        "Account made for {} ({}). Give them their username and first password in person or by phone.",
                        created.display_name,
                        created.role.label()
                    ));
                }
                Err(error) => errors.set(problem(error)),
            }
        });
    };
    view! {
        <h2>"Add a staff account"</h2>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::STAFF_NAME label="Name" value=name error=error_for("display_name") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::STAFF_USERNAME label="Username" value=username error=error_for("username") width_class="nhsuk-u-width-two-thirds"/>
            <div class="nhsuk-form-group">
                <label class="nhsuk-label" for=ids::STAFF_ROLE>"Role"</label>
                <select class="nhsuk-select" id=ids::STAFF_ROLE on:change=move |ev| role.set(event_target_value(&ev))>
                    {Role::ALL.into_iter().filter(|r| r.is_staff()).map(|r| view! {
                        <option value=r.name() selected=r == Role::Keyworker>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <PasswordField id=ids::STAFF_PASSWORD label="First password" hint="At least 10 characters. Pass it on in person or by phone."
                value=password error=error_for("password") autocomplete="new-password"/>
            <button class="nhsuk-button" id=ids::ADD_STAFF_BUTTON type="submit">"Add account"</button>
        </form>
    }
}

#[component]
fn InviteFamily(on_change: Callback<String>, state: AppState) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let person = RwSignal::new(String::new());
    let who = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let created = RwSignal::new(None::<InviteCreated>);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut found = ValidationErrors::new();
        dsr_shared::accounts::check_display_name(&mut found, "display_name", &name.get_untracked());
        let chosen = person.get_untracked().parse::<PersonId>();
        found.require(chosen.is_err(), "person_id", "Choose whose record they will see");
        let young_person = match who.get_untracked().as_str() {
            "young_person" => Some(true),
            "family" => Some(false),
            _ => None,
        };
        found.require(young_person.is_none(), "young_person", "Say whether this is the young person or their family");
        if !found.is_empty() {
            return errors.set(found);
        }
        let (Ok(person_id), Some(young_person)) = (chosen, young_person) else { return };
        let invite = NewFamilyInvite { display_name: name.get_untracked(), person_id, young_person };
        spawn_local(async move {
            match api::invite(&invite).await {
                Ok(made) => {
                    errors.set(ValidationErrors::new());
                    on_change.run(format!("{} is invited: give them the code below.", made.user.display_name));
                    created.set(Some(made));
                    name.set(String::new());
                }
                Err(error) => errors.set(problem(error)),
            }
        });
    };
    view! {
        <h2>"Invite a family member or young person"</h2>
        <p class="nhsuk-body">"They will see only this person's consent, planner, views, review report and action plan. You get a one-time code to give them; they choose their own password."</p>
        {move || created.get().map(|made| view! {
            <div class="nhsuk-card nhsuk-card--feature">
                <div class="nhsuk-card__content nhsuk-card__content--feature">
                    <h3 class="nhsuk-card__heading nhsuk-card__heading--feature">"Their code"</h3>
                    <p class="dsr-invite-code" id=ids::INVITE_CODE_SHOWN>{made.code.clone()}</p>
                    <p>{format!("Shown once. It works until {}. They go to this site and choose \"I have an invitation code\".", made.expires_on.format("%-d %B %Y"))}</p>
                </div>
            </div>
        })}
        <ErrorSummary errors=errors field_id=|f| match f {
            "person_id" => ids::FAMILY_PERSON,
            "young_person" => ids::FAMILY_WHO,
            _ => ids::FAMILY_DISPLAY_NAME,
        }/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::FAMILY_DISPLAY_NAME label="Their name" value=name error=error_for("display_name") width_class="nhsuk-u-width-two-thirds"/>
            <div class=move || if error_for("person_id").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <label class="nhsuk-label" for=ids::FAMILY_PERSON>"Whose record they will see"</label>
                {move || error_for("person_id").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                <select class="nhsuk-select" id=ids::FAMILY_PERSON on:change=move |ev| person.set(event_target_value(&ev))>
                    <option value="">"Choose a person"</option>
                    {move || state.people.with(|people| people.iter().filter_map(|p| p.person.as_ref().map(|person| view! {
                        <option value=person.id.to_string()>{person.full_name()}</option>
                    })).collect_view())}
                </select>
            </div>
            {radio_group(
                ids::FAMILY_WHO,
                "Who is the account for?",
                vec![
                    (ids::family_who("family"), "family", "A parent, carer or someone else in the family"),
                    (ids::family_who("young_person"), "young_person", "The young person themself"),
                ],
                who,
                error_for("young_person"),
            )}
            <button class="nhsuk-button" id=ids::INVITE_BUTTON type="submit">"Invite"</button>
        </form>
    }
}

/// `/accounts/{id}/close`: closing an account, never by one tap: what will happen, then who asked for
/// it and why (kept in the audit trail with the closing).
#[component]
pub fn CloseAccountPage() -> impl IntoView {
    use dsr_shared::accounts::CloseAccount;
    let state = expect_context::<AppState>();
    let navigate = leptos_router::hooks::use_navigate();
    let params = leptos_router::hooks::use_params_map();
    let id: Option<dsr_shared::UserId> = untrack(|| params.with(|p| p.get("id").and_then(|i| i.parse().ok())));
    let users = LocalResource::new(|| async { api::users().await });
    let asked_by = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let busy = RwSignal::new(false);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let page = move || {
        let user = users.get().map(|r| r.map(|list| list.into_iter().find(|u| Some(u.id) == id)));
        match user {
            None => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
            Some(Err(error)) => {
                view! { <p class="nhsuk-body">{format!("The account cannot be shown: {error}")}</p> }.into_any()
            }
            Some(Ok(None)) => view! { <p class="nhsuk-body">"There is no such account in your area."</p> }.into_any(),
            Some(Ok(Some(user))) if user.disabled => {
                view! { <p class="nhsuk-body">{format!("{}'s account is closed already.", user.display_name)}</p> }
                    .into_any()
            }
            Some(Ok(Some(user))) => {
                let name = user.display_name.clone();
                let navigate = navigate.clone();
                let on_submit = move |ev: SubmitEvent| {
                    ev.prevent_default();
                    let close = CloseAccount { asked_by: asked_by.get_untracked(), reason: reason.get_untracked() };
                    if let Err(found) = close.validate() {
                        return errors.set(found);
                    }
                    busy.set(true);
                    let (navigate, name, user_id) = (navigate.clone(), name.clone(), user.id);
                    spawn_local(async move {
                        match api::disable(user_id, &close).await {
                            Ok(_) => {
                                state.notice.set(Some(format!(
                                    "{name}'s account is closed; their devices delete their copy when they next connect"
                                )));
                                navigate("/accounts", Default::default());
                            }
                            Err(failure) => {
                                let mut found = ValidationErrors::new();
                                match failure {
                                    ApiFailure::Refused(refused) if !refused.fields.is_empty() => {
                                        for f in refused.fields {
                                            found.add(f.field, f.message);
                                        }
                                    }
                                    other => found.add("asked_by", other.to_string()),
                                }
                                errors.set(found);
                            }
                        }
                        busy.set(false);
                    });
                };
                view! {
                    <p class="nhsuk-body-l" id=ids::CLOSE_ACCOUNT_WHOSE>{format!("{} · {}", user.display_name, user.role.label())}</p>
                    <WhatWillHappen id=ids::CLOSE_ACCOUNT_EFFECTS effects=&CloseAccount::EFFECTS/>
                    <ErrorSummary errors=errors field_id=|f| if f == "reason" { ids::CLOSE_ACCOUNT_REASON } else { ids::CLOSE_ACCOUNT_ASKED_BY }/>
                    <form novalidate on:submit=on_submit>
                        <TextField id=ids::CLOSE_ACCOUNT_ASKED_BY label="Who asked for the account to be closed?"
                            hint="Their name and role, for example: Sam Lee, team manager" value=asked_by error=error_for("asked_by")/>
                        <TextField id=ids::CLOSE_ACCOUNT_REASON label="Why?" hint="For example: left the team on 30 November"
                            value=reason error=error_for("reason")/>
                        <div class="nhsuk-button-group">
                            <button class="nhsuk-button nhsuk-button--warning" id=ids::CONFIRM_CLOSE_ACCOUNT type="submit"
                                disabled=move || busy.get()>"Close the account"</button>
                            <a class="nhsuk-link" href="/accounts">"Cancel: keep it open"</a>
                        </div>
                    </form>
                }.into_any()
            }
        }
    };
    // One heading whatever the page shows (focus goes to it when the page opens).
    view! {
        <a class="nhsuk-back-link" href="/accounts">"Back"</a>
        <h1>"Close an account"</h1>
        {page}
    }
}
