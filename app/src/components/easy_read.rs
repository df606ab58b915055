//! Easy read on a page: a picture beside each question, its sentences, large text and targets, one
//! question to a screen, and "Read this to me". The words and pictures come from `dsr_shared::easy_read`.

use dsr_shared::easy_read::{EasyQuestion, PICTURES_CREDIT, Picture};
use leptos::prelude::*;

use crate::element_ids as ids;
use crate::speech;

/// A picture beside words that say the same (so it is hidden from screen readers).
pub fn picture(picture: Picture, size: u32) -> impl IntoView {
    view! { <img class="dsr-picture" src=picture.path() alt="" width=size height=size/> }
}

/// "Read this to me": reads `text` aloud with the device's voice; pressed again, stops. Not shown when
/// the browser cannot speak.
#[component]
pub fn ReadAloud(id: String, #[prop(into)] text: Signal<String>) -> impl IntoView {
    let speaking = RwSignal::new(false);
    on_cleanup(move || {
        if speaking.try_get_untracked() == Some(true) {
            speech::stop();
        }
    });
    let on_click = move |_| {
        if speaking.get_untracked() {
            speech::stop();
            speaking.set(false);
        } else if speech::speak(&text.get_untracked(), move || {
            speaking.try_set(false);
        }) {
            speaking.set(true);
        }
    };
    speech::available().then(|| {
        view! {
            <button class="nhsuk-button nhsuk-button--secondary dsr-read-aloud" type="button" id=id on:click=on_click
                aria-pressed=move || speaking.get().to_string()>
                {picture(Picture::Speaker, 32)}
                {move || if speaking.get() { "Stop reading" } else { "Read this to me" }}
            </button>
        }
    })
}

/// One screen of a form in easy read (the `index`th; the form shows the `step`th): the question's
/// picture and sentences, then its field (`children`), then "Read this to me" (the sentences, the
/// question and what `written` holds). In plain words, just the field. `label_asks`: the field's own
/// label already says the easy-read question; otherwise the question is shown above it and the field's
/// plain label is kept for screen readers only.
#[component]
pub fn EasyStep(
    easy_read: RwSignal<bool>,
    step: RwSignal<usize>,
    index: usize,
    question: EasyQuestion,
    #[prop(into)] written: Signal<String>,
    #[prop(default = false)] label_asks: bool,
    children: Children,
) -> impl IntoView {
    let heard = Signal::derive(move || dsr_shared::easy_read::read_aloud(&question, &written.get()));
    view! {
        <div class="dsr-easy-step" style:display=move || if easy_read.get() && step.get() != index { "none" } else { "block" }>
            <Show when=move || easy_read.get()>
                <div class="dsr-easy-question">
                    {picture(question.picture, 96)}
                    <div class="dsr-easy-words">
                        {question.says.iter().map(|line| view! { <p>{*line}</p> }).collect_view()}
                        {(!label_asks).then(|| view! { <p class="dsr-easy-asks">{question.asks}</p> })}
                    </div>
                </div>
            </Show>
            <div class=move || if easy_read.get() && !label_asks { "dsr-easy-field" } else { "" }>{children()}</div>
            <Show when=move || easy_read.get()>
                <ReadAloud id=ids::read_aloud(index) text=heard/>
            </Show>
        </div>
    }
}

/// Where the form is in easy read ("Question 3 of 12"), with buttons to move back and on.
pub fn step_buttons(easy_read: RwSignal<bool>, step: RwSignal<usize>, count: usize) -> impl IntoView {
    view! {
        <Show when=move || easy_read.get()>
            <p class="nhsuk-body dsr-easy-progress" id=ids::EASY_READ_STEP aria-live="polite">
                {move || format!("Question {} of {count}", step.get() + 1)}
            </p>
            <div class="dsr-button-row">
                <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::EASY_READ_BACK
                    disabled=move || { step.get() == 0 } on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"Back"</button>
                <button class="nhsuk-button" type="button" id=ids::EASY_READ_NEXT
                    disabled=move || { step.get() + 1 >= count } on:click=move |_| step.update(|s| *s = (*s + 1).min(count.saturating_sub(1)))>"Next"</button>
            </div>
        </Show>
    }
}

/// An introduction in easy read: a picture, a sentence to a line, and "Read this to me".
pub fn intro(id: &'static str, pic: Picture, lines: Vec<String>) -> impl IntoView {
    let heard = dsr_shared::easy_read::read_lines(&lines);
    view! {
        <div class="dsr-easy-question dsr-easy-read" id=id>
            {picture(pic, 96)}
            <div class="dsr-easy-words">
                {lines.into_iter().map(|line| view! { <p>{line}</p> }).collect_view()}
                <ReadAloud id=format!("{id}-read") text=heard/>
            </div>
        </div>
    }
}

/// The credit the pictures' licence asks for.
pub fn pictures_credit() -> impl IntoView {
    view! { <p class="nhsuk-body-s dsr-pictures-credit" id=ids::PICTURES_CREDIT>{PICTURES_CREDIT}</p> }
}
