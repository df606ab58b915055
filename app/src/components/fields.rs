//! Form fields in the design system's pattern: label, hint, error message above the input.

use leptos::prelude::*;

use crate::element_ids as ids;

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
    let hint_id = format!("{id}-hint");
    let error_id = ids::error_message(id);
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut parts = Vec::new();
            if hint.is_some() {
                parts.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                parts.push(error_id.clone());
            }
            (!parts.is_empty()).then(|| parts.join(" "))
        }
    };
    view! {
        <div class=move || if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
            <label class="nhsuk-label" for=id>{label}</label>
            {hint.map(|h| view! { <div class="nhsuk-hint" id=hint_id.clone()>{h}</div> })}
            {move || error.get().map(|message| view! {
                <span class="nhsuk-error-message" id=error_id.clone()>
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{message}
                </span>
            })}
            <input
                class=move || {
                    let error_class = if error.with(Option::is_some) { " nhsuk-input--error" } else { "" };
                    format!("nhsuk-input {width_class}{error_class}")
                }
                id=id
                name=id
                type="text"
                inputmode=input_mode
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by
                bind:value=value
            />
        </div>
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
    let error_id = ids::error_message(id);
    let part = move |part_id: &'static str, label: &'static str, value: RwSignal<String>, width: &'static str| {
        view! {
            <div class="nhsuk-date-input__item">
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label nhsuk-date-input__label" for=part_id>{label}</label>
                    <input
                        class=move || {
                            let error_class = if error.with(Option::is_some) { " nhsuk-input--error" } else { "" };
                            format!("nhsuk-input nhsuk-date-input__input {width}{error_class}")
                        }
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
        <div class=move || if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
            <fieldset class="nhsuk-fieldset" role="group" aria-describedby=hint_id.clone()>
                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
                {hint.map(|h| view! { <div class="nhsuk-hint" id=hint_id.clone()>{h}</div> })}
                {move || error.get().map(|message| view! {
                    <span class="nhsuk-error-message" id=error_id.clone()>
                        <span class="nhsuk-u-visually-hidden">"Error: "</span>{message}
                    </span>
                })}
                <div class="nhsuk-date-input" id=id>
                    {part(part_ids[0], "Day", day, "nhsuk-input--width-2")}
                    {part(part_ids[1], "Month", month, "nhsuk-input--width-2")}
                    {part(part_ids[2], "Year", year, "nhsuk-input--width-4")}
                </div>
            </fieldset>
        </div>
    }
}
