//! What a coordinator downloads: the register and the follow-up list as tables with the columns their
//! spreadsheet has today, and those tables (and the aggregate return) as CSV. The server writes the same
//! tables as XLSX. Pure: the files, the policy and `today` are arguments.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::agency_of;
use crate::admission::current_admission;
use crate::due::PersonFile;
use crate::person::RegisterStatus;
use crate::policy::AreaPolicy;
use crate::rating::{Rating, current_rating};
use crate::register::{AgeGroup, RegisterFilter, RegisterRow, StatusFilter};
use crate::validation::ValidationErrors;

/// One cell: text, a whole number or a date (a spreadsheet keeps each as what it is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Number(i64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        let value = value.into();
        if value.is_empty() { Cell::Empty } else { Cell::Text(value) }
    }

    fn date(value: Option<NaiveDate>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }

    /// As CSV writes it: dates as YYYY-MM-DD; text a spreadsheet would run as a formula starts with `'`
    /// so it stays text ([`crate::text::spreadsheet_cell`]).
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(text) => crate::text::spreadsheet_cell(text).into_owned(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table to download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The sheet's name (also the file's).
    pub name: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as CSV (RFC 4180), its columns' names first.
    pub fn to_csv(&self) -> Result<String, String> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let fail = |e: csv::Error| format!("cannot write CSV: {e}");
        writer.write_record(&self.columns).map_err(fail)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(Cell::csv)).map_err(fail)?;
        }
        let bytes = writer.into_inner().map_err(|e| format!("cannot write CSV: {e}"))?;
        String::from_utf8(bytes).map_err(|e| format!("cannot write CSV: {e}"))
    }
}

/// Which people and actions a download holds, from the query string: `rating` (names separated by
/// commas, `not_rated` for those not rated), `status`, `age`, `overdue` (`yes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFilters {
    pub ratings: Vec<Option<Rating>>,
    pub status: Option<StatusFilter>,
    pub age: Option<AgeGroup>,
    pub overdue_only: bool,
}

fn rating_name(rating: Option<Rating>) -> &'static str {
    match rating {
        Some(Rating::Red) => "red",
        Some(Rating::Amber) => "amber",
        Some(Rating::Green) => "green",
        Some(Rating::Blue) => "blue",
        None => "not_rated",
    }
}

impl ExportFilters {
    /// Reads the query's fields; any other field is refused (a typing slip must not download everyone).
    pub fn parse(query: &BTreeMap<String, String>) -> Result<ExportFilters, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut filters = ExportFilters::default();
        for (field, value) in query {
            let value = value.trim();
            match field.as_str() {
                "rating" => {
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        match super::RATING_ORDER.iter().find(|r| rating_name(**r) == name) {
                            Some(rating) => filters.ratings.push(*rating),
                            None => errors.add(
                                "rating",
                                format!("'{name}' is not a rating: red, amber, green, blue or not_rated"),
                            ),
                        }
                    }
                }
                "status" if value.is_empty() => {}
                "status" => match StatusFilter::from_name(value) {
                    Some(status) => filters.status = Some(status),
                    None => errors.add("status", "Choose referred, on_register or left"),
                },
                "age" if value.is_empty() => {}
                "age" => match AgeGroup::from_name(value) {
                    Some(age) => filters.age = Some(age),
                    None => errors.add("age", "Choose child, young_person or adult"),
                },
                "overdue" => match value {
                    "yes" => filters.overdue_only = true,
                    "" | "no" => {}
                    _ => errors.add("overdue", "Answer yes or no"),
                },
                _ => errors.add(field.as_str(), format!("'{field}' is not a filter: rating, status, age or overdue")),
            }
        }
        if errors.is_empty() { Ok(filters) } else { Err(errors) }
    }

    /// The filters in words, for the audit trail ("all people" when none).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.ratings.is_empty() {
            let names: Vec<&str> = self.ratings.iter().map(|r| rating_name(*r)).collect();
            parts.push(format!("rating={}", names.join(",")));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={}", status.name()));
        }
        if let Some(age) = self.age {
            parts.push(format!("age={}", age.name()));
        }
        if self.overdue_only {
            parts.push("overdue=yes".to_string());
        }
        if parts.is_empty() { "all people".to_string() } else { parts.join("; ") }
    }

    fn register_filter(&self) -> RegisterFilter {
        RegisterFilter {
            ratings: self.ratings.clone(),
            status: self.status,
            age_group: self.age,
            overdue_only: self.overdue_only,
            ..RegisterFilter::default()
        }
    }
}

/// The register's columns.
pub const REGISTER_COLUMNS: [&str; 24] = [
    "Family name",
    "Given name",
    "NHS number",
    "Date of birth",
    "Age",
    "Age band",
    "Diagnosis",
    "Register status",
    "On the register since",
    "Left on",
    "Rating",
    "Rated on",
    "Why this rating",
    "Keyworker",
    "Care coordinator",
    "Local authority or postcode",
    "EHC plan",
    "In hospital since",
    "Hospital",
    "Placed out of area",
    "Last C(E)TR held",
    "Next due",
    "Next due by",
    "Overdue items",
];

/// The register as a table: one row per person the filters keep, in name order.
pub fn register_table<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &ExportFilters,
    today: NaiveDate,
) -> Table {
    let filter = filters.register_filter();
    let mut people: Vec<(RegisterRow, &PersonFile)> = files
        .iter()
        .map(std::borrow::Borrow::borrow)
        .map(|file| (RegisterRow::of(file, policy, today), file))
        .filter(|(row, _)| filter.matches(row))
        .collect();
    people.sort_by(|a, b| a.0.sort_name.cmp(&b.0.sort_name));
    let rows = people
        .into_iter()
        .map(|(row, file)| {
            let person = &file.person;
            let rated = current_rating(&file.ratings);
            let stay = current_admission(&file.admissions, today);
            let (since, left) = match person.register_status {
                RegisterStatus::OnRegister { since } => (Some(since), None),
                RegisterStatus::Left { on, .. } => (super::joined_on(file), Some(on)),
                RegisterStatus::Referred => (None, None),
            };
            let last_review = file.reviews.iter().filter(|r| r.was_held()).filter_map(|r| r.meeting_on).max();
            vec![
                Cell::text(person.family_name.as_str()),
                Cell::text(person.given_name.as_str()),
                Cell::text(person.nhs_number.as_ref().map(ToString::to_string).unwrap_or_default()),
                Cell::Date(person.date_of_birth),
                Cell::Number(i64::from(row.age)),
                Cell::text(row.age_group().label()),
                Cell::text(person.diagnosis.map(|d| d.label()).unwrap_or("Not recorded")),
                Cell::text(row.status.label()),
                Cell::date(since),
                Cell::date(left),
                Cell::text(rated.map_or("Not rated", |c| c.to.label())),
                Cell::date(rated.map(|c| crate::calendar::date_in_england(c.at))),
                Cell::text(rated.map(|c| c.reason.as_str().to_string()).unwrap_or_default()),
                Cell::text(person.keyworker.as_ref().map(|k| k.name.as_str().to_string()).unwrap_or_default()),
                Cell::text(person.care_coordinator.as_ref().map(|k| k.name.as_str().to_string()).unwrap_or_default()),
                Cell::text(
                    person.local_authority_or_postcode.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
                ),
                Cell::text(person.ehc_plan.label()),
                Cell::date(stay.map(|s| s.admitted_on)),
                Cell::text(stay.map(|s| s.hospital.as_str().to_string()).unwrap_or_default()),
                Cell::text(stay.map(|s| if s.out_of_area { "Yes" } else { "No" }).unwrap_or_default()),
                Cell::date(last_review),
                Cell::text(row.next_due.as_ref().map(|d| d.rule.label()).unwrap_or_default()),
                Cell::date(row.next_due.as_ref().map(|d| d.due_on)),
                Cell::Number(row.overdue as i64),
            ]
        })
        .collect();
    Table { name: "Register".to_string(), columns: REGISTER_COLUMNS.to_vec(), rows }
}

/// The follow-up list's columns.
pub const FOLLOW_UP_COLUMNS: [&str; 12] = [
    "Owner",
    "Agency",
    "Family name",
    "Given name",
    "NHS number",
    "Action",
    "Due by",
    "Overdue",
    "Status",
    "From",
    "Latest update",
    "Family disagrees",
];

/// The follow-up list as a table: every open action (only the overdue ones if the filters say so) of
/// the people the filters keep, by owner, then due day.
pub fn follow_up_table<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &ExportFilters,
    today: NaiveDate,
) -> Table {
    let people = ExportFilters { overdue_only: false, ..filters.clone() }.register_filter();
    let mut actions = Vec::new();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        if !people.matches(&RegisterRow::of(file, policy, today)) {
            continue;
        }
        for action in file.actions.iter().filter(|a| a.is_open()) {
            if filters.overdue_only && !action.is_overdue(today) {
                continue;
            }
            actions.push((file, action));
        }
    }
    actions.sort_by(|(_, a), (_, b)| {
        a.owner.as_str().to_lowercase().cmp(&b.owner.as_str().to_lowercase()).then(a.due_on.cmp(&b.due_on))
    });
    let rows = actions
        .into_iter()
        .map(|(file, action)| {
            let person = &file.person;
            let from = match action.review_id.and_then(|id| file.reviews.iter().find(|r| r.id == id)) {
                Some(review) => match review.meeting_on {
                    Some(on) => format!("{} on {}", review.name.short(), on.format("%-d %B %Y")),
                    None => review.name.short().to_string(),
                },
                None if action.meeting_id.is_some() => "DSR meeting".to_string(),
                None => String::new(),
            };
            let latest = action.updates.iter().max_by_key(|u| u.on);
            vec![
                Cell::text(action.owner.as_str()),
                Cell::text(agency_of(file, action)),
                Cell::text(person.family_name.as_str()),
                Cell::text(person.given_name.as_str()),
                Cell::text(person.nhs_number.as_ref().map(ToString::to_string).unwrap_or_default()),
                Cell::text(action.description.as_str()),
                Cell::Date(action.due_on),
                Cell::text(if action.is_overdue(today) { "Yes" } else { "No" }),
                Cell::text(action.status.label()),
                Cell::text(from),
                Cell::text(latest.map(|u| format!("{}: {}", u.on, u.note.as_str())).unwrap_or_default()),
                Cell::text(if action.family_disagreement.is_some() { "Yes" } else { "No" }),
            ]
        })
        .collect();
    Table { name: "Follow-up".to_string(), columns: FOLLOW_UP_COLUMNS.to_vec(), rows }
}

/// The aggregate return as a table (its note as a last row of its own).
pub fn return_table(aggregate: &super::aggregate::AggregateReturn) -> Table {
    let mut rows: Vec<Vec<Cell>> =
        aggregate.table().into_iter().map(|row| row.into_iter().map(Cell::text).collect()).collect();
    rows.push(vec![Cell::text("Note"), Cell::text(aggregate.note.clone()), Cell::Empty, Cell::Empty]);
    Table { name: format!("Return {}", aggregate.month_end), columns: super::aggregate::COLUMNS.to_vec(), rows }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_stays_text() {
        assert_eq!(Cell::text("=HYPERLINK(\"x\")").csv(), "'=HYPERLINK(\"x\")");
        assert_eq!(Cell::text("-1+2").csv(), "'-1+2");
        assert_eq!(Cell::text("@SUM(A1)").csv(), "'@SUM(A1)");
        assert_eq!(Cell::text("Amber").csv(), "Amber");
        assert_eq!(Cell::Number(-3).csv(), "-3");
        let table = Table {
            name: "T".into(),
            columns: vec!["A", "B"],
            rows: vec![vec![Cell::text("one, two"), Cell::text("say \"hi\"")], vec![Cell::Empty, Cell::Number(4)]],
        };
        assert_eq!(table.to_csv().unwrap_or_default(), "A,B\n\"one, two\",\"say \"\"hi\"\"\"\n,4\n");
    }

    #[test]
    fn export_filters_are_read_from_the_query_and_a_stranger_field_is_refused() {
        let query = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let filters =
            ExportFilters::parse(&query(&[("rating", "red,not_rated"), ("age", "child"), ("overdue", "yes")]))
                .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(filters.ratings, vec![Some(Rating::Red), None]);
        assert_eq!(filters.age, Some(AgeGroup::Child));
        assert!(filters.overdue_only);
        assert_eq!(filters.describe(), "rating=red,not_rated; age=child; overdue=yes");
        assert_eq!(ExportFilters::parse(&query(&[])).map(|f| f.describe()).ok().as_deref(), Some("all people"));
        for bad in [("rating", "purple"), ("status", "gone"), ("age", "old"), ("overdue", "maybe"), ("ratings", "red")]
        {
            let errors = ExportFilters::parse(&query(&[bad])).err().unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(errors.message_for(bad.0).is_some(), "{bad:?}: {errors:?}");
        }
    }
}
