//! Admissions to a mental health hospital: they make the person Blue and start the inpatient
//! review clock and, for people placed out of area, commissioner oversight visits.

use chrono::NaiveDate;

use crate::text::ShortText;
use crate::{AdmissionId, PersonId, Validate, ValidationErrors, validated};

validated! {
    /// One stay in a mental health hospital.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Admission (unchecked AdmissionUnchecked) {
        pub id: AdmissionId,
        pub person_id: PersonId,
        pub hospital: ShortText,
        pub admitted_on: NaiveDate,
        /// A secure setting (adults' inpatient reviews are then yearly).
        pub secure: bool,
        /// Placed outside the area (commissioner oversight visits).
        pub out_of_area: bool,
        /// No longer read: whether a community C(E)TR took place before the admission is worked out from
        /// the reviews on record ([`crate::due::PersonFile::community_review_before`]), never ticked.
        /// Kept so that admissions recorded before can still be read and changed.
        #[serde(default)]
        pub community_review_before: bool,
        #[serde(default)]
        pub discharged_on: Option<NaiveDate>,
        /// Days a commissioner visited.
        #[serde(default)]
        pub oversight_visits: Vec<NaiveDate>,
    }
}

impl Validate for Admission {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.discharged_on.is_some_and(|d| d < self.admitted_on),
            "discharged_on",
            "Discharge must be on or after the admission",
        );
        errors.require(
            self.oversight_visits.iter().any(|v| *v < self.admitted_on || self.discharged_on.is_some_and(|d| *v > d)),
            "oversight_visits",
            "Oversight visits happen during the stay",
        );
        errors.into_result()
    }
}

impl Admission {
    /// In hospital on `day`.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.admitted_on <= day && self.discharged_on.is_none_or(|d| d > day)
    }

    /// The last oversight visit, or the admission when there has been none.
    pub fn last_oversight(&self) -> NaiveDate {
        self.oversight_visits.iter().copied().max().unwrap_or(self.admitted_on).max(self.admitted_on)
    }
}

/// The admission open on `day`, if any (the latest, should records overlap).
pub fn current_admission(admissions: &[Admission], day: NaiveDate) -> Option<&Admission> {
    admissions.iter().filter(|a| a.open_on(day)).max_by_key(|a| a.admitted_on)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::day;

    fn admission(admitted_on: NaiveDate, discharged_on: Option<NaiveDate>) -> Admission {
        Admission {
            id: AdmissionId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            hospital: ShortText::parse("Example Hospital").unwrap_or_else(|e| panic!("{e}")),
            admitted_on,
            secure: false,
            out_of_area: true,
            community_review_before: false,
            discharged_on,
            oversight_visits: Vec::new(),
        }
    }

    #[test]
    fn an_admission_is_open_until_discharge() {
        let a = admission(day(2026, 3, 1), Some(day(2026, 4, 1)));
        assert!(a.open_on(day(2026, 3, 1)) && a.open_on(day(2026, 3, 31)));
        assert!(!a.open_on(day(2026, 4, 1)) && !a.open_on(day(2026, 2, 28)));
        let admissions = [a, admission(day(2026, 5, 1), None)];
        assert_eq!(current_admission(&admissions, day(2026, 6, 1)).map(|a| a.admitted_on), Some(day(2026, 5, 1)));
        assert!(current_admission(&admissions, day(2026, 4, 10)).is_none());
    }

    #[test]
    fn discharge_before_admission_is_refused_even_in_json() {
        let bad = admission(day(2026, 3, 1), Some(day(2026, 2, 1)));
        assert!(bad.validate().is_err());
        let json = serde_json::to_string(&bad).unwrap_or_default();
        assert!(serde_json::from_str::<Admission>(&json).is_err());
        let mut visits = admission(day(2026, 3, 1), None);
        visits.oversight_visits = vec![day(2026, 4, 1), day(2026, 2, 1)];
        assert!(visits.validate().is_err());
        visits.oversight_visits.pop();
        assert_eq!(visits.last_oversight(), day(2026, 4, 1));
    }
}
