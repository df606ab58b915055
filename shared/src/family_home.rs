//! What a family or young person's account opens on: their review, in plain words. What is happening
//! now and next with dates as people say them ("on Tuesday 8 December, in 5 days"), what they can do
//! now (the planner, their views, the report once it is shared), and who to contact in the area. No
//! counts, no ratings, no sync words: a parent who is worried, or a young person who reads little,
//! should understand it at a glance. Pure, so the tests say exactly what each situation shows.

use chrono::{Datelike, NaiveDate};

use crate::ReviewId;
use crate::calendar::long_date;
use crate::policy::{AreaPolicy, FamilyPolicy};
use crate::report::ReviewFile;
use crate::review::{MeetingFormat, Review, ReviewStatus};

/// Whose account it is: a parent's or carer's, or the young person's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Family,
    YoungPerson,
}

/// Something the family can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Planner,
    FamilyViews,
    Report,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub kind: TaskKind,
    pub review: ReviewId,
    /// "Fill in your planner".
    pub label: String,
    /// "Not started", "Started", "Done", "Given"...
    pub status: String,
}

/// One person's part of the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyHome {
    /// "Your review" or "Alex's review".
    pub heading: String,
    /// What is happening now, and what comes next: short sentences, dates in words.
    pub now: Vec<String>,
    pub tasks: Vec<Task>,
    /// Reports of earlier reviews, to read again: (review, "The report of the meeting on 3 March 2026").
    pub earlier_reports: Vec<(ReviewId, String)>,
}

/// The page's title: "Your review", "Your child's review", or for a family with more than one child
/// on the register, "Your children's reviews".
pub fn title(reader: Reader, people: usize) -> &'static str {
    match (reader, people) {
        (Reader::YoungPerson, _) => "Your review",
        (Reader::Family, 0 | 1) => "Your child's review",
        (Reader::Family, _) => "Your children's reviews",
    }
}

/// A day as people say it, from `today`: "today, Tuesday 8 December", "tomorrow, Wednesday 9 December",
/// "on Tuesday 15 December, in 7 days", "on Monday 1 March 2027, in 12 weeks"; a day gone by:
/// "on Tuesday 1 December". The year is said only when it is not this year.
pub fn plain_day(day: NaiveDate, today: NaiveDate) -> String {
    let named = if day.year() == today.year() {
        day.format("%A %-d %B").to_string()
    } else {
        day.format("%A %-d %B %Y").to_string()
    };
    let days = (day - today).num_days();
    match days {
        0 => format!("today, {named}"),
        1 => format!("tomorrow, {named}"),
        2..=27 => format!("on {named}, in {days} days"),
        28.. => format!("on {named}, in {} weeks", days / 7),
        _ => format!("on {named}"),
    }
}

impl FamilyHome {
    /// The home page part about `name` (their given name) from their reviews, as of `today`.
    pub fn of(name: &str, reader: Reader, files: &[ReviewFile], policy: &AreaPolicy, today: NaiveDate) -> FamilyHome {
        let heading = match reader {
            Reader::YoungPerson => "Your review".to_string(),
            Reader::Family => format!("{name}'s review"),
        };
        let mut live: Vec<&ReviewFile> = files.iter().filter(|f| f.review.is_active()).collect();
        live.sort_by_key(|f| (f.review.meeting_on.unwrap_or(f.review.requested_on), f.review.requested_on));
        // The review that matters now: the latest not finished yet, else the latest whose report was shared.
        let current =
            live.iter().rev().find(|f| f.review.status != ReviewStatus::ReportShared).or_else(|| live.last()).copied();
        let earlier_reports = live
            .iter()
            .filter(|f| {
                f.review.status == ReviewStatus::ReportShared && Some(f.review.id) != current.map(|c| c.review.id)
            })
            .map(|f| {
                let on = f.review.meeting_on.map(long_date).unwrap_or_default();
                (f.review.id, format!("The report of the meeting on {on}"))
            })
            .collect();
        let Some(file) = current else {
            let now = vec![match reader {
                Reader::YoungPerson => "There is no meeting about you planned at the moment.".to_string(),
                Reader::Family => format!("There is no review planned for {name} at the moment."),
            }];
            return FamilyHome { heading, now, tasks: Vec::new(), earlier_reports };
        };
        let review = &file.review;
        FamilyHome {
            heading,
            now: happening(review, name, reader, policy, today),
            tasks: tasks(file, name, reader),
            earlier_reports,
        }
    }
}

/// What is happening now and next, in sentences.
fn happening(review: &Review, name: &str, reader: Reader, policy: &AreaPolicy, today: NaiveDate) -> Vec<String> {
    let what = review.name.full();
    let whose = match reader {
        Reader::YoungPerson => "your",
        Reader::Family => "the",
    };
    let mut said = Vec::new();
    match (review.status, review.meeting_on) {
        (ReviewStatus::Requested, _) | (ReviewStatus::Arranged, None) => {
            said.push(match reader {
                Reader::YoungPerson => {
                    format!("A meeting about you has been asked for. It is called a {}.", review.name.short())
                }
                Reader::Family => format!("A review for {name} has been asked for: a {what}."),
            });
            said.push(match reader {
                Reader::YoungPerson => "Someone will talk with you about when it will be.".to_string(),
                Reader::Family => "Someone from the team will agree the date with you.".to_string(),
            });
        }
        (ReviewStatus::Arranged, Some(day)) => {
            let subject = match reader {
                Reader::YoungPerson => "Your meeting".to_string(),
                Reader::Family => format!("{name}'s review meeting ({})", review.name.short()),
            };
            let verb = if day < today { "was" } else { "is" };
            let place = review.place.as_ref().map(|p| format!(", at {}", p.as_str())).unwrap_or_default();
            said.push(format!("{subject} {verb} {}{place}.", plain_day(day, today)));
            if let Some(format) = review.format {
                said.push(
                    match format {
                        MeetingFormat::InPerson => "It is in person.",
                        MeetingFormat::Video => "It is by video: you join on a screen.",
                        MeetingFormat::Both => "You can be in the room, or join by video.",
                    }
                    .to_string(),
                );
            }
            let when = if day > today { "Before it" } else { "Today" };
            if day >= today {
                said.push(match reader {
                    Reader::YoungPerson => format!(
                        "{when}, you can fill in your planner. It tells the people at the meeting what you think."
                    ),
                    Reader::Family => {
                        format!("{when}, you can help {name} fill in their planner, and give your own views.")
                    }
                });
            }
        }
        (ReviewStatus::Held, day) => {
            said.push(match day {
                Some(day) => format!("The meeting was {}.", plain_day(day, today)),
                None => "The meeting has taken place.".to_string(),
            });
            match review.report_due(policy) {
                Some(due) if due >= today => said.push(format!(
                    "The report will be sent to you by {}.",
                    plain_day(due, today).trim_start_matches("on ")
                )),
                Some(due) => said.push(format!(
                    "The report should have reached you by {}. If you have not had it, contact the team below.",
                    long_date(due)
                )),
                None => said.push("The report will be sent to you.".to_string()),
            }
        }
        (ReviewStatus::ReportShared, day) => {
            if let Some(day) = day {
                said.push(format!("The meeting was {}.", plain_day(day, today)));
            }
            let sent = review.report_shared.iter().map(|s| s.on).max();
            said.push(match sent {
                Some(on) => format!("The report was sent {}. You can read it below.", plain_day(on, today)),
                None => "The report has been sent. You can read it below.".to_string(),
            });
            said.push(format!("The actions in it are followed up by the team, who check {whose} plan is working."));
        }
        (ReviewStatus::Cancelled, _) => {}
    }
    said
}

/// What they can do now for the current review.
fn tasks(file: &ReviewFile, name: &str, reader: Reader) -> Vec<Task> {
    let review = &file.review;
    let id = review.id;
    let mut tasks = Vec::new();
    if review.status != ReviewStatus::ReportShared {
        let planner = file.planner();
        let status = match &planner {
            None => "Not started",
            Some(p) if p.is_complete() => "Done",
            Some(_) => "Started",
        };
        // After the meeting it can still be added to (the chair reads it).
        let label = match (reader, review.was_held()) {
            (Reader::YoungPerson, false) => "Fill in your planner".to_string(),
            (Reader::YoungPerson, true) => "Add to your planner".to_string(),
            (Reader::Family, false) => format!("Help {name} fill in their planner"),
            (Reader::Family, true) => format!("Add to {name}'s planner"),
        };
        tasks.push(Task { kind: TaskKind::Planner, review: id, label, status: status.into() });
        if reader == Reader::Family {
            let status = if file.family_views.is_empty() { "Not given yet" } else { "Given: you can add to them" };
            tasks.push(Task {
                kind: TaskKind::FamilyViews,
                review: id,
                label: "Give your views as a family".into(),
                status: status.into(),
            });
        }
    } else {
        // Which version they have: a report shared again after a change is a new version.
        let status = review.latest_report().map(|v| format!("Version {}", v.number)).unwrap_or_default();
        tasks.push(Task { kind: TaskKind::Report, review: id, label: "Read the report".into(), status });
    }
    tasks
}

/// Who to contact, as lines to show: the name, then how (phone, email). `None` when the area has not
/// said.
pub fn contact(families: &FamilyPolicy) -> Option<(String, Option<String>, Option<String>)> {
    let name = families.contact_name.trim();
    let phone = Some(families.contact_phone.trim().to_string()).filter(|p| !p.is_empty());
    let email = Some(families.contact_email.trim().to_string()).filter(|e| !e.is_empty());
    if name.is_empty() && phone.is_none() && email.is_none() {
        return None;
    }
    let name = if name.is_empty() { "The Dynamic Support Register team".to_string() } else { name.to_string() };
    Some((name, phone, email))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::planner::{Planner, PlannerQuestion};
    use crate::review::tests::review;
    use crate::review::{MeetingFormat, ReportShare, ReviewKind};
    use crate::test_support::{day, long, short};

    fn file(status: ReviewStatus, meeting: Option<NaiveDate>) -> ReviewFile {
        let review = review(ReviewKind::Community, status, meeting);
        ReviewFile {
            review,
            planners: Vec::new(),
            family_views: Vec::new(),
            findings: Vec::new(),
            recommendations: Vec::new(),
            actions: Vec::new(),
        }
    }

    fn text(home: &FamilyHome) -> String {
        home.now.join(" ")
    }

    #[test]
    fn days_are_said_as_people_say_them() {
        let today = day(2026, 12, 3);
        assert_eq!(plain_day(today, today), "today, Thursday 3 December");
        assert_eq!(plain_day(day(2026, 12, 4), today), "tomorrow, Friday 4 December");
        assert_eq!(plain_day(day(2026, 12, 8), today), "on Tuesday 8 December, in 5 days");
        assert_eq!(plain_day(day(2027, 3, 1), today), "on Monday 1 March 2027, in 12 weeks");
        assert_eq!(plain_day(day(2026, 11, 30), today), "on Monday 30 November");
    }

    #[test]
    fn a_family_is_told_what_is_happening_next_and_what_they_can_do() {
        let today = day(2026, 12, 3);
        let policy = AreaPolicy::default();
        let mut arranged = file(ReviewStatus::Arranged, Some(day(2026, 12, 8)));
        arranged.review.place = Some(short("Riverside School"));
        arranged.review.format = Some(MeetingFormat::Both);
        let home = FamilyHome::of("Alex", Reader::Family, std::slice::from_ref(&arranged), &policy, today);
        assert_eq!(home.heading, "Alex's review");
        let said = text(&home);
        assert!(
            said.contains("Alex's review meeting (CETR) is on Tuesday 8 December, in 5 days, at Riverside School."),
            "{said}"
        );
        assert!(said.contains("You can be in the room, or join by video."), "{said}");
        assert!(said.contains("Before it, you can help Alex fill in their planner"), "{said}");
        let on_the_day =
            text(&FamilyHome::of("Alex", Reader::Family, std::slice::from_ref(&arranged), &policy, day(2026, 12, 8)));
        assert!(
            on_the_day.contains("is today, Tuesday 8 December") && !on_the_day.contains("Before it"),
            "{on_the_day}"
        );
        let kinds: Vec<(TaskKind, &str)> = home.tasks.iter().map(|t| (t.kind, t.status.as_str())).collect();
        assert_eq!(kinds, vec![(TaskKind::Planner, "Not started"), (TaskKind::FamilyViews, "Not given yet")]);
        // A started planner says so.
        let mut started = arranged.clone();
        let mut planner = Planner::new(Planner::id_for(started.review.id), started.review.id, started.review.person_id);
        planner.set_answer(PlannerQuestion::AreYouSafe, Some(long("Yes")));
        started.planners.push(planner);
        let home = FamilyHome::of("Alex", Reader::Family, &[started], &policy, today);
        assert_eq!(home.tasks[0].status, "Started");
        // The young person's own account: "your", and no family views.
        let home = FamilyHome::of("Alex", Reader::YoungPerson, std::slice::from_ref(&arranged), &policy, today);
        assert_eq!(home.heading, "Your review");
        assert!(text(&home).starts_with("Your meeting is on Tuesday 8 December"), "{}", text(&home));
        assert_eq!(home.tasks.iter().map(|t| t.kind).collect::<Vec<_>>(), vec![TaskKind::Planner]);
        assert_eq!(home.tasks[0].label, "Fill in your planner");
    }

    #[test]
    fn after_the_meeting_the_report_is_expected_then_read_and_no_page_says_overdue() {
        let today = day(2026, 12, 3);
        let policy = AreaPolicy::default();
        let held = file(ReviewStatus::Held, Some(day(2026, 12, 1)));
        let said = text(&FamilyHome::of("Alex", Reader::Family, std::slice::from_ref(&held), &policy, today));
        assert!(said.contains("The meeting was on Tuesday 1 December.") && said.contains("sent to you by"), "{said}");
        let home = FamilyHome::of("Alex", Reader::YoungPerson, std::slice::from_ref(&held), &policy, today);
        assert_eq!(home.tasks[0].label, "Add to your planner");
        // Late: said gently, with what to do, never a red "Overdue".
        let late = FamilyHome::of("Alex", Reader::Family, &[held], &policy, day(2027, 1, 20));
        assert!(text(&late).contains("should have reached you by") && !text(&late).to_lowercase().contains("overdue"));
        let mut shared = file(ReviewStatus::ReportShared, Some(day(2026, 11, 2)));
        shared.review.report_shared = vec![ReportShare { to: short("Sam Parent"), on: day(2026, 11, 12) }];
        let mut older = file(ReviewStatus::ReportShared, Some(day(2026, 3, 3)));
        older.review.id = ReviewId::from_time_and_random(9, [9; 10]);
        older.review.requested_on = day(2026, 2, 1);
        let home = FamilyHome::of("Alex", Reader::Family, &[older.clone(), shared.clone()], &policy, today);
        assert!(text(&home).contains("The report was sent on Thursday 12 November."), "{}", text(&home));
        assert_eq!(
            home.tasks.iter().map(|t| (t.kind, t.review)).collect::<Vec<_>>(),
            vec![(TaskKind::Report, shared.review.id)]
        );
        assert_eq!(
            home.earlier_reports,
            vec![(older.review.id, "The report of the meeting on 3 March 2026".to_string())]
        );
    }

    #[test]
    fn with_no_review_a_family_is_told_so_and_a_requested_one_has_no_date_yet() {
        let today = day(2026, 12, 3);
        let policy = AreaPolicy::default();
        let none = FamilyHome::of("Alex", Reader::Family, &[], &policy, today);
        assert_eq!(
            (none.now, none.tasks.len()),
            (vec!["There is no review planned for Alex at the moment.".to_string()], 0)
        );
        let mut cancelled = file(ReviewStatus::Cancelled, None);
        cancelled.review.status = ReviewStatus::Cancelled;
        assert_eq!(FamilyHome::of("Alex", Reader::YoungPerson, &[cancelled], &policy, today).tasks.len(), 0);
        let requested = FamilyHome::of("Alex", Reader::Family, &[file(ReviewStatus::Requested, None)], &policy, today);
        assert!(text(&requested).contains("agree the date with you"), "{}", text(&requested));
        assert_eq!(title(Reader::Family, 2), "Your children's reviews");
    }

    #[test]
    fn the_contact_is_the_areas_or_nothing() {
        let mut families = FamilyPolicy::default();
        assert_eq!(contact(&families), None);
        families.contact_phone = "01632 960 001".into();
        assert_eq!(
            contact(&families),
            Some(("The Dynamic Support Register team".into(), Some("01632 960 001".into()), None))
        );
    }
}
