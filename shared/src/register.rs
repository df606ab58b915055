//! The register as a list: one row per person with their rating, age, keyworker and next due item
//! (from the due engine), counts per rating, and the coordinator's filters, search and sort (issue 6:
//! "Register list"). Pure: the app builds [`PersonFile`]s from what the device holds and calls these.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::KindSet;
use crate::due::{DueItem, PersonFile, due_items, due_shown_with};
use crate::person::RegisterStatus;
use crate::policy::AreaPolicy;
use crate::rating::{Rating, current_rating};

/// Where a person is on the register, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    Referred,
    OnRegister,
    Left,
}

impl StatusFilter {
    pub const ALL: [StatusFilter; 3] = [StatusFilter::Referred, StatusFilter::OnRegister, StatusFilter::Left];

    pub fn of(status: &RegisterStatus) -> StatusFilter {
        match status {
            RegisterStatus::Referred => StatusFilter::Referred,
            RegisterStatus::OnRegister { .. } => StatusFilter::OnRegister,
            RegisterStatus::Left { .. } => StatusFilter::Left,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Referred => "Referred, waiting for a decision",
            StatusFilter::OnRegister => "On the register",
            StatusFilter::Left => "Left the register",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StatusFilter::Referred => "referred",
            StatusFilter::OnRegister => "on_register",
            StatusFilter::Left => "left",
        }
    }

    pub fn from_name(name: &str) -> Option<StatusFilter> {
        StatusFilter::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One person on the register list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterRow {
    pub name: String,
    /// Family name, given name: the list's alphabetical order.
    pub sort_name: String,
    pub age: i32,
    /// `None`: not rated yet, or (see `rating_hidden`) not shown to this user.
    pub rating: Option<Rating>,
    /// The user's role may not see ratings: the row must say so, never "not rated".
    pub rating_hidden: bool,
    /// The user's role may not see everything the due items are worked out from: the row must say so,
    /// never "nothing due".
    pub due_hidden: bool,
    pub keyworker: Option<String>,
    pub status: StatusFilter,
    /// Digits only (searching ignores spaces).
    pub nhs_number: Option<String>,
    /// The earliest item the due engine lists (overdue ones first by date).
    pub next_due: Option<DueItem>,
    pub overdue: usize,
}

impl RegisterRow {
    /// The row as someone who may read every kind of record sees it (a coordinator).
    pub fn of(file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) -> RegisterRow {
        RegisterRow::seen_with(file, policy, today, KindSet::all())
    }

    /// The row as someone who may read the kinds in `read` sees it: what they may not see is marked
    /// hidden, never shown as absent ("not rated" for a hidden rating would be false).
    pub fn seen_with(file: &PersonFile, policy: &AreaPolicy, today: NaiveDate, read: KindSet) -> RegisterRow {
        let person = &file.person;
        let due_hidden = !due_shown_with(read);
        let mut due = if due_hidden { Vec::new() } else { due_items(file, policy, today) };
        due.sort_by_key(|d| (d.due_on, d.rule));
        let rating_hidden = !read.contains(crate::sync::RecordKind::RatingChange);
        RegisterRow {
            name: person.full_name(),
            sort_name: format!("{} {}", person.family_name.as_str(), person.given_name.as_str()).to_lowercase(),
            age: person.age_on(today),
            rating: if rating_hidden { None } else { current_rating(&file.ratings).map(|r| r.to) },
            rating_hidden,
            due_hidden,
            keyworker: person.keyworker.as_ref().map(|k| k.name.as_str().to_string()),
            status: StatusFilter::of(&person.register_status),
            nhs_number: person.nhs_number.map(|n| n.to_string().replace(' ', "")),
            overdue: due.iter().filter(|d| d.overdue).count(),
            next_due: due.into_iter().next(),
        }
    }
}

/// What the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// Only these ratings (empty: all). `None` inside means "not rated yet".
    pub ratings: Vec<Option<Rating>>,
    pub status: Option<StatusFilter>,
    pub overdue_only: bool,
    /// Part of a name, or of an NHS number (spaces ignored).
    pub search: String,
    pub sort: SortBy,
}

/// The list's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Soonest due first (overdue at the top); people with nothing due last, by name.
    #[default]
    NextDue,
    Name,
}

impl RegisterFilter {
    pub fn matches(&self, row: &RegisterRow) -> bool {
        let search = self.search.trim().to_lowercase();
        let digits: String = search.chars().filter(|c| !c.is_whitespace()).collect();
        let found = search.is_empty()
            || row.name.to_lowercase().contains(&search)
            || row.sort_name.contains(&search)
            || (!digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && row.nhs_number.as_deref().is_some_and(|n| n.contains(&digits)));
        // A hidden rating matches no rating filter (it is not "not rated").
        found
            && (self.ratings.is_empty() || (!row.rating_hidden && self.ratings.contains(&row.rating)))
            && self.status.is_none_or(|s| s == row.status)
            && (!self.overdue_only || row.overdue > 0)
    }

    /// The rows to show, in order (indices into `rows`).
    pub fn apply(&self, rows: &[RegisterRow]) -> Vec<usize> {
        let mut shown: Vec<usize> = (0..rows.len()).filter(|i| self.matches(&rows[*i])).collect();
        match self.sort {
            SortBy::Name => shown.sort_by(|a, b| rows[*a].sort_name.cmp(&rows[*b].sort_name)),
            SortBy::NextDue => shown.sort_by(|a, b| {
                let key = |r: &RegisterRow| {
                    (r.next_due.as_ref().map(|d| d.due_on).unwrap_or(NaiveDate::MAX), r.sort_name.clone())
                };
                key(&rows[*a]).cmp(&key(&rows[*b]))
            }),
        }
        shown
    }
}

/// How many people have each rating (Red, Amber, Green, Blue), how many are not rated yet, and how
/// many have a rating this user may not see (never counted as unrated).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingCounts {
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    pub blue: usize,
    pub unrated: usize,
    pub hidden: usize,
}

impl RatingCounts {
    /// Counts the people still on the register or referred (not those who left).
    pub fn of(rows: &[RegisterRow]) -> RatingCounts {
        let mut counts = RatingCounts::default();
        for row in rows.iter().filter(|r| r.status != StatusFilter::Left) {
            if row.rating_hidden {
                counts.hidden += 1;
                continue;
            }
            match row.rating {
                Some(Rating::Red) => counts.red += 1,
                Some(Rating::Amber) => counts.amber += 1,
                Some(Rating::Green) => counts.green += 1,
                Some(Rating::Blue) => counts.blue += 1,
                None => counts.unrated += 1,
            }
        }
        counts
    }

    pub fn get(&self, rating: Option<Rating>) -> usize {
        match rating {
            Some(Rating::Red) => self.red,
            Some(Rating::Amber) => self.amber,
            Some(Rating::Green) => self.green,
            Some(Rating::Blue) => self.blue,
            None => self.unrated,
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::rating::{RatingChange, RatingSource};
    use crate::test_support::{day, long, short};
    use crate::{NhsNumber, Person, PersonId, PersonName, RatingChangeId};
    use chrono::TimeZone;

    fn file(n: u8, given: &str, family: &str, rating: Option<Rating>, status: RegisterStatus) -> PersonFile {
        let name = |s: &str| PersonName::parse(s).unwrap_or_else(|e| panic!("{e}"));
        let id = PersonId::from_time_and_random(1, [n; 10]);
        let mut person =
            Person::new(id, name(given), name(family), day(2012, 3, 4), NhsNumber::parse("943 476 5919").ok());
        person.register_status = status;
        let mut file = PersonFile::new(person);
        if let Some(to) = rating {
            file.ratings.push(RatingChange {
                id: RatingChangeId::from_time_and_random(1, [n; 10]),
                person_id: id,
                from: None,
                to,
                reason: long("Discussed at the DSR meeting"),
                by: short("Jo Coordinator"),
                at: chrono::Utc.with_ymd_and_hms(2026, 10, 1, 10, 0, 0).single().unwrap_or_default(),
                source: RatingSource::DsrMeeting,
            });
        }
        file
    }

    fn rows() -> Vec<RegisterRow> {
        let today = day(2026, 11, 25);
        let on = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
        let policy = AreaPolicy::default();
        [
            file(1, "Alex", "Red", Some(Rating::Red), on),
            file(2, "Sam", "Amber", Some(Rating::Amber), on),
            file(3, "Kai", "Green", Some(Rating::Green), on),
            file(4, "Robin", "Referred", None, RegisterStatus::Referred),
        ]
        .iter()
        .map(|f| RegisterRow::of(f, &policy, today))
        .collect()
    }

    #[test]
    fn rows_carry_rating_age_and_the_next_due_item() {
        let rows = rows();
        assert_eq!(rows[0].rating, Some(Rating::Red));
        assert_eq!(rows[0].age, 14);
        assert_eq!(rows[0].nhs_number.as_deref(), Some("9434765919"));
        // A Red needs a review within the policy's time: it is due, and (rated in October) overdue.
        let next = rows[0].next_due.as_ref().unwrap_or_else(|| panic!("nothing due for a Red"));
        assert!(rows[0].overdue > 0 && next.overdue, "{next:?}");
        assert_eq!(
            RatingCounts::of(&rows),
            RatingCounts { red: 1, amber: 1, green: 1, blue: 0, unrated: 1, hidden: 0 }
        );
    }

    #[test]
    fn a_rating_a_role_may_not_see_is_never_shown_as_not_rated() {
        use crate::access::{PersonFacts, Role, person_access};
        let today = day(2026, 11, 25);
        let on = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
        let red = file(1, "Alex", "Red", Some(Rating::Red), on);
        for role in [Role::Advocate, Role::Family, Role::Referrer] {
            let read = person_access(role, true, PersonFacts::default()).read;
            let row = RegisterRow::seen_with(&red, &AreaPolicy::default(), today, read);
            assert!(row.rating_hidden && row.rating.is_none(), "{role:?}");
            assert!(row.due_hidden && row.next_due.is_none() && row.overdue == 0, "{role:?}");
            let counts = RatingCounts::of(std::slice::from_ref(&row));
            assert_eq!((counts.unrated, counts.hidden), (0, 1), "{role:?}");
            let not_rated = RegisterFilter { ratings: vec![None], ..RegisterFilter::default() };
            assert!(!not_rated.matches(&row), "{role:?}: a hidden rating is not 'not rated'");
        }
        // Keyworkers and coordinators see both.
        for role in [Role::Keyworker, Role::Coordinator] {
            let read = person_access(role, true, PersonFacts::default()).read;
            let row = RegisterRow::seen_with(&red, &AreaPolicy::default(), today, read);
            assert_eq!((row.rating, row.rating_hidden, row.due_hidden), (Some(Rating::Red), false, false), "{role:?}");
            assert!(row.overdue > 0, "{role:?}");
        }
    }

    #[test]
    fn filters_search_and_sort() {
        let rows = rows();
        let names = |f: &RegisterFilter| f.apply(&rows).into_iter().map(|i| rows[i].name.clone()).collect::<Vec<_>>();
        let red = RegisterFilter { ratings: vec![Some(Rating::Red)], ..RegisterFilter::default() };
        assert_eq!(names(&red), ["Alex Red"]);
        let referred = RegisterFilter { status: Some(StatusFilter::Referred), ..RegisterFilter::default() };
        assert_eq!(names(&referred), ["Robin Referred"]);
        let search = RegisterFilter { search: "kai".into(), ..RegisterFilter::default() };
        assert_eq!(names(&search), ["Kai Green"]);
        let nhs = RegisterFilter { search: "943 476".into(), sort: SortBy::Name, ..RegisterFilter::default() };
        assert_eq!(names(&nhs), ["Sam Amber", "Kai Green", "Alex Red", "Robin Referred"]);
        let overdue = RegisterFilter { overdue_only: true, ..RegisterFilter::default() };
        assert!(names(&overdue).contains(&"Alex Red".to_string()));
        assert!(names(&overdue).iter().all(|n| rows.iter().any(|r| &r.name == n && r.overdue > 0)));
        // Soonest due first, nothing due last.
        let order = RegisterFilter::default().apply(&rows);
        let dates: Vec<NaiveDate> =
            order.iter().map(|i| rows[*i].next_due.as_ref().map_or(NaiveDate::MAX, |d| d.due_on)).collect();
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    }
}
