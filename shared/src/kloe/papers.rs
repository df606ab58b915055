//! The papers the panel reads before a C(E)TR: the document checklist for the review's kind (in the
//! community, or in hospital), as part of the area's versioned key lines of enquiry, and what the
//! coordinator recorded of each (received or not, from whom, when) on the review. The panel opens none
//! of them until consent for the review, or a best-interests decision, is recorded
//! ([`crate::consent::has_consent`], as the planner and family's views already are).
//!
//! The default lists are written from NHS England's inpatient document checklist (PRN00117) and the
//! C(E)TR policy's list of what the panel reads in the community (each paper's `source`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::KloeTemplate;
use super::prompts::{SOURCE_INPATIENT_CHECKLIST, SOURCE_KLOE};
use crate::text::ShortText;

/// A paper this app holds itself, opened from the checklist (once consent lets the panel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InApp {
    /// The young person's planner (and the family's views).
    Planner,
    /// The report of the last review, with its action plan.
    PreviousReport,
    /// The risk of admission checklist.
    RiskChecklist,
}

/// One paper of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    /// Stable key (`crisis_plan`): what the review's record of it refers to.
    pub key: String,
    /// Its name on the checklist.
    pub name: String,
    /// `Some(true)`: in hospital only; `Some(false)`: in the community only; `None`: both.
    #[serde(default)]
    pub inpatient: Option<bool>,
    /// `Some(true)`: children and young people only; `Some(false)`: adults only; `None`: both.
    #[serde(default)]
    pub children: Option<bool>,
    /// Asked for when there is one (an assessment), not expected for every review.
    #[serde(default)]
    pub optional: bool,
    /// Where it is in this app, if it is.
    #[serde(default)]
    pub in_app: Option<InApp>,
    #[serde(default)]
    pub source: String,
}

impl Paper {
    /// Whether it is on `template`'s checklist.
    pub fn belongs_to(&self, template: KloeTemplate) -> bool {
        self.children.is_none_or(|c| c == template.child()) && self.inpatient.is_none_or(|i| i == template.inpatient())
    }
}

/// What the coordinator recorded of one paper for a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperReceived {
    /// The paper's key.
    pub paper: String,
    pub received: bool,
    /// Who sent it (a person or a service).
    #[serde(default)]
    pub from: Option<ShortText>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// One line of a review's checklist: the paper, and what is recorded of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperLine<'a> {
    pub paper: &'a Paper,
    pub received: Option<&'a PaperReceived>,
}

impl PaperLine<'_> {
    pub fn is_received(&self) -> bool {
        self.received.is_some_and(|r| r.received)
    }
}

/// `template`'s checklist, each paper with what `recorded` says of it, in the checklist's order.
pub fn checklist<'a>(papers: &'a [Paper], template: KloeTemplate, recorded: &'a [PaperReceived]) -> Vec<PaperLine<'a>> {
    papers
        .iter()
        .filter(|p| p.belongs_to(template))
        .map(|paper| PaperLine { paper, received: recorded.iter().find(|r| r.paper == paper.key) })
        .collect()
}

/// How many of the papers expected (not optional) have come: (received, expected).
pub fn received_count(lines: &[PaperLine<'_>]) -> (usize, usize) {
    let expected: Vec<&PaperLine<'_>> = lines.iter().filter(|l| !l.paper.optional).collect();
    (expected.iter().filter(|l| l.is_received()).count(), expected.len())
}

/// The default checklist: the inpatient document checklist, and the community review's papers.
pub fn default_papers() -> Vec<Paper> {
    // (key, name, inpatient, children, optional, in app, source)
    type Row = (&'static str, &'static str, Option<bool>, Option<bool>, bool, Option<InApp>, &'static str);
    let rows: [Row; 17] = [
        (
            "planner",
            "The young person's planner, with the evidence of their consent",
            None,
            None,
            false,
            Some(InApp::Planner),
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "previous_report",
            "The report and action plan of the last C(E)TR",
            None,
            None,
            false,
            Some(InApp::PreviousReport),
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "risk_assessment",
            "The current risk assessment",
            None,
            None,
            false,
            Some(InApp::RiskChecklist),
            SOURCE_INPATIENT_CHECKLIST,
        ),
        ("crisis_plan", "The crisis plan", Some(false), None, false, None, SOURCE_KLOE),
        (
            "support_plan",
            "The care or support plan, and the positive behaviour support plan",
            Some(false),
            None,
            false,
            None,
            SOURCE_KLOE,
        ),
        (
            "assessments",
            "Assessments there are (autism, sensory, speech and language, psychology)",
            Some(false),
            None,
            true,
            None,
            SOURCE_KLOE,
        ),
        (
            "care_plans",
            "Care and treatment plans, and the positive behaviour support plan",
            Some(true),
            None,
            false,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "physical_health",
            "Physical health: annual health check, health action plan, recent investigations",
            Some(true),
            None,
            false,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "medication",
            "Medication chart and the last medication review",
            Some(true),
            None,
            false,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "restrictive_practice",
            "Records of restraint, seclusion and long-term segregation",
            Some(true),
            None,
            false,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "tribunal_reports",
            "Mental Health Act papers: tribunal and managers' hearing reports",
            Some(true),
            None,
            true,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        ("discharge_plan", "The discharge plan", Some(true), None, false, None, SOURCE_INPATIENT_CHECKLIST),
        (
            "ehcp",
            "The education, health and care plan, and the latest annual review",
            None,
            Some(true),
            false,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        (
            "education_report",
            "A report from school or college",
            None,
            Some(true),
            true,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
        ("communication_passport", "The communication passport", None, None, true, None, SOURCE_INPATIENT_CHECKLIST),
        ("hospital_passport", "The hospital passport", Some(true), None, true, None, SOURCE_INPATIENT_CHECKLIST),
        (
            "safeguarding",
            "Safeguarding referrals and their outcomes since the last review",
            None,
            None,
            true,
            None,
            SOURCE_INPATIENT_CHECKLIST,
        ),
    ];
    rows.into_iter()
        .map(|(key, name, inpatient, children, optional, in_app, source)| Paper {
            key: key.into(),
            name: name.into(),
            inpatient,
            children,
            optional,
            in_app,
            source: source.into(),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed check fails the test")]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_review_has_its_own_checklist() {
        let papers = default_papers();
        let names = |t| checklist(&papers, t, &[]).iter().map(|l| l.paper.key.clone()).collect::<Vec<_>>();
        let community = names(KloeTemplate::AdultCommunity);
        assert!(community.contains(&"crisis_plan".to_string()) && !community.contains(&"restrictive_practice".into()));
        let inpatient = names(KloeTemplate::ChildInpatient);
        for key in [
            "planner",
            "previous_report",
            "physical_health",
            "medication",
            "restrictive_practice",
            "tribunal_reports",
            "care_plans",
            "ehcp",
            "communication_passport",
            "hospital_passport",
        ] {
            assert!(inpatient.contains(&key.to_string()), "{key} missing from {inpatient:?}");
        }
        assert!(!names(KloeTemplate::AdultInpatient).contains(&"ehcp".to_string()), "no EHCP for an adult");
        let keys: std::collections::BTreeSet<&str> = papers.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys.len(), papers.len(), "keys are unique");
    }

    #[test]
    fn the_count_is_of_the_papers_expected_that_came() {
        let papers = default_papers();
        let recorded = vec![
            PaperReceived { paper: "planner".into(), received: true, from: ShortText::parse("Alex").ok(), on: None },
            PaperReceived { paper: "crisis_plan".into(), received: false, from: None, on: None },
            PaperReceived { paper: "assessments".into(), received: true, from: None, on: None },
        ];
        let lines = checklist(&papers, KloeTemplate::AdultCommunity, &recorded);
        assert_eq!(received_count(&lines), (1, 5), "an optional paper received does not count");
        assert!(lines[0].is_received() && !lines.iter().any(|l| l.paper.key == "crisis_plan" && l.is_received()));
    }
}
