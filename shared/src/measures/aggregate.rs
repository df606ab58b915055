//! The anonymised aggregate return: the people on the register at a month end, counted by rating, age
//! band, diagnosis and whether they are in hospital, with small numbers hidden. No name, NHS number,
//! date of birth or free text can be in it: a row is a breakdown's name, a category from a fixed list
//! and a figure. The app previews it and the server sends it (CSV, XLSX) with this same code.

use chrono::NaiveDate;
use serde::Serialize;

use super::{RATING_ORDER, on_register_on};
use crate::admission::current_admission;
use crate::due::PersonFile;
use crate::person::{Diagnosis, age_on};
use crate::policy::ReturnPolicy;
use crate::rating::{Rating, rating_on};
use crate::register::AgeGroup;

/// One line of the return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRow {
    /// "All", "Rating", "Age band", "Diagnosis" or "Inpatient status".
    pub breakdown: &'static str,
    pub category: &'static str,
    /// The count as published: exact, `*` for a hidden small number, or a total rounded.
    pub figure: String,
}

/// The return for one month end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AggregateReturn {
    pub month_end: NaiveDate,
    pub rows: Vec<ReturnRow>,
    /// How small numbers were hidden, in words, for the file's reader.
    pub note: String,
}

/// The column names of the return as a table.
pub const COLUMNS: [&str; 4] = ["Month end", "Breakdown", "Category", "Number of people"];

impl AggregateReturn {
    /// The return as rows of text, under [`COLUMNS`].
    pub fn table(&self) -> Vec<[String; 4]> {
        self.rows
            .iter()
            .map(|r| [self.month_end.to_string(), r.breakdown.to_string(), r.category.to_string(), r.figure.clone()])
            .collect()
    }
}

/// A count as published: 0 as it is, 1 up to the threshold hidden as `*`, the rest as they are.
pub fn suppressed(count: usize, rules: &ReturnPolicy) -> String {
    if count > 0 && count < rules.suppress_below as usize { "*".to_string() } else { count.to_string() }
}

/// A total as published: rounded to the nearest multiple (halves up), a small total hidden like any count.
pub fn rounded_total(count: usize, rules: &ReturnPolicy) -> String {
    if count > 0 && count < rules.suppress_below as usize {
        return "*".to_string();
    }
    let to = rules.round_totals_to.max(1) as usize;
    ((count + to / 2) / to * to).to_string()
}

fn diagnosis_label(diagnosis: Option<Diagnosis>) -> &'static str {
    diagnosis.unwrap_or(Diagnosis::Pending).label()
}

const DIAGNOSES: [&str; 4] = [
    Diagnosis::LearningDisability.label(),
    Diagnosis::Autism.label(),
    Diagnosis::Both.label(),
    Diagnosis::Pending.label(),
];

fn rating_label(rating: Option<Rating>) -> &'static str {
    rating.map_or("Not rated", |r| r.label())
}

/// The return for the people on the register at the end of `month_end`.
pub fn aggregate_return<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    month_end: NaiveDate,
    rules: &ReturnPolicy,
) -> AggregateReturn {
    let mut total = 0usize;
    let mut ratings = [0usize; 5];
    let mut ages = [0usize; 3];
    let mut diagnoses = [0usize; 4];
    let mut in_hospital = [0usize; 2];
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        if !on_register_on(file, month_end) {
            continue;
        }
        total += 1;
        let rating = rating_on(&file.ratings, month_end).map(|c| c.to);
        if let Some(i) = RATING_ORDER.iter().position(|r| *r == rating) {
            ratings[i] += 1;
        }
        let band = AgeGroup::of(age_on(file.person.date_of_birth, month_end));
        if let Some(i) = AgeGroup::ALL.iter().position(|b| *b == band) {
            ages[i] += 1;
        }
        if let Some(i) = DIAGNOSES.iter().position(|d| *d == diagnosis_label(file.person.diagnosis)) {
            diagnoses[i] += 1;
        }
        in_hospital[usize::from(current_admission(&file.admissions, month_end).is_none())] += 1;
    }
    let mut rows =
        vec![ReturnRow { breakdown: "All", category: "People on the register", figure: rounded_total(total, rules) }];
    let mut add = |breakdown: &'static str, category: &'static str, count: usize| {
        rows.push(ReturnRow { breakdown, category, figure: suppressed(count, rules) });
    };
    for (rating, count) in RATING_ORDER.iter().zip(ratings) {
        add("Rating", rating_label(*rating), count);
    }
    for (band, count) in AgeGroup::ALL.iter().zip(ages) {
        add("Age band", band.label(), count);
    }
    for (diagnosis, count) in DIAGNOSES.iter().zip(diagnoses) {
        add("Diagnosis", diagnosis, count);
    }
    add("Inpatient status", "In a mental health hospital", in_hospital[0]);
    add("Inpatient status", "In the community", in_hospital[1]);
    let note = format!(
        "Counts from 1 to {} are shown as *; the total is rounded to the nearest {}. No names, NHS numbers, dates of birth or free text.",
        rules.suppress_below.saturating_sub(1),
        rules.round_totals_to
    );
    AggregateReturn { month_end, rows, note }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn small_numbers_are_hidden_and_totals_rounded_as_the_area_says() {
        let rules = ReturnPolicy::default();
        let shown: Vec<String> = [0, 1, 4, 5, 6, 123].iter().map(|n| suppressed(*n, &rules)).collect();
        assert_eq!(shown, ["0", "*", "*", "5", "6", "123"]);
        let totals: Vec<String> = [0, 3, 5, 7, 8, 12, 13, 123].iter().map(|n| rounded_total(*n, &rules)).collect();
        assert_eq!(totals, ["0", "*", "5", "5", "10", "10", "15", "125"]);
        let exact = ReturnPolicy { suppress_below: 1, round_totals_to: 1 };
        assert_eq!(suppressed(1, &exact), "1");
        assert_eq!(rounded_total(13, &exact), "13");
        let stricter = ReturnPolicy { suppress_below: 10, round_totals_to: 10 };
        assert_eq!(suppressed(9, &stricter), "*");
        assert_eq!(rounded_total(14, &stricter), "10");
        assert_eq!(rounded_total(15, &stricter), "20");
    }
}
