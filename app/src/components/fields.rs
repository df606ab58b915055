//! Form fields in the design system's pattern: label, hint, error message above the input.

use leptos::prelude::*;

use crate::element_ids as ids;

/// The parts every one-input field shares: the group (marked on error), label, hint and error message
/// above the input.
#[component]
fn FieldGroup(
    id: &'static str,
    label: &'static str,
    error: Signal<Option<String>>,
    hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class=group_class(error)>
            <label class="nhsuk-label" for=id>{label}</label>
            {hint.map(|h| view! { <div class="nhsuk-hint" id=format!("{id}-hint")>{h}</div> })}
            <ErrorMessage field_id=id error=error/>
            {children()}
        </div>
    }
}

/// The input's `aria-describedby`: its hint and, when there is one, its error message.
fn described_by(
    id: &'static str,
    hint: Option<&'static str>,
    error: Signal<Option<String>>,
) -> impl Fn() -> Option<String> {
    move || {
        let mut parts = Vec::new();
        if hint.is_some() {
            parts.push(format!("{id}-hint"));
        }
        if error.with(Option::is_some) {
            parts.push(ids::error_message(id));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// A one-line text input.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "")] width_class: &'static str,
    #[prop(default = "text")] input_mode: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <FieldGroup id=id label=label error=error hint=hint>
            <input
                class=input_class(format!("nhsuk-input {width_class}"), error)
                id=id
                name=id
                type="text"
                inputmode=input_mode
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by(id, hint, error)
                bind:value=value
            />
        </FieldGroup>
    }
}

/// A multi-line text box, for notes and people's own words (kept exactly as typed).
#[component]
pub fn TextAreaField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 5)] rows: u32,
) -> impl IntoView {
    view! {
        <FieldGroup id=id label=label error=error hint=hint>
            <textarea
                class=input_class("nhsuk-textarea".to_string(), error)
                id=id
                name=id
                rows=rows
                aria-describedby=described_by(id, hint, error)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            ></textarea>
        </FieldGroup>
    }
}

/// A password input (never autocompleted into someone else's account: `autocomplete` says which).
#[component]
pub fn PasswordField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "current-password")] autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <FieldGroup id=id label=label error=error hint=hint>
            <input
                class=input_class("nhsuk-input nhsuk-u-width-two-thirds".to_string(), error)
                id=id
                name=id
                type="password"
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by(id, hint, error)
                bind:value=value
            />
        </FieldGroup>
    }
}

/// A date in three fields (day, month, year), as the design system asks, never a date picker.
#[component]
pub fn DateField(
    id: &'static str,
    legend: &'static str,
    day: RwSignal<String>,
    month: RwSignal<String>,
    year: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = ["", "", ""])] part_ids: [&'static str; 3],
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let part = move |part_id: &'static str, label: &'static str, value: RwSignal<String>, width: &'static str| {
        view! {
            <div class="nhsuk-date-input__item">
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label nhsuk-date-input__label" for=part_id>{label}</label>
                    <input
                        class=input_class(format!("nhsuk-input nhsuk-date-input__input {width}"), error)
                        id=part_id
                        name=part_id
                        type="text"
                        inputmode="numeric"
                        bind:value=value
                    />
                </div>
            </div>
        }
    };
    view! {
        <div class=group_class(error)>
            <fieldset class="nhsuk-fieldset" role="group" aria-describedby=hint_id.clone()>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                {hint.map(|h| view! { <div class="nhsuk-hint" id=hint_id.clone()>{h}</div> })}
                <ErrorMessage field_id=id error=error/>
                <div class="nhsuk-date-input" id=id>
                    {part(part_ids[0], "Day", day, "nhsuk-input--width-2")}
                    {part(part_ids[1], "Month", month, "nhsuk-input--width-2")}
                    {part(part_ids[2], "Year", year, "nhsuk-input--width-4")}
                </div>
            </fieldset>
        </div>
    }
}

/// The message above a field with an error, with "Error:" for screen readers.
#[component]
fn ErrorMessage(field_id: &'static str, error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <span class="nhsuk-error-message" id=ids::error_message(field_id)>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>
                    {message}
                </span>
            }
        })
    }
}

/// The form group's classes: marked when the field has an error.
fn group_class(error: Signal<Option<String>>) -> impl Fn() -> &'static str {
    move || if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }
}

/// An input's classes, with the error class when the field has an error.
fn input_class(base: String, error: Signal<Option<String>>) -> impl Fn() -> String {
    move || if error.with(Option::is_some) { format!("{base} nhsuk-input--error") } else { base.clone() }
}
