//! Each area's policy: the handbook's defaults until a coordinator changes it, then every version kept
//! (append-only). A change names the version it was made from, so two coordinators never overwrite each
//! other silently; a changed risk tool becomes a new version ([`AreaPolicy::revise`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::api::PolicyDocument;
use dsr_shared::policy::AreaPolicy;
use dsr_shared::sync::RecordKind;
use dsr_shared::{PersonId, RecordId, Validate, ValidationErrors};

use crate::auth::CurrentUser;
use crate::storage::{AuditEvent, NewPolicy, Transaction};
use crate::{AppError, Store};

/// The current policy of `area_id` (named `area_name`): its newest version, or the defaults.
pub(crate) async fn area_policy(
    tx: &mut dyn Transaction,
    area_id: &str,
    area_name: &str,
) -> Result<PolicyDocument, AppError> {
    let Some(row) = tx.latest_policy(area_id).await? else {
        return Ok(PolicyDocument {
            version: 0,
            policy: AreaPolicy { area_name: area_name.to_string(), ..AreaPolicy::default() },
            changed_at: None,
            changed_by: None,
        });
    };
    Ok(PolicyDocument {
        version: row.version,
        policy: AreaPolicy { area_name: area_name.to_string(), ..row.policy },
        changed_at: Some(row.changed_at),
        changed_by: Some(row.changed_by),
    })
}

/// The dates of birth of those of `people` who are on the server (one read).
pub(crate) async fn dates_of_birth(
    tx: &mut dyn Transaction,
    people: &BTreeSet<PersonId>,
) -> Result<BTreeMap<PersonId, NaiveDate>, AppError> {
    let ids: BTreeSet<RecordId> = people.iter().map(|p| RecordId::from_uuid(p.as_uuid())).collect();
    Ok(tx
        .records(&ids)
        .await?
        .into_iter()
        .filter(|stored| stored.record.kind == RecordKind::Person && !stored.record.deleted)
        .filter_map(|stored| {
            let born = stored.record.field("date_of_birth").as_str()?.parse().ok()?;
            Some((PersonId::from_uuid(stored.record.id.as_uuid()), born))
        })
        .collect())
}

impl Store {
    /// The policy of the user's area.
    pub async fn policy_of(&self, user: &CurrentUser) -> Result<PolicyDocument, AppError> {
        let area = self.area(&user.area_id).await?;
        self.policy_of_area(&area).await
    }

    /// The policy of `area`.
    pub async fn policy_of_area(&self, area: &dsr_shared::accounts::AreaSummary) -> Result<PolicyDocument, AppError> {
        area_policy(&mut *self.read().await?, &area.id, &area.name).await
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
        let mut tx = self.write().await?;
        let current = area_policy(&mut *tx, &area.id, &area.name).await?;
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
        tx.add_policy(NewPolicy {
            area_id: &area.id,
            version,
            policy: &revised,
            changed_at: now,
            changed_by: user.id,
            reason: reason.as_deref(),
        })
        .await?;
        let event = AuditEvent {
            changes: Some(changes.to_string()),
            reason,
            ..AuditEvent::by(user, "policy.change").detail(format!("policy version {version}"))
        };
        tx.append_audit(&[event], now).await?;
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
