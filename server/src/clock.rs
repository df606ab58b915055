//! The server's idea of now. Handlers ask the state's clock, so tests can move time.

use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    /// The machine's clock.
    #[default]
    System,
    /// A fixed instant, for tests.
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Today's date in England (British Summer Time included).
    pub fn today(&self) -> NaiveDate {
        dsr_shared::calendar::date_in_england(self.now())
    }
}
