//! A review's report: one version for the family and everyone in the care network ("tell it once",
//! seed 000), built from the review, the young person's planner, the family's views, the panel's
//! findings under the four key questions, the recommendations and the action plan. Due two weeks after
//! the meeting (the policy's `report_within`). The app shows it as a printable page; this builds its
//! content, so every device and the tests agree on what it says.

use chrono::NaiveDate;

use crate::action::Action;
use crate::action::Recommendation;
use crate::calendar::long_date;
use crate::kloe::prompts::KloePrompts;
use crate::kloe::{FindingMark, KeyQuestion, KloeFinding, KloeTemplate};
use crate::person::Person;
use crate::planner::{FamilyQuestion, FamilyViews, Planner, PlannerQuestion};
use crate::policy::AreaPolicy;
use crate::review::Review;

/// The meeting's facts the easy-read report reads back: the day (or [`DATE_NOT_SET`]) and who took part.
pub const MEETING_DATE: &str = "Date";
pub const DATE_NOT_SET: &str = "Not set yet";
pub const WHO_TOOK_PART: &str = "Who took part";

/// Everything recorded for one review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFile {
    pub review: Review,
    /// Every planner record of the review this device holds: one since planners took the review's id,
    /// maybe more made before. Read them as one with [`ReviewFile::planner`].
    pub planners: Vec<Planner>,
    /// Likewise the family's views: read with [`ReviewFile::family_views`].
    pub family_views: Vec<FamilyViews>,
    pub findings: Vec<KloeFinding>,
    pub recommendations: Vec<Recommendation>,
    pub actions: Vec<Action>,
}

impl ReviewFile {
    /// The review's one planner (every planner record of it merged, nothing dropped).
    pub fn planner(&self) -> Option<Planner> {
        Planner::one_for(self.review.id, self.review.person_id, &self.planners)
    }

    /// The planner record as stored under the review's own id (what a save changes), if there is one.
    pub fn stored_planner(&self) -> Option<&Planner> {
        self.planners.iter().find(|p| p.id == Planner::id_for(self.review.id))
    }

    /// The review's one record of the family's views (every record of them merged, nothing dropped).
    pub fn family_views(&self) -> Option<FamilyViews> {
        FamilyViews::one_for(self.review.id, &self.family_views)
    }

    /// The family's views as stored under the review's own id (what a save changes), if there are.
    pub fn stored_family_views(&self) -> Option<&FamilyViews> {
        self.family_views.iter().find(|v| v.id == FamilyViews::id_for(self.review.id))
    }
}

/// A heading and what was said under it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Said {
    pub heading: String,
    pub words: Vec<String>,
}

/// One line of the action plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionLine {
    pub description: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub overdue: bool,
    pub family_disagreement: Option<String>,
}

/// What a report says, as it is frozen when it is shared: everything but what follows the day (when it
/// was due, whether late, how each action is getting on, who it went to). A later change to any of it
/// makes a new version, to be shared again.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportContent {
    /// "Care, Education and Treatment Review (CETR) for Alex Example".
    pub title: String,
    /// The meeting's facts: (what, value).
    pub meeting: Vec<(String, String)>,
    /// The young person's own words, question by question (as they gave them).
    pub young_person: Vec<Said>,
    /// The family's views: who gave them, and their words.
    pub family: Vec<Said>,
    /// The panel's findings under each of the four key questions, worded for this review, line of
    /// enquiry by line in the template's order.
    pub findings: Vec<QuestionFindings>,
    /// The recommendations, key question by key question (those from before SMART last).
    pub recommendations: Vec<RecommendationLine>,
    pub actions: Vec<AgreedAction>,
    /// Disagreements recorded by the young person, their advocate or family.
    pub disagreements: Vec<String>,
}

/// What the panel found under one key question.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuestionFindings {
    /// The key question as the review's template words it.
    pub heading: String,
    /// Findings on the whole question (as recorded before the lines of enquiry).
    #[serde(default)]
    pub words: Vec<String>,
    /// The lines of enquiry with something found, in the template's order.
    #[serde(default)]
    pub prompts: Vec<PromptFindings>,
    /// The lines of enquiry not looked into: each one's title, with why when the panel said.
    #[serde(default)]
    pub not_covered: Vec<String>,
}

impl QuestionFindings {
    /// Nothing was found under it.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.prompts.is_empty()
    }
}

/// What the panel found on one line of enquiry (by every member who recorded something).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PromptFindings {
    /// The prompt's title ("Restrictive practices").
    pub title: String,
    /// The prompt in easy read ("Has anyone held you or kept you apart from others? Why?").
    pub easy_read: String,
    pub found: Vec<Marked>,
}

/// A finding, a concern or good practice, in the panel's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marked {
    pub mark: FindingMark,
    pub words: String,
}

impl Marked {
    /// "Concern: ..." (a plain finding without a label).
    pub fn line(&self) -> String {
        match self.mark {
            FindingMark::Finding => self.words.clone(),
            mark => format!("{}: {}", mark.label(), self.words),
        }
    }
}

/// A recommendation as the report gives it: what, who, by when, how we will know, the key question and
/// lines of enquiry it answers, and the actions agreed for it. One from before SMART (or a report shared
/// then) has only its words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "RecommendationStored")]
pub struct RecommendationLine {
    pub what: String,
    /// The key question, as the template words it.
    pub question: Option<String>,
    pub responsible: Option<String>,
    pub by_when: Option<NaiveDate>,
    pub measure: Option<String>,
    /// The titles of the lines of enquiry it answers.
    pub prompts: Vec<String>,
    /// The actions agreed for it.
    pub actions: Vec<String>,
}

impl RecommendationLine {
    /// Only its words (a recommendation from before SMART).
    pub fn words(what: impl Into<String>) -> RecommendationLine {
        RecommendationLine {
            what: what.into(),
            question: None,
            responsible: None,
            by_when: None,
            measure: None,
            prompts: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// Its parts as lines: "Who is responsible: ...", "By when: ...", "How we will know: ...", "Answers:
    /// ...", "Actions: ...".
    pub fn details(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        out.extend(self.responsible.clone().map(|r| ("Who is responsible", r)));
        out.extend(self.by_when.map(|d| ("By when", long_date(d))));
        out.extend(self.measure.clone().map(|m| ("How we will know", m)));
        if !self.prompts.is_empty() {
            out.push(("Lines of enquiry", self.prompts.join(", ")));
        }
        if !self.actions.is_empty() {
            out.push(("Actions", self.actions.join("; ")));
        }
        out
    }
}

/// A recommendation as reports stored it: its words only (before SMART), or every part.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum RecommendationStored {
    Words(String),
    Full {
        what: String,
        #[serde(default)]
        question: Option<String>,
        #[serde(default)]
        responsible: Option<String>,
        #[serde(default)]
        by_when: Option<NaiveDate>,
        #[serde(default)]
        measure: Option<String>,
        #[serde(default)]
        prompts: Vec<String>,
        #[serde(default)]
        actions: Vec<String>,
    },
}

impl From<RecommendationStored> for RecommendationLine {
    fn from(stored: RecommendationStored) -> Self {
        match stored {
            RecommendationStored::Words(what) => RecommendationLine::words(what),
            RecommendationStored::Full { what, question, responsible, by_when, measure, prompts, actions } => {
                RecommendationLine { what, question, responsible, by_when, measure, prompts, actions }
            }
        }
    }
}

/// The panel's findings, key question by key question, from what each member recorded against the
/// review's lines of enquiry (`prompts`, `template`), in the template's order: each prompt's findings,
/// concerns and good practice; the prompts not covered (once the panel has used the prompts at all);
/// and findings on a whole question, as recorded before prompts.
pub fn findings(findings: &[KloeFinding], prompts: &KloePrompts, template: KloeTemplate) -> Vec<QuestionFindings> {
    let sorted = crate::kloe::in_reading_order(findings);
    let used_prompts = sorted.iter().any(|f| f.prompt.is_some());
    KeyQuestion::ALL
        .into_iter()
        .map(|question| {
            let mut out = QuestionFindings {
                heading: question.text(template).to_string(),
                words: Vec::new(),
                prompts: Vec::new(),
                not_covered: Vec::new(),
            };
            let under: Vec<&KloeFinding> = sorted.iter().copied().filter(|f| f.question == question).collect();
            let listed = prompts.for_question(template, question);
            for prompt in &listed {
                let on: Vec<&KloeFinding> =
                    under.iter().copied().filter(|f| f.prompt.as_deref() == Some(prompt.key.as_str())).collect();
                let found: Vec<Marked> = on
                    .iter()
                    .filter(|f| f.mark != FindingMark::NotCovered)
                    .filter_map(|f| f.finding.as_ref().map(|w| Marked { mark: f.mark, words: w.as_str().into() }))
                    .collect();
                if !found.is_empty() {
                    out.prompts.push(PromptFindings {
                        title: prompt.title().to_string(),
                        easy_read: prompt.easy_read.clone(),
                        found,
                    });
                } else if used_prompts {
                    let why: Vec<&str> = on.iter().filter_map(|f| f.finding.as_ref().map(|w| w.as_str())).collect();
                    out.not_covered.push(if why.is_empty() {
                        prompt.title().to_string()
                    } else {
                        format!("{} ({})", prompt.title(), why.join("; "))
                    });
                }
            }
            for finding in &under {
                let known = finding.prompt.as_deref().is_some_and(|k| listed.iter().any(|p| p.key == k));
                if known {
                    continue;
                }
                if let Some(words) = &finding.finding {
                    let line = Marked { mark: finding.mark, words: words.as_str().into() }.line();
                    out.words.push(match &finding.prompt {
                        Some(key) => format!("{key}: {line}"),
                        None => line,
                    });
                }
                out.words.extend(finding.concerns.as_ref().map(|c| format!("Concerns: {}", c.as_str())));
            }
            out
        })
        .collect()
}

/// The recommendations as the report lists them: key question by key question (in the four questions'
/// order, each in the order recorded), those from before SMART last; each with the titles of the lines
/// of enquiry it answers and the actions agreed for it.
pub fn recommendations(
    recommendations: &[Recommendation],
    actions: &[Action],
    prompts: &KloePrompts,
    template: KloeTemplate,
) -> Vec<RecommendationLine> {
    let mut sorted: Vec<&Recommendation> = recommendations.iter().collect();
    sorted.sort_by_key(|r| (r.question.map_or(KeyQuestion::ALL.len(), |q| q as usize), r.id));
    sorted
        .into_iter()
        .map(|r| {
            let mut agreed: Vec<&Action> = actions.iter().filter(|a| a.recommendation_id == Some(r.id)).collect();
            agreed.sort_by_key(|a| (a.due_on, a.id));
            RecommendationLine {
                what: r.text.as_str().to_string(),
                question: r.question.map(|q| q.text(template).to_string()),
                responsible: r.responsible.as_ref().map(|w| w.as_str().to_string()),
                by_when: r.by_when,
                measure: r.measure.as_ref().map(|m| m.as_str().to_string()),
                prompts: r
                    .prompts
                    .iter()
                    .map(|key| {
                        prompts.prompts.iter().find(|p| &p.key == key).map_or(key.clone(), |p| p.title().to_string())
                    })
                    .collect(),
                actions: agreed
                    .iter()
                    .map(|a| format!("{} ({}, by {})", a.description.as_str(), a.owner.as_str(), long_date(a.due_on)))
                    .collect(),
            }
        })
        .collect()
}

/// An action of the plan as the report agreed it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgreedAction {
    pub description: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

/// A report as it stands today: what it says, and what follows the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What it says (what sharing freezes).
    pub content: ReportContent,
    /// The action plan with how each action is getting on today.
    pub actions: Vec<ActionLine>,
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    /// "Sam Parent on 20 December 2026".
    pub shared: Vec<String>,
}

impl Report {
    /// The report for `file`, about `person`, under the area's `policy`, as it stands on `today`.
    pub fn of(file: &ReviewFile, person: &Person, policy: &AreaPolicy, today: NaiveDate) -> Report {
        let review = &file.review;
        let template = review.template(Some(person), policy, today);

        let mut meeting = vec![("Date of birth".to_string(), long_date(person.date_of_birth))];
        if let Some(number) = person.nhs_number {
            meeting.push(("NHS number".into(), number.to_string()));
        }
        meeting.extend([
            ("Kind of review".to_string(), review.kind.short_label().to_string()),
            (MEETING_DATE.to_string(), review.meeting_on.map(long_date).unwrap_or_else(|| DATE_NOT_SET.into())),
        ]);
        if let Some(place) = &review.place {
            meeting.push(("Place".into(), place.as_str().to_string()));
        }
        if let Some(format) = review.format {
            meeting.push(("How".into(), format.label().to_string()));
        }
        let panel = [
            ("Chair", &review.panel.chair),
            ("Clinical expert", &review.panel.clinical_expert),
            ("Expert by experience", &review.panel.expert_by_experience),
        ];
        for (role, name) in panel {
            if let Some(name) = name {
                meeting.push((role.to_string(), name.as_str().to_string()));
            }
        }
        let came: Vec<String> = review
            .attendees
            .iter()
            .filter(|a| a.attended != Some(false))
            .map(|a| format!("{} ({})", a.name.as_str(), a.role.as_str()))
            .collect();
        if !came.is_empty() {
            meeting.push((WHO_TOOK_PART.into(), came.join(", ")));
        }
        let apologies: Vec<String> = review
            .attendees
            .iter()
            .filter(|a| a.attended == Some(false))
            .map(|a| a.name.as_str().to_string())
            .collect();
        if !apologies.is_empty() {
            meeting.push(("Could not come".into(), apologies.join(", ")));
        }
        if review.was_held() {
            let feedback = if review.verbal_feedback_given { "Yes, at the end of the meeting" } else { "No" };
            meeting.push(("Verbal feedback given to the family".into(), feedback.into()));
        }

        let mut disagreements = Vec::new();
        let mut young_person = Vec::new();
        let families = &policy.families;
        if let Some(planner) = &file.planner() {
            for question in PlannerQuestion::ALL {
                if let Some(answer) = planner.answer(question) {
                    let heading = question.wording(families).into();
                    young_person.push(Said { heading, words: vec![answer.as_str().into()] });
                }
            }
            if let Some(take_part) = planner.take_part {
                young_person
                    .push(Said { heading: "How I want to take part".into(), words: vec![take_part.label().into()] });
            }
            if let Some(who) = &planner.who_with {
                young_person.push(Said { heading: "Who I want with me".into(), words: vec![who.as_str().into()] });
            }
            if let Some(needs) = &planner.communication_needs {
                young_person
                    .push(Said { heading: "How to communicate with me".into(), words: vec![needs.as_str().into()] });
            }
            disagreements.extend(planner.disagreements.iter().map(|d| {
                format!("{} (recorded by {} on {})", d.about.as_str(), d.recorded_by.as_str(), long_date(d.on))
            }));
        }
        let family = file
            .family_views()
            .iter()
            .map(|views| {
                let mut words: Vec<String> = FamilyQuestion::ALL
                    .into_iter()
                    .filter_map(|q| views.family_answer(q).map(|a| format!("{} {}", q.wording(families), a.as_str())))
                    .collect();
                // Answers families gave to the young person's questions, before they had their own.
                words.extend(
                    PlannerQuestion::ALL
                        .into_iter()
                        .filter_map(|q| views.answer(q).map(|a| format!("{} {}", q.wording(families), a.as_str()))),
                );
                words.extend(views.anything_else.as_ref().map(|t| t.as_str().to_string()));
                disagreements.extend(views.disagreements.iter().map(|d| {
                    format!("{} (recorded by {} on {})", d.about.as_str(), d.recorded_by.as_str(), long_date(d.on))
                }));
                Said { heading: format!("{} ({})", views.by.as_str(), views.relationship.as_str()), words }
            })
            .collect();
        let prompts = review.kloe(policy);
        let findings = findings(&file.findings, prompts, template);
        let mut actions: Vec<&Action> = file.actions.iter().collect();
        actions.sort_by_key(|a| (a.due_on, a.id));
        let actions: Vec<ActionLine> = actions
            .into_iter()
            .map(|a| {
                if let Some(d) = &a.family_disagreement {
                    disagreements.push(format!(
                        "With the action \"{}\": {} (recorded by {} on {})",
                        a.description.as_str(),
                        d.about.as_str(),
                        d.recorded_by.as_str(),
                        long_date(d.on)
                    ));
                }
                ActionLine {
                    description: a.description.as_str().to_string(),
                    owner: a.owner.as_str().to_string(),
                    due_on: a.due_on,
                    status: a.status.label().to_string(),
                    overdue: a.is_overdue(today),
                    family_disagreement: a.family_disagreement.as_ref().map(|d| d.about.as_str().to_string()),
                }
            })
            .collect();
        let agreed = actions
            .iter()
            .map(|a| AgreedAction { description: a.description.clone(), owner: a.owner.clone(), due_on: a.due_on })
            .collect();
        let content = ReportContent {
            title: format!("{} for {}", review.name.full(), person.full_name()),
            meeting,
            young_person,
            family,
            findings,
            recommendations: recommendations(&file.recommendations, &file.actions, prompts, template),
            actions: agreed,
            disagreements,
        };
        Report {
            content,
            actions,
            due_on: review.report_due(policy),
            overdue: review.report_overdue(policy, today),
            shared: review.report_shared.iter().map(|s| format!("{} on {}", s.to.as_str(), long_date(s.on))).collect(),
        }
    }

    /// The whole report as plain text, in reading order (what a PDF of the page must say).
    pub fn plain_text(&self) -> String {
        let c = &self.content;
        let mut out = vec![c.title.clone()];
        out.extend(c.meeting.iter().map(|(k, v)| format!("{k}: {v}")));
        for said in c.young_person.iter().chain(&c.family) {
            out.push(said.heading.clone());
            out.extend(said.words.iter().cloned());
        }
        for question in &c.findings {
            out.push(question.heading.clone());
            for prompt in &question.prompts {
                out.push(prompt.title.clone());
                out.extend(prompt.found.iter().map(Marked::line));
            }
            out.extend(question.words.iter().cloned());
            if !question.not_covered.is_empty() {
                out.push(format!("Not covered: {}", question.not_covered.join(", ")));
            }
        }
        for r in &c.recommendations {
            out.push(r.what.clone());
            out.extend(r.details().into_iter().map(|(k, v)| format!("{k}: {v}")));
        }
        out.extend(c.actions.iter().map(|a| format!("{} {} {}", a.description, a.owner, long_date(a.due_on))));
        out.extend(c.disagreements.iter().cloned());
        out.join("\n")
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::action::ActionStatus;
    use crate::planner::{Disagreement, TakePart};
    use crate::review::tests::review;
    use crate::review::{Attendee, ReportShare, ReviewKind, ReviewStatus};
    use crate::test_support::{day, long, short};
    use crate::{ActionId, FamilyViewsId, KloeFindingId, PlannerId, RecommendationId};

    fn person(born: NaiveDate) -> Person {
        let form = crate::PersonForm {
            given_name: "Alex".into(),
            family_name: "Example".into(),
            dob_day: born.format("%-d").to_string(),
            dob_month: born.format("%-m").to_string(),
            dob_year: born.format("%Y").to_string(),
            nhs_number: String::new(),
        };
        form.validate(crate::PersonId::from_time_and_random(1, [3; 10]), day(2026, 12, 1))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn file() -> ReviewFile {
        let mut r = review(ReviewKind::Community, ReviewStatus::Held, Some(day(2026, 12, 10)));
        r.attendees = vec![
            Attendee { name: short("Sam Parent"), role: short("Mother"), attended: Some(true) },
            Attendee { name: short("Dr Far"), role: short("Psychiatrist"), attended: Some(false) },
        ];
        r.verbal_feedback_given = true;
        let mut planner = Planner::new(PlannerId::from_time_and_random(1, [5; 10]), r.id, r.person_id);
        planner.are_you_safe = Some(long("I feel safe with Mum"));
        planner.take_part = Some(TakePart::Video);
        planner.who_with = Some(long("Mum and Jo"));
        planner.disagreements = vec![Disagreement {
            about: long("I do not want to move to a new school"),
            recorded_by: short("Jo Advocate"),
            on: day(2026, 12, 1),
        }];
        let mut views = FamilyViews::new(
            FamilyViewsId::from_time_and_random(1, [6; 10]),
            r.id,
            r.person_id,
            short("Sam Parent"),
            short("Mother"),
        );
        views.anything_else = Some(long("We need respite at weekends"));
        let finding = KloeFinding {
            id: KloeFindingId::from_time_and_random(1, [7; 10]),
            review_id: r.id,
            person_id: r.person_id,
            question: KeyQuestion::PlansForTheFuture,
            prompt: None,
            mark: FindingMark::Finding,
            finding: Some(long("No school place since September")),
            concerns: Some(long("Transition to college not planned")),
            by: None,
        };
        let recommendation = Recommendation {
            id: RecommendationId::from_time_and_random(1, [8; 10]),
            review_id: r.id,
            person_id: r.person_id,
            text: long("Find a school place"),
            responsible: None,
            by_when: None,
            measure: None,
            question: None,
            prompts: Vec::new(),
        };
        let mut action = crate::action::tests::action(day(2026, 12, 20));
        action.id = ActionId::from_time_and_random(1, [9; 10]);
        action.family_disagreement =
            Some(Disagreement { about: long("Too slow"), recorded_by: short("Sam Parent"), on: day(2026, 12, 11) });
        ReviewFile {
            review: r,
            planners: vec![planner],
            family_views: vec![views],
            findings: vec![finding],
            recommendations: vec![recommendation],
            actions: vec![action],
        }
    }

    #[test]
    fn the_report_tells_it_once_from_everything_recorded() {
        let policy = AreaPolicy::default();
        let report = Report::of(&file(), &person(day(2012, 1, 1)), &policy, day(2026, 12, 21));
        assert!(
            report.content.title.starts_with("Care, Education and Treatment Review (CETR) for "),
            "{}",
            report.content.title
        );
        let text = report.plain_text();
        for expected in [
            "Date of birth: 1 January 2012",
            "Who took part: Sam Parent (Mother)",
            "Could not come: Dr Far",
            "Verbal feedback given to the family: Yes",
            "Are you safe?\nI feel safe with Mum",
            "I want to join by video",
            "Sam Parent (Mother)\nWe need respite at weekends",
            "What are the plans for the future, including education?\nNo school place since September\nConcerns: Transition",
            "Find a school place",
            "I do not want to move to a new school (recorded by Jo Advocate on 1 December 2026)",
            "With the action \"Request an EHC needs assessment\": Too slow",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from\n{text}");
        }
        assert_eq!(report.content.findings.len(), 4, "every key question has its heading, found or not");
        assert!(report.actions[0].overdue);
        assert_eq!(report.actions[0].status, ActionStatus::Open.label());
        assert_eq!(report.due_on, Some(day(2026, 12, 24)));
        assert!(!report.overdue);
        assert!(Report::of(&file(), &person(day(2012, 1, 1)), &policy, day(2026, 12, 28)).overdue);
    }

    /// What `by` recorded on `prompt` of the file's review.
    fn on_prompt(file: &ReviewFile, prompt: &str, mark: FindingMark, words: Option<&str>, by: &str) -> KloeFinding {
        let prompts = KloePrompts::default_set();
        let question = prompts.prompts.iter().find(|p| p.key == prompt).map(|p| p.question);
        KloeFinding {
            id: KloeFinding::id_for(
                file.review.id,
                prompt,
                crate::UserId::from_time_and_random(1, [by.len() as u8; 10]),
            ),
            review_id: file.review.id,
            person_id: file.review.person_id,
            question: question.unwrap_or_else(|| panic!("no prompt {prompt}")),
            prompt: Some(prompt.into()),
            mark,
            finding: words.map(long),
            concerns: None,
            by: Some(short(by)),
        }
    }

    #[test]
    fn the_findings_come_line_by_line_from_each_members_record_in_the_templates_order() {
        let policy = AreaPolicy::default();
        let mut f = file();
        f.findings.extend([
            on_prompt(
                &f,
                "medication",
                FindingMark::Concern,
                Some("Three antipsychotics, not reviewed"),
                "Kim Clinical",
            ),
            on_prompt(
                &f,
                "safeguarding",
                FindingMark::Finding,
                Some("No safeguarding referrals this year"),
                "Jo Chair",
            ),
            on_prompt(&f, "medication", FindingMark::Finding, Some("GP aware; STOMP review booked"), "Jo Chair"),
            on_prompt(&f, "family", FindingMark::GoodPractice, Some("Mum at every planning meeting"), "Ali Expert"),
            on_prompt(&f, "risk", FindingMark::NotCovered, Some("risk assessment not sent"), "Jo Chair"),
            on_prompt(&f, "physical_health", FindingMark::NotCovered, None, "Jo Chair"),
        ]);
        let report = Report::of(&f, &person(day(2012, 1, 1)), &policy, day(2026, 12, 21));
        let safe = &report.content.findings[0];
        assert_eq!(safe.heading, "Is the person safe?");
        let titles: Vec<&str> = safe.prompts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["Safeguarding", "Medication"], "the template's order, not the order recorded");
        assert_eq!(
            safe.prompts[1].found.iter().map(Marked::line).collect::<Vec<_>>(),
            ["GP aware; STOMP review booked", "Concern: Three antipsychotics, not reviewed"],
            "members in name order"
        );
        assert_eq!(safe.prompts[1].easy_read, "What medicine do you take? Has a doctor checked it lately?");
        assert_eq!(
            safe.not_covered,
            ["Restrictive practices", "Physical health", "Risk (risk assessment not sent)"],
            "prompts with nothing found, and those marked not covered with why"
        );
        assert_eq!(
            report.content.findings[1].prompts[0].found[0].line(),
            "Good practice: Mum at every planning meeting"
        );
        let plans = &report.content.findings[2];
        assert_eq!(plans.words, ["No school place since September", "Concerns: Transition to college not planned"]);
        let text = report.plain_text();
        assert!(
            text.contains("Is the person safe?\nSafeguarding\nNo safeguarding referrals this year\nMedication"),
            "{text}"
        );
    }

    #[test]
    fn recommendations_are_listed_by_key_question_with_their_parts_and_actions() {
        let policy = AreaPolicy::default();
        let mut f = file();
        let smart = |seed: u8, question: KeyQuestion, what: &str, prompts: &[&str]| Recommendation {
            id: RecommendationId::from_time_and_random(2, [seed; 10]),
            review_id: f.review.id,
            person_id: f.review.person_id,
            text: long(what),
            responsible: Some(short("GP")),
            by_when: Some(day(2027, 1, 31)),
            measure: Some(long("The review is in the GP record")),
            question: Some(question),
            prompts: prompts.iter().map(|p| p.to_string()).collect(),
        };
        let medication = smart(1, KeyQuestion::IsThePersonSafe, "STOMP medication review", &["medication"]);
        f.recommendations.push(smart(2, KeyQuestion::CareInTheCommunity, "Crisis plan shared", &["crisis_plan"]));
        f.recommendations.push(medication.clone());
        f.actions[0].recommendation_id = Some(medication.id);
        let report = Report::of(&f, &person(day(2012, 1, 1)), &policy, day(2026, 12, 21));
        let lines = &report.content.recommendations;
        let order: Vec<&str> = lines.iter().map(|r| r.what.as_str()).collect();
        assert_eq!(order, ["STOMP medication review", "Crisis plan shared", "Find a school place"]);
        assert_eq!(lines[0].question.as_deref(), Some("Is the person safe?"));
        assert_eq!(lines[0].prompts, ["Medication"]);
        assert_eq!(lines[0].actions, ["Request an EHC needs assessment (School SENCo, by 20 December 2026)"]);
        assert_eq!(lines[2].question, None, "one from before SMART comes last, with its words only");
        let text = report.plain_text();
        let expected = "STOMP medication review\nWho is responsible: GP\nBy when: 31 January 2027\nHow we will know: The review is in the GP record\nLines of enquiry: Medication";
        assert!(text.contains(expected), "{expected:?} missing from\n{text}");
    }

    #[test]
    fn a_report_shared_before_the_lines_of_enquiry_reads_back_as_it_was() {
        let stored = serde_json::json!({
            "title": "CETR for Alex Example",
            "meeting": [["Date", "10 December 2026"]],
            "young_person": [],
            "family": [],
            "findings": [{"heading": "Is the person safe?", "words": ["Safe at home"]}],
            "recommendations": ["Find a school place"],
            "actions": [],
            "disagreements": []
        });
        let content: ReportContent = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(content.findings[0].words, ["Safe at home"]);
        assert!(content.findings[0].prompts.is_empty());
        assert_eq!(content.recommendations, [RecommendationLine::words("Find a school place")]);
        // And what it is written as now reads back the same.
        let json = serde_json::to_value(&content).unwrap_or_default();
        assert_eq!(serde_json::from_value::<ReportContent>(json).ok(), Some(content));
    }

    #[test]
    fn adults_in_hospital_get_the_adult_inpatient_wording_and_sharing_is_listed() {
        let policy = AreaPolicy::default();
        let mut f = file();
        f.review.kind = ReviewKind::Inpatient;
        f.review.status = ReviewStatus::ReportShared;
        f.review.report_shared.push(ReportShare { to: short("Sam Parent"), on: day(2026, 12, 20) });
        let report = Report::of(&f, &person(day(1990, 1, 1)), &policy, day(2026, 12, 28));
        assert!(report.content.title.contains("for "));
        assert!(report.content.findings[3].heading.contains("discharge"), "{:?}", report.content.findings[3]);
        assert!(!report.content.findings[2].heading.contains("education"));
        assert_eq!(report.shared, ["Sam Parent on 20 December 2026"]);
        assert!(!report.overdue);
    }

    #[test]
    fn a_shared_report_never_changes_and_a_later_change_is_a_new_version() {
        use crate::review::ShareHow;
        let policy = AreaPolicy::default();
        let person = person(day(2012, 1, 1));
        let mut file = file();
        let first = Report::of(&file, &person, &policy, day(2026, 12, 11)).content;
        assert_eq!(file.review.share_report(first.clone(), short("Sam Parent"), ShareHow::Email, day(2026, 12, 11)), 1);
        // Days passing, an action done: what the report says is the same, and so is its version.
        file.actions[0].status = ActionStatus::Done;
        let later = Report::of(&file, &person, &policy, day(2026, 12, 30)).content;
        assert!(!file.review.report_changed_since_shared(&later));
        assert_eq!(file.review.share_report(later, short("Riley School"), ShareHow::Post, day(2026, 12, 30)), 1);
        // A recommendation changed after it was shared: a new version, the first kept as it was.
        file.recommendations[0].text = long("Find a school place with autism-informed support");
        let changed = Report::of(&file, &person, &policy, day(2027, 1, 5)).content;
        assert!(file.review.report_changed_since_shared(&changed));
        assert_eq!(file.review.share_report(changed, short("Sam Parent"), ShareHow::InPerson, day(2027, 1, 5)), 2);
        let versions = &file.review.report_versions;
        assert_eq!(versions[0].content, first);
        assert_eq!(versions[0].content.recommendations, vec![RecommendationLine::words("Find a school place")]);
        assert_eq!(versions[0].shared.len(), 2);
        assert!(versions[1].summary().starts_with("Version 2, shared with Sam Parent in person on 5 January 2027"));
        assert_eq!((file.review.status, file.review.report_shared.len()), (ReviewStatus::ReportShared, 3));
        // Kept in the review's record and read back the same.
        let json = serde_json::to_value(&file.review).unwrap_or_default();
        let back: crate::review::Review = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.report_versions, file.review.report_versions);
    }
}
