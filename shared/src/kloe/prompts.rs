//! The key lines of enquiry proper: the prompts the panel works through under each of the four key
//! questions, as data an area versions (like its risk tool), with an easy-read wording for each, and
//! which of the four templates (child or adult, community or inpatient) each belongs to. The default
//! set is written from the public NHS England material (see [`KloePrompts::default_set`] and each
//! prompt's `source`); an area edits it as a new version, and a version once used never changes.
//!
//! The area's policy keeps every version (`AreaPolicy::kloe`, `revise`, `kloe_version`), edited on the
//! policy page (`PolicyForm`); a review records the version it was arranged with (`Review::kloe_version`,
//! read by `Review::kloe`). A version also holds the papers checklist ([`super::papers`]). The panel records
//! against the prompts on the meeting page (`KloeFinding`, one record per prompt and member); the report's
//! findings are built from those records (`report::findings`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::papers::{Paper, PaperReceived};
use super::{KeyQuestion, KloeTemplate};
use crate::ValidationErrors;

/// NHS England, "Care (Education) and Treatment Review: key lines of enquiry" (four templates, each
/// with an easy-read version, updated May 2023), used with the "Dynamic support register and Care
/// (Education) and Treatment Review policy" (section 16.5, how the review is conducted).
pub const SOURCE_KLOE: &str = "NHS England C(E)TR key lines of enquiry templates (May 2023)";
/// NHS England, "Care (Education) and Treatment Review document checklist - inpatient" (PRN00117).
pub const SOURCE_INPATIENT_CHECKLIST: &str = "NHS England C(E)TR document checklist, inpatient (PRN00117)";
/// The public pages this product is built from (seed 000, 001: the four questions; education for children).
pub const SOURCE_SEEDS: &str = "Seeds 000 and 001 (the four key questions; plans include education)";

/// A prompt of the default set: key, question, text, easy read, children, inpatient, source.
type DefaultRow = (&'static str, KeyQuestion, &'static str, &'static str, Option<bool>, Option<bool>, &'static str);

/// One line of enquiry: what the panel looks into under a key question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KloePrompt {
    /// Stable key (`restrictive_practice`): what a finding refers to. Lower-case letters, digits, `_`.
    pub key: String,
    pub question: KeyQuestion,
    /// What the panel looks into, in the panel's words.
    pub text: String,
    /// The same for the young person and family, in easy read.
    pub easy_read: String,
    /// `Some(true)`: children and young people only; `Some(false)`: adults only; `None`: both.
    #[serde(default)]
    pub children: Option<bool>,
    /// `Some(true)`: in hospital only; `Some(false)`: in the community only; `None`: both.
    #[serde(default)]
    pub inpatient: Option<bool>,
    /// Where it comes from (for the default set) or who added it (an area's own).
    #[serde(default)]
    pub source: String,
}

impl KloePrompt {
    /// Its title: the words before the first colon ("Restrictive practices"), or all of it.
    pub fn title(&self) -> &str {
        match self.text.split_once(':') {
            Some((title, _)) if title.len() <= 60 => title.trim(),
            _ => self.text.trim(),
        }
    }

    /// Whether it is one of `template`'s prompts.
    pub fn belongs_to(&self, template: KloeTemplate) -> bool {
        self.children.is_none_or(|c| c == template.child()) && self.inpatient.is_none_or(|i| i == template.inpatient())
    }
}

/// One version of an area's key lines of enquiry: every template's prompts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KloePrompts {
    /// From 1; a version used by a review never changes (an edit is the next version).
    pub version: u32,
    pub prompts: Vec<KloePrompt>,
    /// The papers the panel reads, per kind of review (a set stored before papers has the default).
    #[serde(default = "super::papers::default_papers")]
    pub papers: Vec<Paper>,
}

/// How much of a key question the panel has covered: prompts with something recorded, of all, and
/// those with nothing yet (in the template's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage<'a> {
    pub question: KeyQuestion,
    pub covered: usize,
    pub total: usize,
    pub uncovered: Vec<&'a KloePrompt>,
}

impl KloePrompts {
    /// The prompts of `template` under `question`, in order.
    pub fn for_question(&self, template: KloeTemplate, question: KeyQuestion) -> Vec<&KloePrompt> {
        self.prompts.iter().filter(|p| p.question == question && p.belongs_to(template)).collect()
    }

    /// The prompts of `template`, question by question (in the four questions' order).
    pub fn for_template(&self, template: KloeTemplate) -> Vec<&KloePrompt> {
        KeyQuestion::ALL.into_iter().flat_map(|q| self.for_question(template, q)).collect()
    }

    /// Per key question, how many of `template`'s prompts have something recorded (`recorded`: the
    /// keys of prompts with a finding, a concern, good practice or "not covered" said on purpose).
    pub fn coverage(&self, template: KloeTemplate, recorded: &BTreeSet<&str>) -> Vec<Coverage<'_>> {
        KeyQuestion::ALL
            .into_iter()
            .map(|question| {
                let prompts = self.for_question(template, question);
                let total = prompts.len();
                let uncovered: Vec<&KloePrompt> =
                    prompts.into_iter().filter(|p| !recorded.contains(p.key.as_str())).collect();
                Coverage { question, covered: total - uncovered.len(), total, uncovered }
            })
            .collect()
    }

    /// How many of the papers `template`'s checklist expects have come, by what `recorded` says:
    /// (received, expected).
    pub fn papers_received(&self, template: KloeTemplate, recorded: &[PaperReceived]) -> (usize, usize) {
        super::papers::received_count(&super::papers::checklist(&self.papers, template, recorded))
    }

    /// The next of `template`'s prompts with nothing recorded, after `after` (a prompt's key) and
    /// round to the start; `None` when every one has something.
    pub fn next_uncovered(
        &self,
        template: KloeTemplate,
        recorded: &BTreeSet<&str>,
        after: Option<&str>,
    ) -> Option<&KloePrompt> {
        let all = self.for_template(template);
        let start = after.and_then(|key| all.iter().position(|p| p.key == key)).map_or(0, |i| i + 1);
        all.iter().cycle().skip(start).take(all.len()).find(|p| !recorded.contains(p.key.as_str())).copied()
    }

    /// The next version, holding `prompts` (an area's edit): this version stays as it was.
    pub fn revised(&self, prompts: Vec<KloePrompt>) -> KloePrompts {
        KloePrompts { version: self.version + 1, prompts, papers: self.papers.clone() }
    }

    /// A set the panel can work from: keys well formed and unique, every prompt worded (the easy-read
    /// wording in easy read), and every template has at least one prompt under every key question.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.version == 0, "version", "The version starts at 1");
        let mut keys = BTreeSet::new();
        for prompt in &self.prompts {
            let key = prompt.key.as_str();
            errors.require(
                !super::is_key(key),
                "prompts",
                &format!("'{key}' is not a key: use lower-case letters, digits and _"),
            );
            errors.require(!keys.insert(key), "prompts", &format!("The key '{key}' is used twice"));
            errors.require(prompt.text.trim().is_empty(), "prompts", &format!("Say what '{key}' looks into"));
            errors.require(
                prompt.easy_read.trim().is_empty(),
                "prompts",
                &format!("Give '{key}' an easy-read wording for the young person and family"),
            );
            if let Some(problem) = crate::easy_read::not_easy_read(&prompt.easy_read) {
                errors.add("prompts", format!("The easy-read wording of '{key}': {problem}"));
            }
        }
        let mut paper_keys = BTreeSet::new();
        for paper in &self.papers {
            let key = paper.key.as_str();
            errors.require(
                !super::is_key(key),
                "papers",
                &format!("'{key}' is not a key: use lower-case letters, digits and _"),
            );
            errors.require(!paper_keys.insert(key), "papers", &format!("The paper '{key}' is listed twice"));
            errors.require(paper.name.trim().is_empty(), "papers", &format!("Name the paper '{key}'"));
        }
        for template in KloeTemplate::ALL {
            for question in KeyQuestion::ALL {
                errors.require(
                    self.for_question(template, question).is_empty(),
                    "prompts",
                    &format!("{} has no prompt under \"{}\"", template.label(), question.text(template)),
                );
            }
        }
        errors.into_result()
    }

    /// The default set, version 1, written from the NHS England templates and checklists (each
    /// prompt's `source`), in our own words.
    pub fn default_set() -> KloePrompts {
        use KeyQuestion::{
            CareInTheCommunity as Community, GoodCareNow as Care, IsThePersonSafe as Safe, PlansForTheFuture as Plans,
        };
        // (key, question, text, easy read, children, inpatient, source)
        let rows: [DefaultRow; 27] = [
            (
                "safeguarding",
                Safe,
                "Safeguarding: any concerns or referrals since the last review, what was done, and whether the person is safe from abuse and neglect now",
                "Has anyone been worried about your safety? What happened?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "restrictive_practice",
                Safe,
                "Restrictive practices: restraint, seclusion, segregation or other restrictions used, how often and why, whether each was recorded and reviewed, and the plan to reduce them",
                "Has anyone held you or kept you apart from others? Why?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "medication",
                Safe,
                "Medication: what is prescribed (psychotropic medication especially), why, when it was last reviewed, and whether it follows STOMP and STAMP",
                "What medicine do you take? Has a doctor checked it lately?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "physical_health",
                Safe,
                "Physical health: annual health check, health action plan, dental, sight and hearing checks, and any health need not being met",
                "How is your health? Have you seen a doctor, dentist and optician?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "risk",
                Safe,
                "Risk: the current risk assessment, what leads to distress, and how risks to the person and others are managed in the least restrictive way",
                "What makes things hard or unsafe? What helps you stay safe?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "environment",
                Safe,
                "The ward: noise, space, sensory needs, other patients, and whether it suits the person",
                "Is the ward too noisy or busy for you?",
                None,
                Some(true),
                SOURCE_KLOE,
            ),
            (
                "care_plan",
                Care,
                "Care plan: person-centred, written with the person and family, known and followed by staff",
                "Do you have a plan about your care? Did you help write it?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "communication",
                Care,
                "Communication: needs known and met (communication passport, easy read, time to answer, interpreters)",
                "Do people talk with you in a way you understand?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "behaviour_support",
                Care,
                "Positive behaviour support: a plan based on an assessment of why distress happens, used by everyone who supports the person",
                "Do the people who help you know what helps when you are upset?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "adjustments",
                Care,
                "Reasonable adjustments for autism and learning disability: sensory needs, routine, predictability, staff who know the person",
                "Do people change things so they work better for you?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "family",
                Care,
                "The family: involved and listened to, with carers' own needs assessed and supported",
                "Does your family get a say? Do they get help too?",
                None,
                None,
                SOURCE_SEEDS,
            ),
            (
                "rights",
                Care,
                "Advocacy and rights: rights under the Mental Health Act and Mental Capacity Act explained and upheld (capacity, best interests, tribunals)",
                "Do you have someone to help you speak up? Do you know your rights?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "daily_life",
                Care,
                "Daily life: meaningful things to do each day, time outside, and contact with friends and family",
                "What do you do each day? Do you see your friends and family?",
                None,
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "treatment",
                Care,
                "Assessment and treatment in hospital: what it is for, its goals, and whether it is working towards discharge",
                "Is the help in hospital making things better?",
                None,
                Some(true),
                SOURCE_KLOE,
            ),
            (
                "education",
                Plans,
                "Education: a school or college place that meets the need, attendance, and an education, health and care plan that is up to date",
                "Do you go to school or college? Is it right for you?",
                Some(true),
                None,
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "transition",
                Plans,
                "Moving to adult services: a plan started early (from 14), who leads it, and what will change at 18",
                "What will happen when you become an adult?",
                Some(true),
                None,
                SOURCE_KLOE,
            ),
            (
                "good_life",
                Plans,
                "What a good life looks like for the person: their hopes, where and with whom they want to live, and what they want to do",
                "What do you want your life to be like?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "housing",
                Plans,
                "Housing: where the person will live, and what is being done to find or adapt a home",
                "Where do you want to live?",
                Some(false),
                None,
                SOURCE_KLOE,
            ),
            (
                "work_and_days",
                Plans,
                "Work and days: work, volunteering, college or day opportunities the person wants",
                "Would you like a job, college or something to do in the day?",
                Some(false),
                None,
                SOURCE_KLOE,
            ),
            (
                "keyworker",
                Plans,
                "Keyworker: a named keyworker or care coordinator who knows the person and holds the plan",
                "Who is the person who helps plan your support?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "community_support",
                Community,
                "Support in the community: what is needed at home or in the community to stay out of hospital, and whether it is in place and working",
                "What help do you need to live at home?",
                None,
                Some(false),
                SOURCE_KLOE,
            ),
            (
                "alternatives",
                Community,
                "Whether admission can be avoided: the alternatives to hospital (intensive support, crisis beds, short breaks)",
                "What would help you not go to hospital?",
                None,
                Some(false),
                SOURCE_KLOE,
            ),
            (
                "crisis_plan",
                Community,
                "A crisis plan: what happens when things get worse, and who to call, day and night",
                "What happens if things go wrong? Who can help, day and night?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "funding",
                Community,
                "Commissioning and funding: who commissions the support, any gaps, personal budgets, section 117 aftercare",
                "Who pays for your support? Is there enough?",
                None,
                None,
                SOURCE_KLOE,
            ),
            (
                "family_support",
                Community,
                "Support for the family: short breaks and help to keep caring",
                "Does your family get a break? Do they get help?",
                Some(true),
                None,
                SOURCE_KLOE,
            ),
            (
                "discharge",
                Community,
                "Discharge: a planned date, what is needed for it, what stands in the way, and who is acting on it",
                "When can you leave hospital? What needs to happen first?",
                None,
                Some(true),
                SOURCE_INPATIENT_CHECKLIST,
            ),
            (
                "discharge_home",
                Community,
                "Where the person goes after discharge: the community service specification, the provider and the home",
                "Where will you live when you leave hospital?",
                None,
                Some(true),
                SOURCE_INPATIENT_CHECKLIST,
            ),
        ];
        let prompts = rows
            .into_iter()
            .map(|(key, question, text, easy_read, children, inpatient, source)| KloePrompt {
                key: key.into(),
                question,
                text: text.into(),
                easy_read: easy_read.into(),
                children,
                inpatient,
                source: source.into(),
            })
            .collect();
        KloePrompts { version: 1, prompts, papers: super::papers::default_papers() }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn the_default_set_is_valid_with_prompts_for_every_template_and_question_and_says_its_sources() {
        let set = KloePrompts::default_set();
        assert_eq!(set.validate(), Ok(()));
        assert!(set.prompts.iter().all(|p| !p.source.is_empty()));
        // Safety covers safeguarding, restrictive practices, medication and physical health everywhere.
        for template in KloeTemplate::ALL {
            let safe: Vec<&str> =
                set.for_question(template, KeyQuestion::IsThePersonSafe).iter().map(|p| p.key.as_str()).collect();
            for key in ["safeguarding", "restrictive_practice", "medication", "physical_health"] {
                assert!(safe.contains(&key), "{template:?}: {safe:?}");
            }
        }
        let keys = |t: KloeTemplate| -> Vec<&str> { set.for_template(t).iter().map(|p| p.key.as_str()).collect() };
        // Education and transition for children; housing and work for adults; discharge in hospital.
        assert!(keys(KloeTemplate::ChildCommunity).contains(&"education"));
        assert!(!keys(KloeTemplate::AdultCommunity).contains(&"education"));
        assert!(keys(KloeTemplate::AdultInpatient).contains(&"housing"));
        assert!(keys(KloeTemplate::ChildInpatient).contains(&"discharge"));
        assert!(!keys(KloeTemplate::ChildCommunity).contains(&"discharge"));
        assert!(keys(KloeTemplate::AdultCommunity).contains(&"alternatives"));
        assert!(!keys(KloeTemplate::AdultInpatient).contains(&"alternatives"));
    }

    #[test]
    fn every_default_prompt_has_a_short_title_for_the_report() {
        for prompt in KloePrompts::default_set().prompts {
            let title = prompt.title();
            assert!(title != prompt.text && title.len() <= 60, "{}: no short title in {:?}", prompt.key, prompt.text);
        }
        let own = KloePrompt { text: "Travel training".into(), ..KloePrompts::default_set().prompts[0].clone() };
        assert_eq!(own.title(), "Travel training", "an area's prompt with no colon is its own title");
    }

    #[test]
    fn an_unusable_set_is_refused_with_what_to_fix() {
        let mut set = KloePrompts::default_set();
        set.prompts.retain(|p| p.question != KeyQuestion::PlansForTheFuture || p.children != Some(true));
        set.prompts.push(KloePrompt { key: "Bad Key".into(), ..set.prompts[0].clone() });
        set.prompts.push(set.prompts[1].clone());
        set.prompts[2].easy_read = "What medicine (tablets) do you take".into();
        let errors = set.validate().err().unwrap_or_default();
        let messages: Vec<&str> = errors.fields().iter().map(|e| e.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("'Bad Key' is not a key")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("'restrictive_practice' is used twice")), "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("easy-read wording of 'medication'")), "{messages:?}");
        // Children's templates lost education and transition but keep "a good life" and the keyworker;
        // take those too and the children's templates have nothing under plans.
        set.prompts.retain(|p| p.question != KeyQuestion::PlansForTheFuture);
        let errors = set.validate().err().unwrap_or_default();
        assert!(errors.fields().iter().any(|e| {
            e.message.contains("has no prompt under \"What are the plans for the future, including education?\"")
        }));
    }

    #[test]
    fn coverage_counts_prompts_with_something_recorded_and_finds_the_next_uncovered() {
        let set = KloePrompts::default_set();
        let template = KloeTemplate::ChildCommunity;
        let recorded: BTreeSet<&str> = ["safeguarding", "medication", "education", "not_a_prompt_here"].into();
        let coverage = set.coverage(template, &recorded);
        let safe = &coverage[0];
        assert_eq!((safe.question, safe.covered), (KeyQuestion::IsThePersonSafe, 2));
        assert_eq!(safe.total, set.for_question(template, KeyQuestion::IsThePersonSafe).len());
        let uncovered: Vec<&str> = safe.uncovered.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(uncovered, ["restrictive_practice", "physical_health", "risk"]);
        assert_eq!(
            coverage.iter().map(|c| c.covered).sum::<usize>(),
            3,
            "a key not in the template counts for nothing"
        );
        assert_eq!(set.next_uncovered(template, &recorded, None).map(|p| p.key.as_str()), Some("restrictive_practice"));
        assert_eq!(
            set.next_uncovered(template, &recorded, Some("restrictive_practice")).map(|p| p.key.as_str()),
            Some("physical_health")
        );
        // From the last prompt, round to the start.
        let last = set.for_template(template).last().map(|p| p.key.clone()).unwrap_or_default();
        assert_eq!(
            set.next_uncovered(template, &recorded, Some(&last)).map(|p| p.key.as_str()),
            Some("restrictive_practice")
        );
        let everything: BTreeSet<&str> = set.prompts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(set.next_uncovered(template, &everything, None), None);
    }

    #[test]
    fn an_edit_is_the_next_version_and_the_one_before_stays_as_it_was() {
        let first = KloePrompts::default_set();
        let mut edited = first.prompts.clone();
        edited[0].text = "Safeguarding, as our area asks it".into();
        let second = first.revised(edited);
        assert_eq!((first.version, second.version), (1, 2));
        assert_eq!(first, KloePrompts::default_set(), "version 1 unchanged");
        assert_ne!(first.prompts[0].text, second.prompts[0].text);
        // It travels as JSON (the policy stores it) and comes back the same.
        let json = serde_json::to_string(&second).unwrap_or_default();
        assert_eq!(serde_json::from_str::<KloePrompts>(&json).ok(), Some(second));
    }
}
