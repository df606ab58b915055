//! `/policy`: the area's policy as everyone's device follows it (timescales, consent ages, meetings,
//! keyworkers, retention, the risk checklists with their versions); `/policy/edit`: a coordinator
//! changes it. The form's rules are `dsr_shared::policy_form`; the server keeps every version and
//! turns a changed risk checklist into a new version of it.

use dsr_shared::ValidationErrors;
use dsr_shared::access::Role;
use dsr_shared::api::{PolicyDocument, PolicyUpdate};
use dsr_shared::kloe::prompts::KloePrompts;
use dsr_shared::kloe::{KeyQuestion, KloeTemplate};
use dsr_shared::policy::AreaPolicy;
use dsr_shared::policy_form::{PolicyForm, SECTIONS, band_field};
use dsr_shared::risk::{AgeBand, RiskTool};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiFailure};
use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::element_ids as ids;
use crate::local_store;
use crate::state::AppState;

const BANDS: [(AgeBand, &str); 2] = [(AgeBand::Under18, "Under 18"), (AgeBand::Adult, "Adults")];

fn band_label(band: AgeBand) -> &'static str {
    BANDS.iter().find(|(b, _)| *b == band).map_or("", |(_, l)| l)
}

fn version_line(document: &PolicyDocument) -> String {
    match (&document.changed_by, document.changed_at) {
        (Some(by), Some(at)) => format!(
            "Version {} of this area's policy, changed by {by} on {}.",
            document.version,
            at.with_timezone(&chrono::Local).format("%-d %B %Y at %H:%M")
        ),
        _ => "The handbook's defaults: nobody has changed this area's policy yet.".to_string(),
    }
}

/// The score bands of a tool in words.
fn bands_in_words(tool: &RiskTool) -> String {
    format!(
        "Green 0 to {}, Amber {} to {}, Red {} or more",
        tool.amber_from.saturating_sub(1),
        tool.amber_from,
        tool.red_from.saturating_sub(1),
        tool.red_from
    )
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let coordinator = move || state.session.with(|s| s.user().is_some_and(|u| u.role == Role::Coordinator));
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        {notice.map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        {move || state.policy.with(|document| {
            let policy = document.policy.clone();
            let form = PolicyForm::of(&policy);
            let tools = BANDS
                .iter()
                .filter_map(|(band, _)| policy.risk_tool(*band).cloned())
                .map(|tool| risk_tool_view(&policy, tool))
                .collect_view();
            view! {
                <span class="nhsuk-caption-l">{policy.area_name.clone()}</span>
                <h1>"Area policy"</h1>
                <p class="nhsuk-body" id=ids::POLICY_VERSION data-version=document.version.to_string()>{version_line(document)}</p>
                {coordinator().then(|| view! {
                    <a class="nhsuk-button" id=ids::CHANGE_POLICY href="/policy/edit">"Change the policy"</a>
                })}
                {SECTIONS.iter().map(|(heading, settings)| view! {
                    <h2>{*heading}</h2>
                    <dl class="nhsuk-summary-list">
                        {settings.iter().map(|s| {
                            let value = form.0.get(s.field).cloned().filter(|v| !v.is_empty()).unwrap_or_else(|| "Not set".into());
                            view! {
                                <div class="nhsuk-summary-list__row">
                                    <dt class="nhsuk-summary-list__key">{s.label}</dt>
                                    <dd class="nhsuk-summary-list__value">
                                        <span id=ids::policy_value(s.field)>{value}</span>
                                        <span class="dsr-cell-detail" id=ids::policy_source(s.field)>
                                            {format!("Default from: {}", AreaPolicy::default_source(s.field))}
                                        </span>
                                    </dd>
                                </div>
                            }
                        }).collect_view()}
                    </dl>
                }).collect_view()}
                {tools}
                {kloe_view(policy.kloe_prompts())}
            }
        })}
    }
}

/// The area's key lines of enquiry and papers, as they are now (every earlier version kept).
fn kloe_view(kloe: &KloePrompts) -> impl IntoView + use<> {
    view! {
        <section id=ids::POLICY_KLOE data-version=kloe.version.to_string()>
            <h2>{format!("Key lines of enquiry (version {})", kloe.version)}</h2>
            {KeyQuestion::ALL.into_iter().map(|q| view! {
                <h3>{q.text(KloeTemplate::AdultCommunity)}</h3>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {kloe.prompts.iter().filter(|p| p.question == q).map(|p| view! {
                        <li>{p.text.clone()}<br/>
                            <span class="dsr-cell-detail">{format!("Easy read: {} {}. Source: {}", p.easy_read, for_whom(p.children, p.inpatient), p.source)}</span></li>
                    }).collect_view()}
                </ul>
            }).collect_view()}
            <h3>"Papers for the panel"</h3>
            <ul class="nhsuk-list nhsuk-list--bullet">
                {kloe.papers.iter().map(|p| view! {
                    <li>{p.name.clone()}<span class="dsr-cell-detail">{format!(" {}{}", for_whom(p.children, p.inpatient), if p.optional { ", if there is one" } else { "" })}</span></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

fn risk_tool_view(policy: &AreaPolicy, tool: RiskTool) -> impl IntoView + use<> {
    let earlier: Vec<String> = policy
        .risk_tools
        .iter()
        .filter(|t| t.age_band == tool.age_band && t.version != tool.version)
        .map(|t| format!("version {}", t.version))
        .collect();
    let question =
        |key: &str| tool.items.iter().find(|i| i.key == key).map_or(key.to_string(), |i| i.question.to_string());
    let rules: Vec<String> =
        tool.red_if_all.iter().map(|rule| rule.iter().map(|k| question(k)).collect::<Vec<_>>().join("; ")).collect();
    view! {
        <section id=ids::policy_risk_tool(band_field(tool.age_band)) data-version=tool.version.to_string()>
            <h2>{format!("Risk checklist: {} (version {})", band_label(tool.age_band), tool.version)}</h2>
            <p class="nhsuk-body">{format!("{}. {}", tool.name, bands_in_words(&tool))}</p>
            <table class="nhsuk-table">
                <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Question"</th>
                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Score for yes"</th>
                </tr></thead>
                <tbody class="nhsuk-table__body">
                    {tool.items.iter().map(|item| view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">{item.question.to_string()}</td>
                            <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{item.weight}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {rules.into_iter().map(|rule| view! {
                <p class="nhsuk-body">{format!("Red whatever the score when all of these are yes: {rule}.")}</p>
            }).collect_view()}
            {(!earlier.is_empty()).then(|| view! {
                <p class="nhsuk-body-s">{format!("Earlier versions are kept for the assessments made with them: {}.", earlier.join(", "))}</p>
            })}
        </section>
    }
}

/// The element an error on `field` takes the user to.
fn field_element(field: &str) -> String {
    if field == "reason" {
        return ids::POLICY_REASON.to_string();
    }
    // The policy's own checks name a whole tool ("risk_tools"): its first threshold; the whole key
    // lines of enquiry ("kloe"): the first prompt.
    if field == "risk_tools" {
        return ids::policy_field("risk.under_18.amber_from");
    }
    if field == "kloe" {
        return ids::policy_field("kloe.0.text");
    }
    ids::policy_field(field)
}

/// A one-line input for a setting whose name is only known at run time (risk questions).
fn setting_input(
    field: String,
    label: String,
    hint: &'static str,
    value: RwSignal<String>,
    errors: RwSignal<ValidationErrors>,
    width: &'static str,
) -> impl IntoView {
    let id = ids::policy_field(&field);
    let hint_id = format!("{id}-hint");
    let error_id = ids::error_message(&id);
    let error = {
        let field = field.clone();
        Signal::derive(move || errors.with(|e| e.message_for(&field).map(str::to_owned)))
    };
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut parts = Vec::new();
            if !hint.is_empty() {
                parts.push(hint_id.clone());
            }
            if error.with(Option::is_some) {
                parts.push(error_id.clone());
            }
            parts.join(" ")
        }
    };
    view! {
        <div class=move || if error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
            <label class="nhsuk-label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <div class="nhsuk-hint" id=hint_id.clone()>{hint}</div> })}
            {move || error.get().map(|m| view! {
                <span class="nhsuk-error-message" id=error_id.clone()><span class="nhsuk-u-visually-hidden">"Error: "</span>{m}</span>
            })}
            <input class=move || if error.with(Option::is_some) { format!("nhsuk-input {width} nhsuk-input--error") } else { format!("nhsuk-input {width}") }
                id=id.clone() name=id type="text" spellcheck="false" aria-describedby=described bind:value=value/>
        </div>
    }
}

/// Which templates a prompt or paper is for, in words ("children and young people, in hospital").
fn for_whom(children: Option<bool>, inpatient: Option<bool>) -> String {
    let who = match children {
        Some(true) => "children and young people",
        Some(false) => "adults",
        None => "everyone",
    };
    let wher = match inpatient {
        Some(true) => ", in hospital",
        Some(false) => ", in the community",
        None => "",
    };
    format!("For {who}{wher}")
}

/// The key lines of enquiry as the form edits them: each prompt's words and easy-read wording, a new
/// prompt, each paper's name, a new paper. A changed set is saved as the next version.
fn kloe_editor(
    kloe: &KloePrompts,
    signal_of: &dyn Fn(&str) -> Option<RwSignal<String>>,
    errors: RwSignal<ValidationErrors>,
) -> impl IntoView + use<> {
    let questions = KeyQuestion::ALL
        .into_iter()
        .map(|question| {
            let prompts = kloe
                .prompts
                .iter()
                .enumerate()
                .filter(|(_, p)| p.question == question)
                .filter_map(|(n, p)| {
                    let (text, easy) = (format!("kloe.{n}.text"), format!("kloe.{n}.easy_read"));
                    Some(view! {
                        <div class="dsr-risk-question">
                            {setting_input(text.clone(), format!("Prompt: {}", p.title()), "Empty it to remove the prompt", signal_of(&text)?, errors, "")}
                            {setting_input(easy.clone(), "In easy read".to_string(), "At most 15 short words a sentence", signal_of(&easy)?, errors, "")}
                            <p class="dsr-cell-detail">{format!("{}. Source: {}", for_whom(p.children, p.inpatient), p.source)}</p>
                        </div>
                    })
                })
                .collect_view();
            view! { <h3>{question.text(KloeTemplate::AdultCommunity)}</h3>{prompts} }
        })
        .collect_view();
    let question_options: Vec<(String, &'static str, &'static str)> = KeyQuestion::ALL
        .into_iter()
        .map(|q| {
            (
                ids::policy_field(&format!("kloe.new.question.{}", q.name())),
                q.name(),
                q.text(KloeTemplate::AdultCommunity),
            )
        })
        .collect();
    let new_question = signal_of("kloe.new.question").map(|chosen| {
        let error = Signal::derive(move || errors.with(|e| e.message_for("kloe.new.question").map(str::to_owned)));
        crate::components::fields::radio_group(
            "policy-kloe-new-question",
            "Under the key question",
            question_options,
            chosen,
            error,
        )
    });
    let new_prompt = [
        ("kloe.new.text", "Add a prompt", "Leave empty to add none"),
        ("kloe.new.easy_read", "Its easy-read wording", ""),
    ]
    .into_iter()
    .filter_map(|(field, label, hint)| {
        signal_of(field).map(|v| setting_input(field.to_string(), label.to_string(), hint, v, errors, ""))
    })
    .collect_view();
    let papers = kloe
        .papers
        .iter()
        .enumerate()
        .filter_map(|(n, p)| {
            let field = format!("papers.{n}.name");
            let label = format!("Paper {} ({})", n + 1, for_whom(p.children, p.inpatient));
            Some(setting_input(field.clone(), label, "Empty it to remove the paper", signal_of(&field)?, errors, ""))
        })
        .collect_view();
    let new_paper = [
        ("papers.new.name", "Add a paper", "Leave empty to add none"),
        ("papers.new.for", "For which reviews", "all, community or hospital"),
    ]
    .into_iter()
    .filter_map(|(field, label, hint)| {
        signal_of(field).map(|v| setting_input(field.to_string(), label.to_string(), hint, v, errors, ""))
    })
    .collect_view();
    view! {
        <h2>{format!("Key lines of enquiry (now version {})", kloe.version)}</h2>
        <p class="nhsuk-body">"What the panel works through at a C(E)TR, under the four key questions. A changed set is saved as a new version: reviews already arranged keep the version they were arranged with."</p>
        {questions}
        <h3>"A new prompt"</h3>
        {new_question}
        {new_prompt}
        <h2>"Papers for the panel"</h2>
        {papers}
        {new_paper}
    }
}

#[component]
pub fn EditPolicyPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let coordinator = state.session.with_untracked(|s| s.user().is_some_and(|u| u.role == Role::Coordinator));
    let document = state.policy.get_untracked();
    let base_version = document.version;
    let form = PolicyForm::of(&document.policy);
    // One signal per setting, including each risk question, and one for a new question per band.
    let mut fields: Vec<(String, RwSignal<String>)> =
        form.0.iter().map(|(k, v)| (k.clone(), RwSignal::new(v.clone()))).collect();
    for (band, _) in BANDS {
        for part in ["question", "weight"] {
            fields.push((format!("risk.{}.new.{part}", band_field(band)), RwSignal::new(String::new())));
        }
    }
    for field in ["kloe.new.question", "kloe.new.text", "kloe.new.easy_read", "papers.new.name", "papers.new.for"] {
        fields.push((field.to_string(), RwSignal::new(String::new())));
    }
    let reason = RwSignal::new(String::new());
    fields.push(("reason".into(), reason));
    let signal_of = {
        let fields = fields.clone();
        move |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, s)| *s)
    };
    let draft = use_draft(format!("policy:{base_version}"), fields.clone());
    let errors = RwSignal::new(ValidationErrors::new());
    let saving = RwSignal::new(false);
    let online = move || state.sync.with(|s| s.connection == crate::state::Connection::Online);

    let on_submit = {
        let fields = fields.clone();
        let base = document.policy.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let form = PolicyForm(
                fields.iter().filter(|(n, _)| n != "reason").map(|(n, s)| (n.clone(), s.get_untracked())).collect(),
            );
            let policy = match form.apply(&base) {
                Ok(policy) => policy,
                Err(found) => return errors.set(found),
            };
            errors.set(ValidationErrors::new());
            let reason = reason.with_untracked(|r| (!r.trim().is_empty()).then(|| r.trim().to_string()));
            let navigate = navigate.clone();
            saving.set(true);
            spawn_local(async move {
                let outcome = api::change_policy(&PolicyUpdate { base_version, policy, reason }).await;
                saving.set(false);
                let mut problem = ValidationErrors::new();
                match outcome {
                    Ok(saved) => {
                        if let Err(error) = local_store::set_policy(&saved).await {
                            state.storage_problem.set(Some(error.to_string()));
                        }
                        draft.clear().await;
                        state.notice.set(Some(format!("The area's policy was saved as version {}. Everyone's devices follow it from their next sync.", saved.version)));
                        state.use_policy(saved).await;
                        navigate("/policy", Default::default());
                        return;
                    }
                    Err(ApiFailure::Refused(error)) if !error.fields.is_empty() => {
                        for f in error.fields {
                            problem.add(f.field, f.message);
                        }
                    }
                    Err(ApiFailure::Unreachable) => problem.add(
                        "reason",
                        "The server cannot be reached, so nothing was saved. Your changes are kept on this device as a draft: save again when you are connected.",
                    ),
                    Err(other) => problem.add("reason", other.to_string()),
                }
                errors.set(problem);
            });
        }
    };

    if !coordinator {
        return view! {
            <a class="nhsuk-back-link" href="/policy">"Back"</a>
            <h1>"Only a DSR coordinator can change the area's policy"</h1>
        }
        .into_any();
    }
    let sections = SECTIONS
        .iter()
        .map(|(heading, settings)| {
            let inputs = settings
                .iter()
                .filter_map(|s| {
                    signal_of(s.field).map(|value| {
                        setting_input(
                            s.field.to_string(),
                            s.label.to_string(),
                            s.hint,
                            value,
                            errors,
                            "nhsuk-u-width-two-thirds",
                        )
                    })
                })
                .collect_view();
            view! { <h2>{*heading}</h2>{inputs} }
        })
        .collect_view();
    let tools = BANDS
        .iter()
        .filter_map(|(band, label)| document.policy.risk_tool(*band).cloned().map(|tool| (tool, *label)))
        .map(|(tool, label)| {
            let b = band_field(tool.age_band);
            let threshold = |part: &str, text: &str| {
                let field = format!("risk.{b}.{part}");
                signal_of(&field)
                    .map(|value| setting_input(field, text.to_string(), "A score", value, errors, "nhsuk-input--width-4"))
            };
            let questions = tool
                .items
                .iter()
                .enumerate()
                .filter_map(|(n, _)| {
                    let (q, w) = (format!("risk.{b}.{n}.question"), format!("risk.{b}.{n}.weight"));
                    Some(view! {
                        <div class="dsr-risk-question">
                            {setting_input(q.clone(), format!("Question {}", n + 1), "Empty it to remove the question", signal_of(&q)?, errors, "")}
                            {setting_input(w.clone(), "Score for yes".to_string(), "", signal_of(&w)?, errors, "nhsuk-input--width-3")}
                        </div>
                    })
                })
                .collect_view();
            let (nq, nw) = (format!("risk.{b}.new.question"), format!("risk.{b}.new.weight"));
            view! {
                <h2>{format!("Risk checklist: {label} (now version {})", tool.version)}</h2>
                <p class="nhsuk-body">"A changed checklist is saved as a new version. Assessments already made keep the version they were made with."</p>
                {threshold("amber_from", "Amber from a score of")}
                {threshold("red_from", "Red from a score of")}
                {questions}
                <div class="dsr-risk-question">
                    {signal_of(&nq).map(|v| setting_input(nq.clone(), "Add a question".to_string(), "Leave empty to add none", v, errors, ""))}
                    {signal_of(&nw).map(|v| setting_input(nw.clone(), "Score for yes".to_string(), "", v, errors, "nhsuk-input--width-3"))}
                </div>
            }
        })
        .collect_view();
    let kloe = kloe_editor(document.policy.kloe_prompts(), &signal_of, errors);
    let reason_error = Signal::derive(move || errors.with(|e| e.message_for("reason").map(str::to_owned)));
    view! {
        <a class="nhsuk-back-link" href="/policy">"Back to the policy"</a>
        <span class="nhsuk-caption-l">{document.policy.area_name.clone()}</span>
        <h1>"Change the area's policy"</h1>
        <p class="nhsuk-body">{version_line(&document)}</p>
        <Show when=move || !online()>
            <div class="nhsuk-warning-callout" id=ids::POLICY_OFFLINE>
                <h3 class="nhsuk-warning-callout__label">"Not connected"</h3>
                <p>"The policy applies to everyone's devices, so it is saved on the server. Your changes are kept on this device as a draft until you can save them."</p>
            </div>
        </Show>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            {sections}
            {tools}
            {kloe}
            <h2>"Why"</h2>
            <crate::components::fields::TextAreaField id=ids::POLICY_REASON label="Why the policy is changing"
                hint="Kept in the audit trail with the change" value=reason error=reason_error rows=3/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_POLICY type="submit" disabled=move || saving.get()>"Save the policy"</button>
        </form>
    }
    .into_any()
}
