//! The sync engine's tables: push runs the shared push logic (`dsr_shared::sync::push`) inside one
//! `BEGIN IMMEDIATE` transaction (SQLite's single writer, so change numbers have no gaps) and answers
//! only after the commit is durable (`synchronous=FULL`). Pull pages the change log by number.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::sync::push::{Batch, process};
use dsr_shared::sync::{Change, PullResponse, PushRequest, PushResponse, PushResult, Record, RecordKind};
use dsr_shared::{ClientId, RecordId};
use serde_json::Value;
use sqlx::{Sqlite, Transaction};

use crate::{AppError, Store};

fn json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Corrupt(format!("cannot encode: {e}")))
}

/// A record kind as stored in a column (`person`): its JSON name without the quotes.
fn kind_text(kind: RecordKind) -> Result<String, AppError> {
    match serde_json::to_value(kind) {
        Ok(Value::String(text)) => Ok(text),
        _ => Err(AppError::Corrupt(format!("record kind {kind:?} has no name"))),
    }
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// Applies a device's mutations: exactly once per (client, seq), in order, merged per field.
    pub async fn push(
        &self,
        request: &PushRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PushResponse, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let client = request.client_id.to_string();
        let last_seq: Option<(i64,)> = sqlx::query_as("SELECT last_seq FROM sync_clients WHERE client_id = ?")
            .bind(&client)
            .fetch_optional(&mut *tx)
            .await?;
        let last_seq = last_seq.map_or(0, |(s,)| s as u64);
        let mut batch = Batch { last_seq, ..Batch::default() };

        let repeated: Vec<i64> = request.mutations.iter().filter(|m| m.seq <= last_seq).map(|m| m.seq as i64).collect();
        if let (Some(low), Some(high)) = (repeated.iter().min(), repeated.iter().max()) {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT seq, result FROM client_mutations WHERE client_id = ? AND seq BETWEEN ? AND ?")
                    .bind(&client)
                    .bind(low)
                    .bind(high)
                    .fetch_all(&mut *tx)
                    .await?;
            for (seq, result) in rows {
                batch.stored.insert(seq as u64, parse::<PushResult>(&result, "stored answer")?);
            }
        }
        let ids: std::collections::BTreeSet<RecordId> = request.mutations.iter().map(|m| m.record_id).collect();
        for id in ids {
            if let Some(record) = record(&mut *tx, id).await? {
                batch.records.insert(id, record);
            }
        }
        let (max_seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(change_seq), 0) FROM change_log").fetch_one(&mut *tx).await?;
        batch.next_change_seq = max_seq as u64 + 1;

        let results = process(&mut batch, request.client_id, &request.mutations, now, today);
        write(&mut tx, request.client_id, &batch, now).await?;
        tx.commit().await?;
        Ok(PushResponse { results })
    }

    /// Up to `limit` changes after `cursor`, in order.
    pub async fn pull(&self, cursor: u64, limit: u32) -> Result<PullResponse, AppError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT change_seq, record FROM change_log WHERE change_seq > ? ORDER BY change_seq LIMIT ?",
        )
        .bind(cursor as i64)
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let more = rows.len() > limit as usize;
        let changes = rows
            .into_iter()
            .take(limit as usize)
            .map(|(seq, record)| Ok(Change { change_seq: seq as u64, record: parse(&record, "change log")? }))
            .collect::<Result<Vec<_>, AppError>>()?;
        let cursor = changes.last().map_or(cursor, |c| c.change_seq);
        Ok(PullResponse { changes, removed: Vec::new(), cursor, more })
    }

    /// The current state of a record.
    pub async fn record(&self, id: RecordId) -> Result<Option<Record>, AppError> {
        record(self.pool(), id).await
    }

    /// Every conflict not yet resolved, oldest first.
    pub async fn open_conflicts(&self) -> Result<Vec<dsr_shared::sync::Conflict>, AppError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT json_object('id', id, 'record_id', record_id, 'kind', kind, 'field', field, 'base', json(base),
                    'theirs', json(theirs), 'ours', json(ours), 'client_id', client_id, 'client_seq', client_seq, 'at', at)
             FROM conflicts WHERE resolved_at IS NULL ORDER BY at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|(row,)| parse(row, "conflict")).collect()
    }
}

async fn record<'e, E>(executor: E, id: RecordId) -> Result<Option<Record>, AppError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let row: Option<(String, String, i64, String, i64)> =
        sqlx::query_as("SELECT id, kind, version, fields, deleted FROM records WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(executor)
            .await?;
    row.map(to_record).transpose()
}

fn to_record((id, kind, version, fields, deleted): (String, String, i64, String, i64)) -> Result<Record, AppError> {
    Ok(Record {
        id: id.parse().map_err(|_| AppError::Corrupt(format!("record id {id}")))?,
        kind: parse(&Value::String(kind).to_string(), "record kind")?,
        version: version as u64,
        fields: parse(&fields, "record fields")?,
        deleted: deleted != 0,
    })
}

async fn write(
    tx: &mut Transaction<'_, Sqlite>,
    client: ClientId,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let at = now.to_rfc3339();
    let client_text = client.to_string();
    // Which mutation made each change (for the log's audit columns).
    let made_by: BTreeMap<u64, u64> = batch
        .answered
        .iter()
        .filter_map(|r| match &r.outcome {
            dsr_shared::sync::PushOutcome::Applied { change_seq, .. } => Some((*change_seq, r.seq)),
            dsr_shared::sync::PushOutcome::Conflict { change_seq: Some(change_seq), .. } => Some((*change_seq, r.seq)),
            _ => None,
        })
        .collect();
    for change in &batch.changes {
        let record = &change.record;
        let kind = kind_text(record.kind)?;
        let client_seq = made_by.get(&change.change_seq).copied().unwrap_or(0);
        sqlx::query(
            "INSERT INTO change_log (change_seq, record_id, kind, version, record, client_id, client_seq, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(change.change_seq as i64)
        .bind(record.id.to_string())
        .bind(&kind)
        .bind(record.version as i64)
        .bind(json(record)?)
        .bind(&client_text)
        .bind(client_seq as i64)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO records (id, kind, version, fields, deleted, change_seq) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, fields = excluded.fields,
                 deleted = excluded.deleted, change_seq = excluded.change_seq",
        )
        .bind(record.id.to_string())
        .bind(&kind)
        .bind(record.version as i64)
        .bind(json(&record.fields)?)
        .bind(i64::from(record.deleted))
        .bind(change.change_seq as i64)
        .execute(&mut **tx)
        .await?;
    }
    for result in &batch.answered {
        sqlx::query("INSERT INTO client_mutations (client_id, seq, result, at) VALUES (?, ?, ?, ?)")
            .bind(&client_text)
            .bind(result.seq as i64)
            .bind(json(result)?)
            .bind(&at)
            .execute(&mut **tx)
            .await?;
    }
    if !batch.answered.is_empty() {
        sqlx::query(
            "INSERT INTO sync_clients (client_id, last_seq) VALUES (?, ?)
             ON CONFLICT (client_id) DO UPDATE SET last_seq = excluded.last_seq",
        )
        .bind(&client_text)
        .bind(batch.last_seq as i64)
        .execute(&mut **tx)
        .await?;
    }
    for conflict in &batch.conflicts {
        sqlx::query(
            "INSERT INTO conflicts (id, record_id, kind, field, base, theirs, ours, client_id, client_seq, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&conflict.id)
        .bind(conflict.record_id.to_string())
        .bind(kind_text(conflict.kind)?)
        .bind(&conflict.field)
        .bind(json(&conflict.base)?)
        .bind(json(&conflict.theirs)?)
        .bind(json(&conflict.ours)?)
        .bind(&client_text)
        .bind(conflict.client_seq as i64)
        .bind(conflict.at.to_rfc3339())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
