//! Each area's policy: the handbook's defaults until a coordinator changes it, then every version kept
//! (append-only). A change names the version it was made from, so two coordinators never overwrite each
//! other silently; a changed risk tool becomes a new version ([`AreaPolicy::revise`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::api::PolicyDocument;
use dsr_shared::policy::AreaPolicy;
use dsr_shared::{PersonId, Validate, ValidationErrors};
use sqlx::SqliteConnection;

use crate::audit_store::{AuditEvent, audit_in};
use crate::auth::CurrentUser;
use crate::{AppError, Store};

/// The current policy of `area_id` (named `area_name`): its newest version, or the defaults.
pub(crate) async fn area_policy(
    db: &mut SqliteConnection,
    area_id: &str,
    area_name: &str,
) -> Result<PolicyDocument, AppError> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT p.version, p.policy, p.changed_at, u.display_name FROM area_policies p JOIN users u ON u.id = p.changed_by
         WHERE p.area_id = ? ORDER BY p.version DESC LIMIT 1",
    )
    .bind(area_id)
    .fetch_optional(&mut *db)
    .await?;
    let Some((version, policy, changed_at, changed_by)) = row else {
        return Ok(PolicyDocument {
            version: 0,
            policy: AreaPolicy { area_name: area_name.to_string(), ..AreaPolicy::default() },
            changed_at: None,
            changed_by: None,
        });
    };
    let policy: AreaPolicy =
        serde_json::from_str(&policy).map_err(|e| AppError::Corrupt(format!("area policy {version}: {e}")))?;
    let changed_at = DateTime::parse_from_rfc3339(&changed_at)
        .map_err(|e| AppError::Corrupt(format!("area policy time: {e}")))?
        .with_timezone(&Utc);
    Ok(PolicyDocument {
        version: version as u64,
        policy: AreaPolicy { area_name: area_name.to_string(), ..policy },
        changed_at: Some(changed_at),
        changed_by: Some(changed_by),
    })
}

/// The dates of birth of those of `people` who are on the server.
pub(crate) async fn dates_of_birth(
    db: &mut SqliteConnection,
    people: &BTreeSet<PersonId>,
) -> Result<BTreeMap<PersonId, NaiveDate>, AppError> {
    let mut born = BTreeMap::new();
    for person in people {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT fields ->> '$.date_of_birth' FROM records WHERE id = ? AND kind = 'person' AND deleted = 0",
        )
        .bind(person.to_string())
        .fetch_optional(&mut *db)
        .await?;
        if let Some(day) = row.and_then(|(d,)| d).and_then(|d| d.parse().ok()) {
            born.insert(*person, day);
        }
    }
    Ok(born)
}

impl Store {
    /// The policy of the user's area.
    pub async fn policy_of(&self, user: &CurrentUser) -> Result<PolicyDocument, AppError> {
        let area = self.area(&user.area_id).await?;
        let mut db = self.pool().acquire().await?;
        area_policy(&mut db, &area.id, &area.name).await
    }

    /// The policy of `area`.
    pub async fn policy_of_area(&self, area: &dsr_shared::accounts::AreaSummary) -> Result<PolicyDocument, AppError> {
        let mut db = self.pool().acquire().await?;
        area_policy(&mut db, &area.id, &area.name).await
    }

    /// Saves a coordinator's change to their area's policy, made from version `base_version`. Refused
    /// (409) when someone changed it since; checked by the policy's own rules (422); audited.
    pub async fn change_policy(
        &self,
        user: &CurrentUser,
        base_version: u64,
        proposed: AreaPolicy,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<PolicyDocument, AppError> {
        let area = self.area(&user.area_id).await?;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let current = area_policy(&mut tx, &area.id, &area.name).await?;
        if current.version != base_version {
            return Err(AppError::Conflict(format!(
                "{} changed the policy since you opened it (version {} now, you started from {base_version}): open it again and redo your change",
                current.changed_by.as_deref().unwrap_or("Someone"),
                current.version
            )));
        }
        let revised = current.policy.revise(AreaPolicy { area_name: area.name.clone(), ..proposed });
        revised.validate()?;
        let mut errors = ValidationErrors::new();
        errors.require(
            reason.as_ref().is_some_and(|r| r.chars().count() > dsr_shared::sync::MAX_REASON_CHARS),
            "reason",
            "A reason has at most 2000 characters",
        );
        errors.into_result()?;
        let changes = section_changes(&current.policy, &revised)?;
        if changes.as_object().is_some_and(serde_json::Map::is_empty) {
            return Ok(current);
        }
        let version = current.version + 1;
        let json = serde_json::to_string(&revised).map_err(|e| AppError::Corrupt(format!("policy: {e}")))?;
        sqlx::query(
            "INSERT INTO area_policies (area_id, version, policy, changed_at, changed_by, reason) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&area.id)
        .bind(version as i64)
        .bind(json)
        .bind(now.to_rfc3339())
        .bind(user.id.to_string())
        .bind(&reason)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent {
            changes: Some(changes),
            reason,
            ..AuditEvent::by(user, "policy.change").detail(format!("policy version {version}"))
        };
        audit_in(&mut tx, &event, now).await?;
        tx.commit().await?;
        Ok(PolicyDocument {
            version,
            policy: revised,
            changed_at: Some(now),
            changed_by: Some(user.display_name.clone()),
        })
    }
}

/// The policy's sections that differ, as `{section: {old, new}}` for the audit trail.
fn section_changes(old: &AreaPolicy, new: &AreaPolicy) -> Result<serde_json::Value, AppError> {
    let as_map = |p: &AreaPolicy| match serde_json::to_value(p) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        other => Err(AppError::Corrupt(format!("policy as JSON: {other:?}"))),
    };
    let (old, new) = (as_map(old)?, as_map(new)?);
    let changed: serde_json::Map<String, serde_json::Value> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), serde_json::json!({ "old": old.get(k), "new": v })))
        .collect();
    Ok(serde_json::Value::Object(changed))
}
