//! A keyworker's note of a home visit, written on a tablet, often with no signal.

use chrono::NaiveDate;

use crate::text::{LongText, ShortText};
use crate::{PersonId, Validate, ValidationErrors, VisitNoteId, validated};

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct VisitNote (unchecked VisitNoteUnchecked) {
        pub id: VisitNoteId,
        pub person_id: PersonId,
        pub visited_on: NaiveDate,
        pub by: ShortText,
        #[serde(default)]
        pub place: Option<ShortText>,
        pub note: LongText,
        /// The young person's views, in their own words.
        #[serde(default)]
        pub young_persons_views: Option<LongText>,
        #[serde(default)]
        pub family_views: Option<LongText>,
        /// Risks noticed during the visit (for the next DSR meeting).
        #[serde(default)]
        pub risks_noticed: Option<LongText>,
    }
}

impl Validate for VisitNote {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

impl VisitNote {
    /// A visit cannot be recorded for a day that has not happened yet.
    pub fn check_date(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.visited_on > today, "visited_on", "The visit date must be today or in the past");
        errors.into_result()
    }
}
