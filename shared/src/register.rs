//! The register as a list: one row per person with their rating, age, keyworker and every due item
//! (from the due engine, earliest first), counts per rating, and the coordinator's filters (rating,
//! status, what is due, keyworker, age group, overdue), search and sort by any column (issues 6 and
//! 14). Pure: the app builds [`PersonFile`]s from what the device holds and calls these.

use std::borrow::Borrow;
use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::KindSet;
use crate::due::{DueItem, DueRule, PersonFile, due_items, due_shown_with};
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

/// The age groups the register and the area's figures are filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGroup {
    /// Under 13.
    Child,
    /// 13 to 17.
    YoungPerson,
    /// 18 and over.
    Adult,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 3] = [AgeGroup::Child, AgeGroup::YoungPerson, AgeGroup::Adult];

    pub fn of(age: i32) -> AgeGroup {
        match age {
            ..13 => AgeGroup::Child,
            13..18 => AgeGroup::YoungPerson,
            _ => AgeGroup::Adult,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::Child => "Children (under 13)",
            AgeGroup::YoungPerson => "Young people (13 to 17)",
            AgeGroup::Adult => "Adults (18 and over)",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AgeGroup::Child => "child",
            AgeGroup::YoungPerson => "young_person",
            AgeGroup::Adult => "adult",
        }
    }

    pub fn from_name(name: &str) -> Option<AgeGroup> {
        AgeGroup::ALL.into_iter().find(|g| g.name() == name)
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
    /// Everything due, earliest first (the first is `next_due`).
    pub due: Vec<DueItem>,
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
            next_due: due.first().cloned(),
            due,
        }
    }
}

impl RegisterRow {
    pub fn age_group(&self) -> AgeGroup {
        AgeGroup::of(self.age)
    }
}

/// Whose keyworker the list is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyworkerFilter {
    /// People with this keyworker (as named on their record).
    Named(String),
    /// People with no keyworker yet.
    Nobody,
}

/// What the list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterFilter {
    /// Only these ratings (empty: all). `None` inside means "not rated yet".
    pub ratings: Vec<Option<Rating>>,
    pub status: Option<StatusFilter>,
    pub overdue_only: bool,
    /// Only people with something of this kind due ("Red without a C(E)TR").
    pub due: Option<DueRule>,
    pub keyworker: Option<KeyworkerFilter>,
    pub age_group: Option<AgeGroup>,
    /// Part of a name, or of an NHS number (spaces ignored).
    pub search: String,
    pub sort: SortBy,
    /// The sort's order turned round (latest due, Z to A, oldest...); ties stay in name order.
    pub descending: bool,
}

/// The list's order: one per column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Soonest due first (overdue at the top); people with nothing due last, by name.
    #[default]
    NextDue,
    Name,
    /// Youngest first.
    Age,
    /// Most at risk first: Red, Blue, Amber, Green, not rated, not shown.
    Rating,
    /// By keyworker's name; people with none last.
    Keyworker,
}

impl SortBy {
    pub const ALL: [SortBy; 5] = [SortBy::NextDue, SortBy::Name, SortBy::Age, SortBy::Rating, SortBy::Keyworker];

    pub fn name(self) -> &'static str {
        match self {
            SortBy::NextDue => "due",
            SortBy::Name => "name",
            SortBy::Age => "age",
            SortBy::Rating => "rating",
            SortBy::Keyworker => "keyworker",
        }
    }

    pub fn from_name(name: &str) -> Option<SortBy> {
        SortBy::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Most at risk first.
fn risk_order(row: &RegisterRow) -> u8 {
    match (row.rating_hidden, row.rating) {
        (true, _) => 5,
        (false, Some(Rating::Red)) => 0,
        (false, Some(Rating::Blue)) => 1,
        (false, Some(Rating::Amber)) => 2,
        (false, Some(Rating::Green)) => 3,
        (false, None) => 4,
    }
}

/// The keyworkers named on `rows`, in name order, each once (for the keyworker filter). Rows or
/// references to them: a long register is not copied to be read.
pub fn keyworkers<R: Borrow<RegisterRow>>(rows: &[R]) -> Vec<String> {
    let mut tally = KeyworkerTally::default();
    rows.iter().for_each(|r| tally.add(r.borrow()));
    tally.names()
}

impl RegisterFilter {
    pub fn matches(&self, row: &RegisterRow) -> bool {
        self.matches_search(&Search::of(&self.search), row)
    }

    fn matches_search(&self, search: &Search, row: &RegisterRow) -> bool {
        let Search { text: search, digits } = search;
        let found = search.is_empty()
            || row.name.to_lowercase().contains(search.as_str())
            || row.sort_name.contains(search.as_str())
            || (!digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && row.nhs_number.as_deref().is_some_and(|n| n.contains(digits.as_str())));
        // A hidden rating matches no rating filter (it is not "not rated").
        found
            && (self.ratings.is_empty() || (!row.rating_hidden && self.ratings.contains(&row.rating)))
            && self.status.is_none_or(|s| s == row.status)
            && (!self.overdue_only || row.overdue > 0)
            && self.due.is_none_or(|rule| row.due.iter().any(|d| d.rule == rule))
            && self.age_group.is_none_or(|g| g == row.age_group())
            && match &self.keyworker {
                None => true,
                Some(KeyworkerFilter::Nobody) => row.keyworker.is_none(),
                Some(KeyworkerFilter::Named(name)) => row.keyworker.as_deref() == Some(name.as_str()),
            }
    }

    /// The rows to show, in order (indices into `rows`: rows, or references to them): those the filter
    /// matches, sorted by [`RegisterFilter::compare`], rows equal there in the order given.
    pub fn apply<R: Borrow<RegisterRow>>(&self, rows: &[R]) -> Vec<usize> {
        let rows: Vec<&RegisterRow> = rows.iter().map(Borrow::borrow).collect();
        let search = Search::of(&self.search);
        let mut shown: Vec<usize> = (0..rows.len()).filter(|i| self.matches_search(&search, rows[*i])).collect();
        // Rows given in name order (the app keeps them so) need no name compared again: the sort is
        // stable, so among equals that order stays; by name, they are in order already. One pass checks.
        let names_descending = self.sort == SortBy::Name && self.descending;
        let in_name_order = !names_descending && shown.windows(2).all(|w| rows[w[0]].sort_name <= rows[w[1]].sort_name);
        if in_name_order {
            if self.sort != SortBy::Name {
                shown.sort_by(|a, b| self.column(rows[*a], rows[*b]));
            }
            return shown;
        }
        shown.sort_by(|a, b| self.compare(rows[*a], rows[*b]));
        shown
    }

    /// The list's order between two rows: the column's, then the name (Z to A only when sorting by
    /// name descending). Rows equal here keep the order they came in.
    pub fn compare(&self, a: &RegisterRow, b: &RegisterRow) -> Ordering {
        // Names compared only on a tie (most comparisons are settled by the column).
        self.column(a, b).then_with(|| {
            if self.sort == SortBy::Name && self.descending {
                b.sort_name.cmp(&a.sort_name)
            } else {
                a.sort_name.cmp(&b.sort_name)
            }
        })
    }

    /// The column's own order; people with nothing to sort by (nothing due, no keyworker) stay last
    /// either way round.
    fn column(&self, a: &RegisterRow, b: &RegisterRow) -> Ordering {
        let last_if_none = |x: Option<Ordering>, a_none: bool, b_none: bool| match (a_none, b_none) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let o = x.unwrap_or(Ordering::Equal);
                if self.descending { o.reverse() } else { o }
            }
        };
        let turned = |o: Ordering| if self.descending { o.reverse() } else { o };
        match self.sort {
            SortBy::Name => Ordering::Equal,
            SortBy::NextDue => {
                let (x, y) = (a.next_due.as_ref().map(|d| d.due_on), b.next_due.as_ref().map(|d| d.due_on));
                last_if_none(x.zip(y).map(|(x, y)| x.cmp(&y)), x.is_none(), y.is_none())
            }
            SortBy::Age => turned(a.age.cmp(&b.age)),
            SortBy::Rating => turned(risk_order(a).cmp(&risk_order(b))),
            SortBy::Keyworker => {
                let (x, y) = (a.keyworker.as_ref(), b.keyworker.as_ref());
                let o = x.zip(y).map(|(x, y)| x.to_lowercase().cmp(&y.to_lowercase()));
                last_if_none(o, x.is_none(), y.is_none())
            }
        }
    }
}

/// Keeps `list`, sorted by `order` (a total order), sorted as rows change: each of `old` (rows in the
/// list, found by a binary search and `same`) leaves it and `new` join it, in one pass that moves each
/// row once and compares only the changed ones (a binary search each). The same as removing `old`,
/// adding `new` and sorting everyone again, at the cost of a few comparisons when a few rows of a
/// long register change (a save, a pulled page).
pub fn replace_in_order<R>(
    list: &mut Vec<R>,
    old: &[R],
    mut new: Vec<R>,
    order: &dyn Fn(&R, &R) -> Ordering,
    same: &dyn Fn(&R, &R) -> bool,
) {
    // Which rows leave, marked by place (no sort of the places needed).
    let mut leaving = vec![false; list.len()];
    let mut any_leaving = false;
    for o in old {
        let from = list.partition_point(|r| order(r, o) == Ordering::Less);
        let found = list[from..].iter().take_while(|r| order(r, o) != Ordering::Greater).position(|r| same(r, o));
        if let Some(at) = found {
            leaving[from + at] = true;
            any_leaving = true;
        }
    }
    if !any_leaving && new.is_empty() {
        return;
    }
    new.sort_by(order);
    // Where each new row goes: after the rows before or equal to it (those leaving included; their
    // leaving moves nothing else).
    let places: Vec<usize> = new.iter().map(|n| list.partition_point(|r| order(r, n) != Ordering::Greater)).collect();
    let mut merged = Vec::with_capacity(list.len() + new.len());
    let mut places = places.into_iter().peekable();
    let mut new = new.into_iter();
    for (at, row) in std::mem::take(list).into_iter().enumerate() {
        while places.next_if(|p| *p == at).is_some() {
            merged.extend(new.next());
        }
        if !leaving[at] {
            merged.push(row);
        }
    }
    merged.extend(new);
    *list = merged;
}

/// How many people each keyworker has on a list, kept as rows come and go (for the keyworker filter's
/// choices: [`KeyworkerTally::names`]). In name order: an area has tens of keyworkers, not thousands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyworkerTally(Vec<(String, usize)>);

impl KeyworkerTally {
    pub fn add(&mut self, row: &RegisterRow) {
        if let Some(name) = &row.keyworker {
            match self.0.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
                Ok(at) => self.0[at].1 += 1,
                Err(at) => self.0.insert(at, (name.clone(), 1)),
            }
        }
    }

    pub fn remove(&mut self, row: &RegisterRow) {
        if let Some(name) = &row.keyworker
            && let Ok(at) = self.0.binary_search_by(|(n, _)| n.as_str().cmp(name))
        {
            self.0[at].1 -= 1;
            if self.0[at].1 == 0 {
                self.0.remove(at);
            }
        }
    }

    /// The keyworkers named, in name order, each once.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|(name, _)| name.clone()).collect()
    }
}

/// A search as typed, prepared once for every row: lower case, and its digits for an NHS number.
struct Search {
    text: String,
    digits: String,
}

impl Search {
    fn of(typed: &str) -> Search {
        let text = typed.trim().to_lowercase();
        let digits = text.chars().filter(|c| !c.is_whitespace()).collect();
        Search { text, digits }
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
    pub fn of<R: Borrow<RegisterRow>>(rows: &[R]) -> RatingCounts {
        let mut counts = RatingCounts::default();
        rows.iter().for_each(|r| counts.add(r.borrow()));
        counts
    }

    /// Counts one more row (as [`RatingCounts::of`] counts it: not if they left).
    pub fn add(&mut self, row: &RegisterRow) {
        if let Some(count) = self.count_of(row) {
            *count += 1;
        }
    }

    /// Counts a row counted before no more (it changed, or went).
    pub fn remove(&mut self, row: &RegisterRow) {
        if let Some(count) = self.count_of(row) {
            *count = count.saturating_sub(1);
        }
    }

    /// The count a row is counted in, if any.
    fn count_of(&mut self, row: &RegisterRow) -> Option<&mut usize> {
        if row.status == StatusFilter::Left {
            return None;
        }
        if row.rating_hidden {
            return Some(&mut self.hidden);
        }
        Some(match row.rating {
            Some(Rating::Red) => &mut self.red,
            Some(Rating::Amber) => &mut self.amber,
            Some(Rating::Green) => &mut self.green,
            Some(Rating::Blue) => &mut self.blue,
            None => &mut self.unrated,
        })
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
    fn every_due_item_is_on_the_row_and_the_list_filters_by_what_is_due_keyworker_and_age() {
        let today = day(2026, 11, 25);
        let on = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
        let policy = AreaPolicy::default();
        let mut red = file(1, "Alex", "Red", Some(Rating::Red), on);
        red.person.keyworker =
            serde_json::from_value(serde_json::json!({ "name": "Sam Keyworker", "role": "Keyworker" })).ok();
        let mut adult = file(2, "Lee", "Adult", Some(Rating::Amber), on);
        adult.person.date_of_birth = day(1990, 1, 1);
        let rows: Vec<RegisterRow> = [red, adult].iter().map(|f| RegisterRow::of(f, &policy, today)).collect();
        assert!(rows[0].keyworker.is_some(), "the test's keyworker reads");
        // Every item, earliest first; the first is the next one.
        assert!(rows[0].due.len() > 1, "{:?}", rows[0].due);
        assert_eq!(rows[0].next_due.as_ref(), rows[0].due.first());
        assert!(rows[0].due.windows(2).all(|w| w[0].due_on <= w[1].due_on));
        let names = |f: &RegisterFilter| f.apply(&rows).into_iter().map(|i| rows[i].name.clone()).collect::<Vec<_>>();
        let red_without_review = RegisterFilter { due: Some(DueRule::CetrForRed), ..RegisterFilter::default() };
        assert_eq!(names(&red_without_review), ["Alex Red"]);
        assert_eq!(DueRule::CetrForRed.label(), "Red without a C(E)TR");
        assert_eq!(DueRule::from_name(&DueRule::CetrForRed.name()), Some(DueRule::CetrForRed));
        let sams = RegisterFilter {
            keyworker: Some(KeyworkerFilter::Named("Sam Keyworker".into())),
            ..RegisterFilter::default()
        };
        assert_eq!(names(&sams), ["Alex Red"]);
        let nobody = RegisterFilter { keyworker: Some(KeyworkerFilter::Nobody), ..RegisterFilter::default() };
        assert_eq!(names(&nobody), ["Lee Adult"]);
        assert_eq!(keyworkers(&rows), ["Sam Keyworker"]);
        let adults = RegisterFilter { age_group: Some(AgeGroup::Adult), ..RegisterFilter::default() };
        assert_eq!(names(&adults), ["Lee Adult"]);
        assert_eq!(
            (AgeGroup::of(12), AgeGroup::of(13), AgeGroup::of(17), AgeGroup::of(18)),
            (AgeGroup::Child, AgeGroup::YoungPerson, AgeGroup::YoungPerson, AgeGroup::Adult)
        );
    }

    #[test]
    fn every_column_sorts_both_ways_and_the_empty_stay_last() {
        let rows = rows();
        let order = |sort: SortBy, descending: bool| {
            let f = RegisterFilter { sort, descending, ..RegisterFilter::default() };
            f.apply(&rows).into_iter().map(|i| rows[i].name.clone()).collect::<Vec<_>>()
        };
        assert_eq!(order(SortBy::Rating, false), ["Alex Red", "Sam Amber", "Kai Green", "Robin Referred"]);
        assert_eq!(order(SortBy::Rating, true), ["Robin Referred", "Kai Green", "Sam Amber", "Alex Red"]);
        assert_eq!(order(SortBy::Name, false), ["Sam Amber", "Kai Green", "Alex Red", "Robin Referred"]);
        assert_eq!(order(SortBy::Name, true), ["Robin Referred", "Alex Red", "Kai Green", "Sam Amber"]);
        // Due dates turned round: the latest first, still those with nothing due last.
        let due = |names: Vec<String>| -> Vec<Option<NaiveDate>> {
            names
                .iter()
                .map(|n| rows.iter().find(|r| &r.name == n).and_then(|r| r.next_due.as_ref().map(|d| d.due_on)))
                .collect()
        };
        let latest_first = due(order(SortBy::NextDue, true));
        let dated: Vec<NaiveDate> = latest_first.iter().flatten().copied().collect();
        assert!(dated.windows(2).all(|w| w[0] >= w[1]), "{latest_first:?}");
        assert!(latest_first.iter().skip_while(|d| d.is_some()).all(Option::is_none), "{latest_first:?}");
        for sort in SortBy::ALL {
            assert_eq!(SortBy::from_name(sort.name()), Some(sort));
            assert_eq!(order(sort, false).len(), rows.len());
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

    /// The order every filter and column gives, worked out the long way: the column, then the name
    /// (the other way round for names descending), then the rows' given order.
    fn the_long_way(filter: &RegisterFilter, rows: &[RegisterRow]) -> Vec<usize> {
        use chrono::Datelike;
        let unsorted = RegisterFilter { search: filter.search.clone(), ..RegisterFilter::default() };
        let mut shown: Vec<usize> = (0..rows.len()).filter(|i| unsorted.matches(&rows[*i])).collect();
        let key = |row: &RegisterRow| -> (u8, i64) {
            let none_last = |x: Option<i64>| match x {
                Some(v) => (0, if filter.descending { -v } else { v }),
                None => (1, 0),
            };
            match filter.sort {
                SortBy::Name => (0, 0),
                SortBy::NextDue => none_last(row.next_due.as_ref().map(|d| d.due_on.num_days_from_ce().into())),
                SortBy::Age => none_last(Some(row.age.into())),
                SortBy::Rating => none_last(Some(risk_order(row).into())),
                SortBy::Keyworker => none_last(row.keyworker.as_ref().map(|k| k.len() as i64)),
            }
        };
        shown.sort_by(|a, b| {
            let (a, b) = (&rows[*a], &rows[*b]);
            let names = if filter.sort == SortBy::Name && filter.descending {
                b.sort_name.cmp(&a.sort_name)
            } else {
                a.sort_name.cmp(&b.sort_name)
            };
            key(a).cmp(&key(b)).then(names)
        });
        shown
    }

    proptest::proptest! {
        /// Rows handed over in name order (as the app keeps them) or in any order come out in the
        /// same order as the long way: the shortcut for rows in name order changes nothing.
        #[test]
        fn rows_in_name_order_sort_as_any_rows_do(
            people in proptest::collection::vec((0u8..4, 0u8..3, 0u8..5, 10i32..30, proptest::option::of(1u8..4)), 0..40),
            sort in 0usize..5,
            descending: bool,
            shuffle: bool,
        ) {
            let today = day(2026, 11, 25);
            let on = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
            let policy = AreaPolicy::default();
            let ratings = [Some(Rating::Red), Some(Rating::Amber), Some(Rating::Green), None, Some(Rating::Blue)];
            let mut rows: Vec<RegisterRow> = people
                .iter()
                .enumerate()
                .map(|(n, (family, given, rating, age, keyworker))| {
                    let mut f = file(n as u8, ["Ann", "Bo", "Cy"][*given as usize], ["Ash", "Ash Bay", "Bay", "ash"][*family as usize],
                        ratings[*rating as usize], on);
                    f.person.date_of_birth = day(2026 - age, 1 + (n % 12) as u32, 1);
                    if let Some(k) = keyworker {
                        f.person.keyworker = serde_json::from_value(serde_json::json!({ "name": "K".repeat(*k as usize), "role": "Keyworker" })).ok();
                    }
                    RegisterRow::of(&f, &policy, today)
                })
                .collect();
            if !shuffle {
                rows.sort_by(|a, b| a.sort_name.cmp(&b.sort_name));
            }
            let filter = RegisterFilter { sort: SortBy::ALL[sort], descending, ..RegisterFilter::default() };
            proptest::prop_assert_eq!(filter.apply(&rows), the_long_way(&filter, &rows));
            // `compare` is apply's order: a list kept with it (the app's, as rows change) shows the same.
            let mut by_compare: Vec<usize> = (0..rows.len()).filter(|i| filter.matches(&rows[*i])).collect();
            by_compare.sort_by(|a, b| filter.compare(&rows[*a], &rows[*b]).then(a.cmp(b)));
            proptest::prop_assert_eq!(filter.apply(&rows), by_compare);
        }

        /// Rows replaced in a sorted list come out as removing the old, adding the new and sorting
        /// everyone again would put them, whatever changes (none, some, all; rows not in the list).
        #[test]
        fn replacing_in_order_is_sorting_again(
            list in proptest::collection::btree_map(0u16..400, 0u8..20, 0..60),
            leaving in proptest::collection::vec(0u16..420, 0..20),
            joining in proptest::collection::btree_map(0u16..800, 0u8..20, 0..30),
        ) {
            // (key, id): a total order, as the app's (the column, the name, then the id).
            let order = |a: &(u8, u16), b: &(u8, u16)| a.cmp(b);
            let mut sorted: Vec<(u8, u16)> = list.iter().map(|(id, key)| (*key, *id)).collect();
            sorted.sort();
            let old: Vec<(u8, u16)> = leaving.iter().map(|id| (list.get(id).copied().unwrap_or(7), *id)).collect();
            // A row joining has an id not kept: a changed row comes back with its new key.
            let gone: std::collections::BTreeSet<u16> = leaving.iter().copied().collect();
            let new: Vec<(u8, u16)> = joining
                .iter()
                .filter(|(id, _)| !list.contains_key(id) || gone.contains(id))
                .map(|(id, key)| (*key, *id))
                .collect();
            let mut expected: Vec<(u8, u16)> =
                sorted.iter().filter(|(_, id)| !gone.contains(id)).copied().chain(new.iter().copied()).collect();
            expected.sort();
            replace_in_order(&mut sorted, &old, new, &order, &|a, b| a.1 == b.1);
            proptest::prop_assert_eq!(sorted, expected);
        }

        /// Counts and keyworkers kept as rows come and go are those of the rows left.
        #[test]
        fn counts_kept_as_rows_change_are_counted_again(
            people in proptest::collection::vec((0u8..5, proptest::option::of(1u8..4), proptest::bool::ANY, proptest::bool::ANY), 0..40),
            leaving in proptest::collection::btree_set(0usize..40, 0..20),
        ) {
            let today = day(2026, 11, 25);
            let policy = AreaPolicy::default();
            let ratings = [Some(Rating::Red), Some(Rating::Amber), Some(Rating::Green), None, Some(Rating::Blue)];
            let rows: Vec<RegisterRow> = people
                .iter()
                .enumerate()
                .map(|(n, (rating, keyworker, left, hidden))| {
                    let status = if *left { RegisterStatus::Left { on: day(2026, 10, 1), reason: crate::person::LeaveReason::MovedAway } } else { RegisterStatus::OnRegister { since: day(2026, 9, 1) } };
                    let mut f = file(n as u8, "Ann", "Ash", ratings[*rating as usize], status);
                    if let Some(k) = keyworker {
                        f.person.keyworker = serde_json::from_value(serde_json::json!({ "name": "K".repeat(*k as usize), "role": "Keyworker" })).ok();
                    }
                    let mut row = RegisterRow::of(&f, &policy, today);
                    if *hidden {
                        row.rating_hidden = true;
                        row.rating = None;
                    }
                    row
                })
                .collect();
            let (mut counts, mut tally) = (RatingCounts::of(&rows), KeyworkerTally::default());
            rows.iter().for_each(|r| tally.add(r));
            for n in &leaving {
                if let Some(row) = rows.get(*n) {
                    counts.remove(row);
                    tally.remove(row);
                }
            }
            let left: Vec<&RegisterRow> = rows.iter().enumerate().filter(|(n, _)| !leaving.contains(n)).map(|(_, r)| r).collect();
            proptest::prop_assert_eq!(counts, RatingCounts::of(&left));
            proptest::prop_assert_eq!(tally.names(), keyworkers(&left));
        }
    }
}
