//! `/self-referral`: a family or young person asks to be considered for the register, in plain words,
//! with no account. What they type is kept on their device as they go (in clear: with no sign-in
//! there is no key), sent when they press Send, and they are told what happens next and when.

use dsr_shared::ValidationErrors;
use dsr_shared::person::PersonForm;
use dsr_shared::referral::{SelfReferralReceived, SelfReferralRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField};
use crate::element_ids as ids;
use crate::local_store::PUBLIC_DRAFT;

fn field_element(field: &str) -> &'static str {
    match field {
        "area_id" => ids::SELF_AREA,
        "given_name" => ids::GIVEN_NAME,
        "family_name" => ids::FAMILY_NAME,
        "date_of_birth" => ids::DATE_OF_BIRTH_DAY,
        "nhs_number" => ids::NHS_NUMBER,
        "where_they_live" => ids::SELF_WHERE,
        "reason" => ids::SELF_REASON,
        "by" => ids::SELF_BY,
        "relationship" => ids::SELF_RELATIONSHIP,
        "contact" => ids::SELF_CONTACT,
        "agreed" => ids::SELF_AGREED,
        _ => ids::SEND_SELF_REFERRAL,
    }
}

#[component]
pub fn SelfReferralPage() -> impl IntoView {
    let areas = LocalResource::new(api::areas);
    let area = RwSignal::new(String::new());
    let given = RwSignal::new(String::new());
    let family = RwSignal::new(String::new());
    let (day, month, year) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let nhs = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let by = RwSignal::new(String::new());
    let relationship = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let agreed = RwSignal::new(String::new());
    let draft = use_draft(
        format!("{PUBLIC_DRAFT}self-referral"),
        vec![
            ("area", area),
            ("given_name", given),
            ("family_name", family),
            ("day", day),
            ("month", month),
            ("year", year),
            ("nhs_number", nhs),
            ("where", place),
            ("reason", reason),
            ("by", by),
            ("relationship", relationship),
            ("contact", contact),
            ("agreed", agreed),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let sent = RwSignal::new(None::<SelfReferralReceived>);
    let busy = RwSignal::new(false);
    // With one area there is nothing to choose.
    Effect::new(move |_| {
        if let Some(Ok(list)) = areas.get()
            && list.len() == 1
            && area.with_untracked(String::is_empty)
        {
            area.set(list[0].id.clone());
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        if area.with_untracked(String::is_empty) {
            let mut found = ValidationErrors::new();
            found.add("area_id", "Choose the area you live in");
            return errors.set(found);
        }
        let request = SelfReferralRequest {
            area_id: area.get_untracked(),
            person: PersonForm {
                given_name: given.get_untracked(),
                family_name: family.get_untracked(),
                dob_day: day.get_untracked(),
                dob_month: month.get_untracked(),
                dob_year: year.get_untracked(),
                nhs_number: nhs.get_untracked(),
            },
            where_they_live: place.get_untracked(),
            reason: reason.get_untracked(),
            by: by.get_untracked(),
            relationship: relationship.get_untracked(),
            contact: contact.get_untracked(),
            agreed: agreed.get_untracked() == "yes",
        };
        // The same checks the server makes, before anything is sent.
        let today = chrono::Local::now().date_naive();
        let ids_for_check = (
            dsr_shared::PersonId::from_time_and_random(0, [0; 10]),
            dsr_shared::ReferralId::from_time_and_random(0, [0; 10]),
        );
        if let Err(found) = request.to_records(ids_for_check.0, ids_for_check.1, today) {
            return errors.set(found);
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        spawn_local(async move {
            match api::self_referral(&request).await {
                Ok(received) => {
                    draft.clear().await;
                    sent.set(Some(received));
                    if let Some(window) = web_sys::window() {
                        window.scroll_to_with_x_and_y(0.0, 0.0);
                    }
                }
                Err(failure) => errors.set(failure.form_errors(
                    "form",
                    "You are not connected to the internet, so it was not sent. What you typed is kept on this device: press Send again when you are connected.",
                )),
            }
            busy.set(false);
        });
    };

    let form = move || {
        view! {
            <h1>"Ask for support to stay at home"</h1>
            <p class="nhsuk-body-l">"Tell us about you or your child. The Dynamic Support Register (DSR) team will look at what you tell us and contact you."</p>
            <p class="nhsuk-body">"It is for children, young people and adults with a learning disability, autism or both, who might otherwise have to go into a mental health hospital."</p>
            <ErrorSummary errors=errors field_id=field_element/>
            <form novalidate on:submit=on_submit>
                {move || areas.get().map(|list| match list {
                    Ok(list) if list.len() > 1 => view! {
                        <div class=move || if error_for("area_id").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                            <fieldset class="nhsuk-fieldset" id=ids::SELF_AREA>
                                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">"Where do you live?"</legend>
                                {move || error_for("area_id").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                                <div class="nhsuk-radios">
                                    {list.iter().map(|a| {
                                        let (id, value) = (a.id.clone(), a.id.clone());
                                        let checked = value.clone();
                                        view! {
                                            <div class="nhsuk-radios__item">
                                                <input class="nhsuk-radios__input" id=ids::self_area(&id) name="area" type="radio" value=value.clone()
                                                    prop:checked=move || area.get() == checked on:change=move |_| area.set(value.clone())/>
                                                <label class="nhsuk-label nhsuk-radios__label" for=ids::self_area(&id)>{a.name.clone()}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        </div>
                    }.into_any(),
                    Ok(_) => ().into_any(),
                    Err(_) => view! {
                        <div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label">"Not connected"</h3>
                        <p>"You can fill this in now. It is kept on this device, and you can send it when you are connected."</p></div>
                    }.into_any(),
                })}
                <h2>"Who is this about?"</h2>
                <TextField id=ids::GIVEN_NAME label="First name" value=given error=error_for("given_name") width_class="nhsuk-u-width-two-thirds"/>
                <TextField id=ids::FAMILY_NAME label="Last name" value=family error=error_for("family_name") width_class="nhsuk-u-width-two-thirds"/>
                <DateField id=ids::DATE_OF_BIRTH legend="Date of birth" hint="For example, 4 3 2012" day=day month=month year=year
                    error=error_for("date_of_birth") part_ids=[ids::DATE_OF_BIRTH_DAY, ids::DATE_OF_BIRTH_MONTH, ids::DATE_OF_BIRTH_YEAR]/>
                <TextField id=ids::NHS_NUMBER label="NHS number (if you know it)" hint="10 digits, on letters from the NHS. You can leave this empty."
                    value=nhs error=error_for("nhs_number") width_class="nhsuk-input--width-10" input_mode="numeric"/>
                <TextField id=ids::SELF_WHERE label="Postcode or council" hint="So we know which services are near you" value=place
                    error=error_for("where_they_live") width_class="nhsuk-u-width-one-half"/>
                <h2>"What is worrying you?"</h2>
                <TextAreaField id=ids::SELF_REASON label="Tell us in your own words"
                    hint="For example: what has changed, what has been tried, what you are scared might happen."
                    value=reason error=error_for("reason") rows=6/>
                <h2>"About you"</h2>
                <TextField id=ids::SELF_BY label="Your name" value=by error=error_for("by") width_class="nhsuk-u-width-two-thirds"/>
                <TextField id=ids::SELF_RELATIONSHIP label="Who are you to them?" hint="For example: mum, dad, carer. If this is about you, write 'me'."
                    value=relationship error=error_for("relationship") width_class="nhsuk-u-width-one-half"/>
                <TextField id=ids::SELF_CONTACT label="How can we contact you?" hint="A phone number or email address"
                    value=contact error=error_for("contact") width_class="nhsuk-u-width-two-thirds"/>
                <div class=move || if error_for("agreed").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                    {move || error_for("agreed").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                    <div class="nhsuk-checkboxes__item">
                        <input class="nhsuk-checkboxes__input" id=ids::SELF_AGREED type="checkbox"
                            prop:checked=move || agreed.get() == "yes"
                            on:change=move |ev| agreed.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
                        <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::SELF_AGREED>
                            "I agree that the DSR team can contact me, and can talk to the services who know us, to decide what support could help."
                        </label>
                    </div>
                </div>
                <DraftSaved draft=draft/>
                <button class="nhsuk-button" id=ids::SEND_SELF_REFERRAL type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Sending…" } else { "Send" }}
                </button>
            </form>
            <p class="nhsuk-body">"If someone is in danger now, call 999. For urgent help with mental health, call NHS 111 and choose the mental health option."</p>
        }
    };
    view! {
        <a class="nhsuk-back-link" href="/">"Back"</a>
        {move || match sent.get() {
            Some(received) => view! {
                <div class="nhsuk-panel" id=ids::SELF_REFERRAL_SENT>
                    <h1 class="nhsuk-panel__title">"We have your referral"</h1>
                    <div class="nhsuk-panel__body">"Your reference: "<strong id=ids::SELF_REFERRAL_REFERENCE>{received.reference.clone()}</strong></div>
                </div>
                <p class="nhsuk-body-l">"Write your reference down. Quote it if you phone us. With it and the date of birth, you can "
                    <a href="/self-referral/status" id=ids::SELF_REFERRAL_STATUS_LINK>"check what has happened to your referral"</a>"."</p>
                <h2>"What happens next"</h2>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {received.contact_by.map(|d| view! { <li>{format!("Someone from the DSR team will contact you by {}.", d.format("%A %-d %B %Y"))}</li> })}
                    <li>{format!("The DSR team will talk about it at their meeting on {}.", received.considered_on.format("%A %-d %B %Y"))}</li>
                    <li>"After the meeting, we will tell you what was decided and what happens next."</li>
                </ul>
                <p class="nhsuk-body">"If someone is in danger now, call 999. For urgent help with mental health, call NHS 111 and choose the mental health option."</p>
            }.into_any(),
            None => form().into_any(),
        }}
    }
}
