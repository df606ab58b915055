//! The DSR meeting's agenda, built from the register as it stands on the meeting's date (issue 14; seeds
//! 000, 001, 002: the panel goes through the people on the register, triages new referrals, re-rates and
//! checks that C(E)TR recommendations are followed up).
//!
//! Sections, in order: what the last meeting deferred; referrals waiting for a decision; people on the
//! register with no rating yet; everyone Red; everyone Amber (or, where the policy says, those not
//! discussed lately); everyone in hospital (Blue); Green people due to be re-rated; overdue actions;
//! missing consent; people leaving. Each person is on the agenda once, in the first section that applies,
//! with every reason they are there (the other sections' included). Every Red person is on every agenda.
//! Pure: the meeting page, the minutes and the tests all call [`agenda`].

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::admission::current_admission;
use crate::due::{DueItem, DueRule, PersonFile, due_items};
use crate::meeting::DsrMeeting;
use crate::person::RegisterStatus;
use crate::policy::AreaPolicy;
use crate::rating::{Rating, rating_on};
use crate::{PersonId, ReferralId};

/// A section of the agenda, in the order the meeting takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Deferred,
    Referrals,
    NotRated,
    Red,
    Amber,
    Blue,
    GreenDue,
    FollowUp,
    Consent,
    Leaving,
    AddedByHand,
}

impl Section {
    pub const ALL: [Section; 11] = [
        Section::Deferred,
        Section::Referrals,
        Section::NotRated,
        Section::Red,
        Section::Amber,
        Section::Blue,
        Section::GreenDue,
        Section::FollowUp,
        Section::Consent,
        Section::Leaving,
        Section::AddedByHand,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Deferred => "Deferred from the last meeting",
            Section::Referrals => "Referrals waiting for a decision",
            Section::NotRated => "On the register, not yet rated",
            Section::Red => "Red: at risk of admission without urgent support",
            Section::Amber => "Amber: at risk without support",
            Section::Blue => "Blue: in hospital (reviews, oversight visits, discharge planning)",
            Section::GreenDue => "Green: due to be re-rated",
            Section::FollowUp => "Overdue actions",
            Section::Consent => "Consent missing or to be asked again",
            Section::Leaving => "Leaving the register",
            Section::AddedByHand => "Added by hand",
        }
    }
}

/// One person (or one referral) on the agenda, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub section: Section,
    pub person_id: PersonId,
    /// For a referral waiting for a decision.
    #[serde(default)]
    pub referral_id: Option<ReferralId>,
    /// Why they are here, the first reason the section's.
    pub reasons: Vec<String>,
    /// What is due for them by the next meeting (or overdue).
    #[serde(default)]
    pub due: Vec<DueItem>,
}

/// The day a person was last rated or discussed at a meeting, before `day`.
fn last_looked_at(file: &PersonFile, meetings: &[DsrMeeting], day: NaiveDate) -> Option<NaiveDate> {
    let rated = file.ratings.iter().map(|r| crate::calendar::date_in_england(r.at)).filter(|d| *d <= day);
    let discussed = meetings
        .iter()
        .filter(|m| m.date < day && m.items.iter().any(|i| i.person_id == file.person.id && !i.deferred))
        .map(|m| m.date);
    let decided = file.meeting_decisions.iter().filter(|d| d.meeting_on < day && !d.deferred).map(|d| d.meeting_on);
    rated.chain(discussed).chain(decided).max()
}

/// The agenda of a meeting on `date`: `files` is the register (as the reader may see it), `meetings` the
/// area's meetings so far (the latest before `date` says what was deferred, and when each person was
/// last discussed). Ratings and referral decisions are taken as they stood at the start of the meeting's
/// day, so the meeting's own decisions (a re-rating, a referral accepted) do not move or drop a person
/// from the agenda while it is being held.
pub fn agenda(files: &[PersonFile], meetings: &[DsrMeeting], policy: &AreaPolicy, date: NaiveDate) -> Vec<AgendaItem> {
    // Deferred at the last meeting before this one (in its decisions, or its items as first recorded).
    let previous = meetings.iter().filter(|m| m.date < date).max_by_key(|m| m.date);
    let mut deferred: BTreeSet<PersonId> =
        previous.map(|m| m.items.iter().filter(|i| i.deferred).map(|i| i.person_id).collect()).unwrap_or_default();
    if let Some(previous) = previous {
        for file in files {
            if file.meeting_decisions.iter().any(|d| d.meeting_id == previous.id && d.deferred) {
                deferred.insert(file.person.id);
            }
        }
    }
    // What is due by the meeting after this one comes to this one.
    let next = policy.meetings.next_meeting_on_or_after(
        date.succ_opt().unwrap_or(date),
        &policy.calendar,
        policy.meeting_on_bank_holiday,
    );
    let mut items: Vec<AgendaItem> = Vec::new();
    for file in files {
        let person = &file.person;
        if matches!(person.register_status, RegisterStatus::Left { on, .. } if on <= date) {
            continue;
        }
        let due: Vec<DueItem> = due_items(file, policy, date)
            .into_iter()
            .filter(|d| d.due_on <= next && d.rule != DueRule::RetentionPurge)
            .collect();
        let has = |rules: &[DueRule]| due.iter().any(|d| rules.contains(&d.rule));
        let waiting: Vec<_> = file
            .referrals
            .iter()
            .filter(|r| r.triage.as_ref().is_none_or(|t| t.decided_on >= date) && r.submitted_on <= date)
            .collect();
        let in_hospital = current_admission(&file.admissions, date).is_some();
        let rating = rating_on(&file.ratings, date.pred_opt().unwrap_or(date)).map(|r| r.to);
        let on_register = matches!(person.register_status, RegisterStatus::OnRegister { .. });
        let last = last_looked_at(file, meetings, date);
        let back_after = |period: Option<crate::period::Period>| match (period, last) {
            (None, _) | (_, None) => true,
            (Some(period), Some(last)) => period.after(last, &policy.calendar) <= date,
        };
        let leaving = has(&[DueRule::ConsentWithdrawn]);
        let overdue_actions = file.actions.iter().filter(|a| a.is_overdue(date)).count();

        // Every section this person belongs to, in order, with its reason.
        let mut sections: Vec<(Section, String)> = Vec::new();
        if deferred.contains(&person.id) {
            sections.push((Section::Deferred, "Deferred at the last meeting".into()));
        }
        for referral in &waiting {
            sections.push((
                Section::Referrals,
                format!("Referred on {}, waiting for a decision", crate::calendar::long_date(referral.submitted_on)),
            ));
        }
        if on_register && rating.is_none() && !in_hospital {
            sections.push((Section::NotRated, "On the register with no rating".into()));
        }
        match (in_hospital, rating) {
            (true, _) | (false, Some(Rating::Blue)) if on_register || in_hospital => {
                sections.push((Section::Blue, "In hospital".into()));
            }
            (false, Some(Rating::Red)) if on_register => sections.push((Section::Red, "Rated Red".into())),
            (false, Some(Rating::Amber)) if on_register && back_after(policy.agenda.amber_back_after) => {
                sections.push((Section::Amber, "Rated Amber".into()));
            }
            (false, Some(Rating::Green)) if on_register && back_after(Some(policy.agenda.green_back_after)) => {
                let since = last.map_or_else(|| "never".to_string(), crate::calendar::long_date);
                sections.push((Section::GreenDue, format!("Rated Green; last rated or discussed: {since}")));
            }
            _ => {}
        }
        if overdue_actions > 0 {
            sections.push((Section::FollowUp, format!("{overdue_actions} overdue action(s)")));
        }
        if has(&[DueRule::RegisterConsent, DueRule::ConsentAtNewAge]) {
            sections.push((Section::Consent, "Consent to be recorded or asked again".into()));
        }
        if leaving {
            sections.push((Section::Leaving, "Consent to the register withdrawn: leaving".into()));
        }
        let Some((section, _)) = sections.first().cloned() else { continue };
        let mut reasons: Vec<String> = sections.into_iter().map(|(_, reason)| reason).collect();
        reasons.dedup();
        for item in &due {
            let when = crate::calendar::long_date(item.due_on);
            reasons.push(if item.overdue {
                format!("Overdue since {when}: {}", item.reason)
            } else {
                format!("Due by {when}: {}", item.reason)
            });
        }
        items.push(AgendaItem {
            section,
            person_id: person.id,
            referral_id: if section == Section::Referrals { waiting.first().map(|r| r.id) } else { None },
            reasons,
            due,
        });
    }
    // Sections in order; within one, the most overdue first, then the earliest due, then by person.
    items.sort_by_key(|i| {
        let first_due = i.due.iter().map(|d| d.due_on).min();
        (i.section, !i.due.iter().any(|d| d.overdue), first_due.is_none(), first_due, i.person_id)
    });
    items
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
