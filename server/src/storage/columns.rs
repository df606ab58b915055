//! The columns the backends read, as `sqlx::FromRow` structs that serve both (each backend's SQL
//! gives them the same names and types: JSON as text, times as text), and their reading into the
//! named rows of [`super::rows`]. A backend's own files hold only its SQL.

use dsr_shared::access::{Role, View};
use dsr_shared::accounts::{AreaSummary, AuditEntry};
use dsr_shared::sync::{Conflict, Record, RecordKind};

use super::{ConflictRow, DeviceRow, PolicyRow, RecordFields, SessionRow, StoredRecord, StoredUser};
use super::{from_id, from_json, from_time};
use crate::AppError;

/// A record kind by its stored name.
pub(super) fn kind(name: &str) -> Result<RecordKind, AppError> {
    RecordKind::from_name(name).ok_or_else(|| AppError::Corrupt(format!("record kind {name}")))
}

/// `error`, or `instead` when it is a unique constraint refusing a row.
pub(super) fn unless_unique(error: sqlx::Error, instead: impl FnOnce() -> AppError) -> AppError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => instead(),
        _ => error.into(),
    }
}

/// A username taken, said on the field.
pub(super) fn username_taken() -> AppError {
    let mut errors = dsr_shared::ValidationErrors::new();
    errors.add("username", "This username is taken: choose another");
    errors.into()
}

#[derive(sqlx::FromRow)]
pub(super) struct DeviceColumns {
    last_seq: i64,
    user_id: Option<String>,
    claimed_at: Option<String>,
    view_no: i64,
    view: Option<String>,
    prev_view_no: Option<i64>,
    prev_view: Option<String>,
}

impl DeviceColumns {
    pub(super) fn read(self) -> Result<DeviceRow, AppError> {
        let view = |text: Option<String>| text.map(|t| from_json::<View>(&t, "device view")).transpose();
        Ok(DeviceRow {
            last_seq: self.last_seq as u64,
            owner: self.user_id.as_deref().map(|u| from_id(u, "device owner")).transpose()?,
            claimed_at: self.claimed_at.as_deref().map(|t| from_time(t, "device claimed")).transpose()?,
            view_no: self.view_no as u64,
            view: view(self.view)?,
            prev_view_no: self.prev_view_no.map(|n| n as u64),
            prev_view: view(self.prev_view)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RecordColumns {
    id: String,
    kind: String,
    version: i64,
    fields: String,
    deleted: bool,
    area_id: Option<String>,
    change_seq: i64,
}

impl RecordColumns {
    pub(super) fn read(self) -> Result<StoredRecord, AppError> {
        Ok(StoredRecord {
            record: Record {
                id: from_id(&self.id, "record id")?,
                kind: kind(&self.kind)?,
                version: self.version as u64,
                fields: from_json(&self.fields, "record fields")?,
                deleted: self.deleted,
            },
            area_id: self.area_id,
            change_seq: self.change_seq as u64,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct FieldsColumns {
    id: String,
    kind: String,
    person_id: Option<String>,
    fields: String,
}

impl FieldsColumns {
    pub(super) fn read(self) -> Result<RecordFields, AppError> {
        Ok(RecordFields {
            id: from_id(&self.id, "record id")?,
            kind: kind(&self.kind)?,
            person_id: self.person_id.as_deref().map(|p| from_id(p, "person id")).transpose()?,
            fields: from_json(&self.fields, "record fields")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ConflictColumns {
    id: String,
    record_id: String,
    kind: String,
    field: String,
    base: String,
    theirs: String,
    ours: String,
    client_id: String,
    client_seq: i64,
    at: String,
    person_id: Option<String>,
    review_id: Option<String>,
}

impl ConflictColumns {
    pub(super) fn read(self) -> Result<ConflictRow, AppError> {
        Ok(ConflictRow {
            conflict: Conflict {
                id: self.id,
                record_id: from_id(&self.record_id, "conflict record")?,
                kind: kind(&self.kind)?,
                field: self.field,
                base: from_json(&self.base, "conflict base")?,
                theirs: from_json(&self.theirs, "conflict value")?,
                ours: from_json(&self.ours, "conflict value")?,
                client_id: from_id(&self.client_id, "conflict client")?,
                client_seq: self.client_seq as u64,
                at: from_time(&self.at, "conflict time")?,
            },
            person_id: self.person_id.and_then(|p| p.parse().ok()),
            review_id: self.review_id.and_then(|r| r.parse().ok()),
        })
    }
}

/// A user's columns (the table as `u`).
pub(super) const USER_COLUMNS: &str =
    "u.id, u.area_id, u.username, u.display_name, u.role, u.password_hash, u.disabled_at, u.young_person, u.created_at";

#[derive(sqlx::FromRow)]
pub(super) struct UserColumns {
    id: String,
    area_id: String,
    username: Option<String>,
    display_name: String,
    role: String,
    password_hash: Option<String>,
    disabled_at: Option<String>,
    young_person: bool,
    created_at: String,
}

impl UserColumns {
    pub(super) fn read(self) -> Result<StoredUser, AppError> {
        Ok(StoredUser {
            id: from_id(&self.id, "user id")?,
            area_id: self.area_id,
            username: self.username,
            display_name: self.display_name,
            role: Role::from_name(&self.role).ok_or_else(|| AppError::Corrupt(format!("role {}", self.role)))?,
            password_hash: self.password_hash,
            disabled: self.disabled_at.is_some(),
            young_person: self.young_person,
            created_at: from_time(&self.created_at, "user created")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionColumns {
    #[sqlx(flatten)]
    user: UserColumns,
    expires_at: String,
}

impl SessionColumns {
    pub(super) fn read(self) -> Result<SessionRow, AppError> {
        Ok(SessionRow { user: self.user.read()?, expires_at: from_time(&self.expires_at, "session expiry")? })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AreaColumns {
    id: String,
    name: String,
}

impl From<AreaColumns> for AreaSummary {
    fn from(AreaColumns { id, name }: AreaColumns) -> Self {
        AreaSummary { id, name }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AuditColumns {
    id: i64,
    at: String,
    happened_at: Option<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    action: String,
    person_id: Option<String>,
    record_id: Option<String>,
    kind: Option<String>,
    changes: Option<String>,
    reason: Option<String>,
    detail: Option<String>,
}

impl AuditColumns {
    pub(super) fn read(self) -> Result<AuditEntry, AppError> {
        Ok(AuditEntry {
            id: self.id as u64,
            at: from_time(&self.at, "audit time")?,
            happened_at: self.happened_at.as_deref().map(|t| from_time(t, "audit time")).transpose()?,
            user_id: self.user_id.and_then(|u| u.parse().ok()),
            user_name: self.user_name,
            action: self.action,
            person_id: self.person_id.and_then(|p| p.parse().ok()),
            record_id: self.record_id,
            kind: self.kind,
            changes: self.changes.as_deref().map(|c| from_json(c, "audit changes")).transpose()?,
            reason: self.reason,
            detail: self.detail,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct PolicyColumns {
    version: i64,
    policy: String,
    changed_at: String,
    changed_by: String,
}

impl PolicyColumns {
    pub(super) fn read(self) -> Result<PolicyRow, AppError> {
        Ok(PolicyRow {
            version: self.version as u64,
            policy: from_json(&self.policy, &format!("area policy {}", self.version))?,
            changed_at: from_time(&self.changed_at, "area policy time")?,
            changed_by: self.changed_by,
        })
    }
}
