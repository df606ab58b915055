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

/// A radio button in the design system's pattern.
pub fn radio(
    name: &'static str,
    id: String,
    value: &'static str,
    label: &'static str,
    chosen: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="nhsuk-radios__item">
            <input class="nhsuk-radios__input" id=id.clone() name=name type="radio" value=value
                prop:checked=move || chosen.get() == value
                on:change=move |_| chosen.set(value.to_string())/>
            <label class="nhsuk-label nhsuk-radios__label" for=id>{label}</label>
        </div>
    }
}

/// A checkbox in the design system's pattern, for a yes or no.
pub fn checkbox(id: impl Into<String>, label: impl Into<String>, value: RwSignal<bool>) -> impl IntoView {
    let (id, label): (String, String) = (id.into(), label.into());
    view! {
        <div class="nhsuk-checkboxes__item">
            <input class="nhsuk-checkboxes__input" id=id.clone() type="checkbox" prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))/>
            <label class="nhsuk-label nhsuk-checkboxes__label" for=id>{label}</label>
        </div>
    }
}

/// A group of radio buttons with its legend and error message, in the design system's pattern.
pub fn radio_group(
    id: &'static str,
    legend: &'static str,
    options: Vec<(String, &'static str, &'static str)>,
    chosen: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class=move || if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
            <fieldset class="nhsuk-fieldset" id=id>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                <ErrorMessage field_id=id error=error/>
                <div class="nhsuk-radios">
                    {options.into_iter().map(|(option_id, value, label)| radio(id, option_id, value, label, chosen)).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// A multi-line text box whose id is made at run time and whose label can change (the planner's
/// questions, in plain words or easy read).
#[component]
pub fn WordsField(
    id: String,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    let error_id = ids::error_message(&id);
    view! {
        <div class=group_class(error)>
            <label class="nhsuk-label" for=id.clone()>{move || label.get()}</label>
            {move || error.get().map(|message| view! {
                <span class="nhsuk-error-message" id=error_id.clone()>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{message}
                </span>
            })}
            <textarea class=input_class("nhsuk-textarea".to_string(), error) id=id.clone() name=id rows=rows
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        </div>
    }
}
