//! An area's people's files as the server holds them (every record that is not deleted), for the
//! downloads and the aggregate return, which work them out with the same `shared` code as the app.

use dsr_shared::due::{DUE_INPUTS, PersonFile};
use dsr_shared::sync::RecordKind;

use crate::error::AppError;
use crate::store::Store;

impl Store {
    /// Every person's file in `area`.
    pub async fn area_files(&self, area: &str) -> Result<Vec<PersonFile>, AppError> {
        // What the due engine reads, and the DSR meetings' decisions: everything a file holds.
        let kinds: Vec<RecordKind> = DUE_INPUTS.iter().copied().chain([RecordKind::MeetingDecision]).collect();
        let records = self.read().await?.records_in_area(area, &kinds).await?;
        Ok(PersonFile::gather(records.iter().map(|r| (r.kind, r.id, &r.fields))))
    }
}
