//! An area's people's files as the server holds them (every record that is not deleted), for the
//! downloads and the aggregate return, which work them out with the same `shared` code as the app.

use dsr_shared::RecordId;
use dsr_shared::due::{DUE_INPUTS, PersonFile};
use dsr_shared::sync::{Fields, RecordKind};

use crate::error::AppError;
use crate::store::Store;

impl Store {
    /// Every person's file in `area`.
    pub async fn area_files(&self, area: &str) -> Result<Vec<PersonFile>, AppError> {
        // What the due engine reads, and the DSR meetings' decisions: everything a file holds.
        let kinds: Vec<String> =
            DUE_INPUTS.iter().chain(&[RecordKind::MeetingDecision]).map(|k| format!("'{}'", k.name())).collect();
        let sql = format!(
            "SELECT id, kind, fields FROM records WHERE area_id = ? AND deleted = 0 AND kind IN ({})",
            kinds.join(", ")
        );
        let rows: Vec<(String, String, String)> = sqlx::query_as(&sql).bind(area).fetch_all(self.pool()).await?;
        let mut records = Vec::with_capacity(rows.len());
        for (id, kind, fields) in rows {
            let id: RecordId = id.parse().map_err(|_| AppError::Corrupt(format!("record id {id}")))?;
            let kind = RecordKind::from_name(&kind).ok_or_else(|| AppError::Corrupt(format!("record kind {kind}")))?;
            let fields: Fields =
                serde_json::from_str(&fields).map_err(|e| AppError::Corrupt(format!("record fields: {e}")))?;
            records.push((kind, id, fields));
        }
        Ok(PersonFile::gather(records.iter().map(|(kind, id, fields)| (*kind, *id, fields))))
    }
}
