//! The accounts aggregate in SQLite.

use chrono::{DateTime, Utc};
use dsr_shared::access::Role;
use dsr_shared::accounts::AreaSummary;
use dsr_shared::{PersonId, UserId};

use super::SqliteTransaction;
use crate::AppError;
use crate::storage::columns::{AreaColumns, USER_COLUMNS, UserColumns, unless_unique, username_taken};
use crate::storage::{AccountStorage, NewUser, StoredUser, from_id};

#[async_trait::async_trait]
impl AccountStorage for SqliteTransaction {
    async fn add_area(&mut self, area: &AreaSummary, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("INSERT INTO areas (id, name, created_at) VALUES (?, ?, ?)")
            .bind(&area.id)
            .bind(&area.name)
            .bind(now.to_rfc3339())
            .execute(self.db())
            .await
            .map_err(|e| {
                unless_unique(e, || AppError::Conflict(format!("There is already an area called {}", area.name)))
            })?;
        Ok(())
    }

    async fn adopt_records_without_area(&mut self, area: &str) -> Result<(), AppError> {
        for table in ["records", "conflicts"] {
            sqlx::query(&format!("UPDATE {table} SET area_id = ? WHERE area_id IS NULL"))
                .bind(area)
                .execute(self.db())
                .await?;
        }
        Ok(())
    }

    async fn area(&mut self, id: &str) -> Result<Option<AreaSummary>, AppError> {
        let row: Option<AreaColumns> =
            sqlx::query_as("SELECT id, name FROM areas WHERE id = ?").bind(id).fetch_optional(self.db()).await?;
        Ok(row.map(AreaSummary::from))
    }

    async fn area_by_name(&mut self, name: &str) -> Result<Option<AreaSummary>, AppError> {
        let row: Option<AreaColumns> =
            sqlx::query_as("SELECT id, name FROM areas WHERE name = ?").bind(name).fetch_optional(self.db()).await?;
        Ok(row.map(AreaSummary::from))
    }

    async fn areas(&mut self) -> Result<Vec<AreaSummary>, AppError> {
        let rows: Vec<AreaColumns> =
            sqlx::query_as("SELECT id, name FROM areas ORDER BY name").fetch_all(self.db()).await?;
        Ok(rows.into_iter().map(AreaSummary::from).collect())
    }

    async fn add_user(&mut self, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId, AppError> {
        let id = UserId::from_uuid(uuid::Uuid::now_v7());
        sqlx::query(
            "INSERT INTO users (id, area_id, username, display_name, role, password_hash, created_at, created_by,
                 young_person)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(user.area_id)
        .bind(user.username)
        .bind(user.display_name.trim())
        .bind(user.role.name())
        .bind(user.password_hash)
        .bind(now.to_rfc3339())
        .bind(user.created_by.map(|u| u.to_string()))
        .bind(user.young_person && user.role == Role::Family)
        .execute(self.db())
        .await
        .map_err(|e| unless_unique(e, username_taken))?;
        Ok(id)
    }

    async fn user(&mut self, id: UserId) -> Result<Option<StoredUser>, AppError> {
        let row: Option<UserColumns> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?"))
            .bind(id.to_string())
            .fetch_optional(self.db())
            .await?;
        row.map(UserColumns::read).transpose()
    }

    async fn user_by_username(&mut self, username: &str) -> Result<Option<StoredUser>, AppError> {
        let row: Option<UserColumns> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?"))
                .bind(username)
                .fetch_optional(self.db())
                .await?;
        row.map(UserColumns::read).transpose()
    }

    async fn users_in_area(&mut self, area: &str) -> Result<Vec<StoredUser>, AppError> {
        let rows: Vec<UserColumns> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.area_id = ? ORDER BY u.display_name, u.id"
        ))
        .bind(area)
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(UserColumns::read).collect()
    }

    async fn user_count(&mut self) -> Result<u64, AppError> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.db()).await?;
        Ok(count as u64)
    }

    async fn disable_user(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?")
            .bind(now.to_rfc3339())
            .bind(id.to_string())
            .execute(self.db())
            .await?;
        for table in ["password_resets", "device_recovery"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = ?"))
                .bind(id.to_string())
                .execute(self.db())
                .await?;
        }
        Ok(())
    }

    async fn set_credentials(&mut self, id: UserId, username: &str, password_hash: &str) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET username = ?, password_hash = ? WHERE id = ?")
            .bind(username)
            .bind(password_hash)
            .bind(id.to_string())
            .execute(self.db())
            .await
            .map_err(|e| unless_unique(e, username_taken))?;
        Ok(())
    }

    async fn set_password(&mut self, id: UserId, password_hash: &str) -> Result<(), AppError> {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id.to_string())
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn add_invite(
        &mut self,
        code_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError> {
        sqlx::query("INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(code_hash)
            .bind(user.to_string())
            .bind(now.to_rfc3339())
            .bind(expires.to_rfc3339())
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn open_invite(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>, AppError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT i.user_id FROM invites i JOIN users u ON u.id = i.user_id
             WHERE i.code_hash = ? AND i.used_at IS NULL AND i.expires_at > ? AND u.disabled_at IS NULL",
        )
        .bind(code_hash)
        .bind(now.to_rfc3339())
        .fetch_optional(self.db())
        .await?;
        row.map(|(id,)| from_id(&id, "user id")).transpose()
    }

    async fn use_invite(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("UPDATE invites SET used_at = ? WHERE code_hash = ?")
            .bind(now.to_rfc3339())
            .bind(code_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn caseload(&mut self, user: UserId) -> Result<Vec<PersonId>, AppError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT person_id FROM caseload WHERE user_id = ? ORDER BY added_at, person_id")
                .bind(user.to_string())
                .fetch_all(self.db())
                .await?;
        Ok(rows.into_iter().filter_map(|(p,)| p.parse().ok()).collect())
    }

    async fn caseloads_in_area(&mut self, area: &str) -> Result<Vec<(UserId, PersonId)>, AppError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.user_id, c.person_id FROM caseload c JOIN users u ON u.id = c.user_id WHERE u.area_id = ?
             ORDER BY c.added_at, c.person_id",
        )
        .bind(area)
        .fetch_all(self.db())
        .await?;
        Ok(rows.into_iter().filter_map(|(u, p)| Some((u.parse().ok()?, p.parse().ok()?))).collect())
    }

    async fn assigned_people(&mut self, user: UserId, area: &str) -> Result<Vec<PersonId>, AppError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT c.person_id FROM caseload c JOIN records r ON r.id = c.person_id
             WHERE c.user_id = ? AND r.area_id = ? AND r.deleted = 0",
        )
        .bind(user.to_string())
        .bind(area)
        .fetch_all(self.db())
        .await?;
        Ok(rows.into_iter().filter_map(|(p,)| p.parse().ok()).collect())
    }

    async fn assign(
        &mut self,
        user: UserId,
        person: PersonId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO caseload (user_id, person_id, added_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(user.to_string())
        .bind(person.to_string())
        .bind(now.to_rfc3339())
        .bind(by.to_string())
        .execute(self.db())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn unassign(&mut self, user: UserId, person: PersonId) -> Result<bool, AppError> {
        let done = sqlx::query("DELETE FROM caseload WHERE user_id = ? AND person_id = ?")
            .bind(user.to_string())
            .bind(person.to_string())
            .execute(self.db())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn caseload_keyworkers(&mut self, person: PersonId) -> Result<Vec<String>, AppError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT u.display_name FROM caseload c JOIN users u ON u.id = c.user_id
             WHERE c.person_id = ? AND u.role = 'keyworker' AND u.disabled_at IS NULL
             ORDER BY c.added_at, u.display_name",
        )
        .bind(person.to_string())
        .fetch_all(self.db())
        .await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }
}
