//! An in-memory server on the same push logic as the real one: the reference the seeded simulation
//! runs thousands of times, and a model of what the SQLite server stores.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::push::{Batch, process};
use super::{Change, Conflict, PullResponse, PushRequest, PushResponse, PushResult, Record};
use crate::{ClientId, RecordId};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientState {
    pub last_seq: u64,
    pub results: BTreeMap<u64, PushResult>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryServer {
    pub records: BTreeMap<RecordId, Record>,
    /// The change log: entry i has change_seq i + 1.
    pub log: Vec<Change>,
    pub clients: BTreeMap<ClientId, ClientState>,
    pub conflicts: Vec<Conflict>,
}

impl MemoryServer {
    pub fn push(&mut self, request: &PushRequest, now: DateTime<Utc>, today: NaiveDate) -> PushResponse {
        let client = self.clients.entry(request.client_id).or_default();
        let mut batch = Batch {
            records: request
                .mutations
                .iter()
                .filter_map(|m| self.records.get(&m.record_id).map(|r| (r.id, r.clone())))
                .collect(),
            last_seq: client.last_seq,
            stored: request
                .mutations
                .iter()
                .filter_map(|m| client.results.get(&m.seq).map(|r| (m.seq, r.clone())))
                .collect(),
            next_change_seq: self.log.len() as u64 + 1,
            ..Batch::default()
        };
        let results = process(&mut batch, request.client_id, &request.mutations, now, today);
        client.last_seq = batch.last_seq;
        client.results.extend(batch.answered.into_iter().map(|r| (r.seq, r)));
        for change in batch.changes {
            self.records.insert(change.record.id, change.record.clone());
            self.log.push(change);
        }
        self.conflicts.extend(batch.conflicts);
        PushResponse { results }
    }

    /// Changes after `cursor`, at most `limit`.
    pub fn pull(&self, cursor: u64, limit: usize) -> PullResponse {
        let start = usize::try_from(cursor).unwrap_or(usize::MAX).min(self.log.len());
        let changes: Vec<Change> = self.log[start..].iter().take(limit.max(1)).cloned().collect();
        let cursor = changes.last().map_or(cursor, |c| c.change_seq);
        let more = (cursor as usize) < self.log.len();
        PullResponse { changes, removed: Vec::new(), cursor, more, view: 0, reset: false }
    }
}
