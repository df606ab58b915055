//! Areas, users, sessions, invites, failed sign-ins and caseloads.

use chrono::{DateTime, Duration, Utc};
use dsr_shared::access::Role;
use dsr_shared::accounts::{AreaSummary, UserSummary};
use dsr_shared::{PersonId, UserId};
use sqlx::{Sqlite, Transaction};

use crate::auth::{CurrentUser, FoundSession};
use crate::{AppError, Store};

/// A user as stored, for sign-in.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: UserId,
    pub area_id: String,
    pub username: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    /// A family account that is the young person's own.
    pub young_person: bool,
}

type UserRow = (String, String, Option<String>, String, String, Option<String>, Option<String>, bool);

fn to_user(
    (id, area_id, username, display_name, role, password_hash, disabled_at, young_person): UserRow,
) -> Result<StoredUser, AppError> {
    Ok(StoredUser {
        id: id.parse().map_err(|_| AppError::Corrupt(format!("user id {id}")))?,
        area_id,
        username,
        display_name,
        role: Role::from_name(&role).ok_or_else(|| AppError::Corrupt(format!("role {role}")))?,
        password_hash,
        disabled: disabled_at.is_some(),
        young_person,
    })
}

/// The user id the online self-referral form acts as (no account row: it cannot sign in).
pub(crate) fn self_referral_form_id() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(0x0000_0000_0000_7000_8000_5e1f_4ef0_0001))
}

const USER_COLUMNS: &str = "id, area_id, username, display_name, role, password_hash, disabled_at, young_person";

/// A new user's details.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub area_id: &'a str,
    pub username: Option<&'a str>,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub created_by: Option<UserId>,
    /// A family account that is the young person's own.
    pub young_person: bool,
}

/// The account an invitation code opens: known, unused, in date, the account not closed.
const OPEN_INVITE: &str = "SELECT i.user_id FROM invites i JOIN users u ON u.id = i.user_id
     WHERE i.code_hash = ? AND i.used_at IS NULL AND i.expires_at > ? AND u.disabled_at IS NULL";

impl Store {
    /// Makes an area. The first area made adopts any records kept from before accounts existed.
    pub async fn create_area(&self, name: &str, now: DateTime<Utc>) -> Result<AreaSummary, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let existing: Option<(String,)> =
            sqlx::query_as("SELECT id FROM areas WHERE name = ?").bind(name).fetch_optional(&mut *tx).await?;
        if existing.is_some() {
            return Err(AppError::Conflict(format!("There is already an area called {name}")));
        }
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO areas (id, name, created_at) VALUES (?, ?, ?)")
            .bind(&id)
            .bind(name)
            .bind(now.to_rfc3339())
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE records SET area_id = ? WHERE area_id IS NULL").bind(&id).execute(&mut *tx).await?;
        sqlx::query("UPDATE conflicts SET area_id = ? WHERE area_id IS NULL").bind(&id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(AreaSummary { id, name: name.to_string() })
    }

    pub async fn area_by_name(&self, name: &str) -> Result<Option<AreaSummary>, AppError> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM areas WHERE name = ?").bind(name).fetch_optional(self.pool()).await?;
        Ok(row.map(|(id, name)| AreaSummary { id, name }))
    }

    /// Every area, by name (public: the self-referral form lets a family choose theirs).
    pub async fn areas(&self) -> Result<Vec<AreaSummary>, AppError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, name FROM areas ORDER BY name").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(id, name)| AreaSummary { id, name }).collect())
    }

    /// The area `id`, if there is one.
    pub async fn area_if_any(&self, id: &str) -> Result<Option<AreaSummary>, AppError> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM areas WHERE id = ?").bind(id).fetch_optional(self.pool()).await?;
        Ok(row.map(|(id, name)| AreaSummary { id, name }))
    }

    /// The area's online self-referral form, acting as a user of its own: changes it makes are its,
    /// in the change log and the audit trail. It cannot sign in (it has no account row, no password).
    pub fn self_referral_form(&self, area_id: &str, now: DateTime<Utc>) -> CurrentUser {
        CurrentUser {
            id: self_referral_form_id(),
            area_id: area_id.to_string(),
            role: Role::Coordinator,
            display_name: "Online self-referral form".into(),
            username: String::new(),
            session_hash: String::new(),
            expires_at: now,
        }
    }

    pub async fn area(&self, id: &str) -> Result<AreaSummary, AppError> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, name FROM areas WHERE id = ?").bind(id).fetch_optional(self.pool()).await?;
        row.map(|(id, name)| AreaSummary { id, name }).ok_or_else(|| AppError::Corrupt(format!("area {id}")))
    }

    /// Adds a user; a username already taken is a 422 on `username`.
    pub async fn create_user(&self, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let id = insert_user(&mut tx, user, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<StoredUser>, AppError> {
        let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        row.map(to_user).transpose()
    }

    /// A user of `area` (another area's users do not exist for this one: 404).
    pub async fn user_in_area(&self, area_id: &str, id: UserId) -> Result<StoredUser, AppError> {
        let row: Option<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ? AND area_id = ?"))
                .bind(id.to_string())
                .bind(area_id)
                .fetch_optional(self.pool())
                .await?;
        row.map(to_user).transpose()?.ok_or_else(|| AppError::NotFound("There is no such user in your area".into()))
    }

    /// How many accounts there are (in every area).
    pub async fn user_count(&self) -> Result<u64, AppError> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(self.pool()).await?;
        Ok(count as u64)
    }

    /// A user as if signed in, for work the server does on their behalf (loading the demo area).
    pub async fn acting_as(&self, id: UserId) -> Result<CurrentUser, AppError> {
        let row: Option<UserRow> = sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        let user = row.map(to_user).transpose()?.ok_or_else(|| AppError::NotFound("There is no such user".into()))?;
        Ok(CurrentUser {
            id: user.id,
            area_id: user.area_id,
            role: user.role,
            display_name: user.display_name,
            username: user.username.unwrap_or_default(),
            session_hash: String::new(),
            expires_at: DateTime::<Utc>::MAX_UTC,
        })
    }

    /// Every user of an area, with their people, by name.
    pub async fn users(&self, area_id: &str) -> Result<Vec<UserSummary>, AppError> {
        let rows: Vec<UserRow> =
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE area_id = ? ORDER BY display_name, id"))
                .bind(area_id)
                .fetch_all(self.pool())
                .await?;
        let caseload: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.user_id, c.person_id FROM caseload c JOIN users u ON u.id = c.user_id WHERE u.area_id = ?
             ORDER BY c.added_at, c.person_id",
        )
        .bind(area_id)
        .fetch_all(self.pool())
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let user = to_user(row)?;
            let people = caseload
                .iter()
                .filter(|(u, _)| *u == user.id.to_string())
                .filter_map(|(_, p)| p.parse().ok())
                .collect();
            users.push(summary(&user, people));
        }
        Ok(users)
    }

    pub async fn user_summary(&self, area_id: &str, id: UserId) -> Result<UserSummary, AppError> {
        let user = self.user_in_area(area_id, id).await?;
        let people = self.caseload(id).await?;
        Ok(summary(&user, people))
    }

    /// Closes an account: its sessions stay, so its devices learn on their next sync to delete their copy.
    /// Its reset codes and its devices' recovery secrets go: nothing can open its devices' data again.
    pub async fn disable_user(&self, id: UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?")
            .bind(now.to_rfc3339())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        for table in ["password_resets", "device_recovery"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = ?"))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<DateTime<Utc>, AppError> {
        let expires = now + lifetime;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now.to_rfc3339()).execute(self.pool()).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(now.to_rfc3339())
            .bind(expires.to_rfc3339())
            .execute(self.pool())
            .await?;
        Ok(expires)
    }

    pub async fn session_user(&self, token_hash: &str) -> Result<Option<FoundSession>, AppError> {
        type SessionRow = (String, String, String, String, Option<String>, Option<String>, String);
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT u.id, u.area_id, u.role, u.display_name, u.username, u.disabled_at, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some((id, area_id, role, display_name, username, disabled_at, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(FoundSession {
            user: CurrentUser {
                id: id.parse().map_err(|_| AppError::Corrupt(format!("user id {id}")))?,
                area_id,
                role: Role::from_name(&role).ok_or_else(|| AppError::Corrupt(format!("role {role}")))?,
                display_name,
                username: username.unwrap_or_default(),
                session_hash: token_hash.to_string(),
                expires_at: DateTime::parse_from_rfc3339(&expires_at)
                    .map_err(|_| AppError::Corrupt("session expiry".into()))?
                    .with_timezone(&Utc),
            },
            disabled: disabled_at.is_some(),
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(self.pool()).await?;
        Ok(())
    }

    /// Invites a family member: their account (no username or password yet), assigned to their person,
    /// and the one-time code's hash.
    pub async fn create_invite(
        &self,
        user: &NewUser<'_>,
        person: PersonId,
        code_hash: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<UserId, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let id = insert_user(&mut tx, user, now).await?;
        assign(&mut tx, id, person, user.created_by.unwrap_or(id), now).await?;
        sqlx::query("INSERT INTO invites (code_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(code_hash)
            .bind(id.to_string())
            .bind(now.to_rfc3339())
            .bind(expires.to_rfc3339())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether an invitation code is known, unused and in date (checked before any password is hashed).
    pub async fn invite_is_open(&self, code_hash: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        let row: Option<(String,)> =
            sqlx::query_as(OPEN_INVITE).bind(code_hash).bind(now.to_rfc3339()).fetch_optional(self.pool()).await?;
        Ok(row.is_some())
    }

    /// Uses an invite: sets the family member's username and password. `None` when the code is unknown,
    /// used or expired.
    pub async fn accept_invite(
        &self,
        code_hash: &str,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let row: Option<(String,)> =
            sqlx::query_as(OPEN_INVITE).bind(code_hash).bind(now.to_rfc3339()).fetch_optional(&mut *tx).await?;
        let Some((user_id,)) = row else { return Ok(None) };
        username_is_free(&mut tx, username).await?;
        sqlx::query("UPDATE users SET username = ?, password_hash = ? WHERE id = ?")
            .bind(username)
            .bind(password_hash)
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE invites SET used_at = ? WHERE code_hash = ?")
            .bind(now.to_rfc3339())
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        user_id.parse().map(Some).map_err(|_| AppError::Corrupt(format!("user id {user_id}")))
    }

    /// The people a user is assigned to.
    pub async fn caseload(&self, user: UserId) -> Result<Vec<PersonId>, AppError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT person_id FROM caseload WHERE user_id = ? ORDER BY added_at, person_id")
                .bind(user.to_string())
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().filter_map(|(p,)| p.parse().ok()).collect())
    }

    /// Assigns a person to a user; `false` when they already were.
    pub async fn assign(
        &self,
        user: UserId,
        person: PersonId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let mut tx = self.pool().begin().await?;
        let added = assign(&mut tx, user, person, by, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Ends a user's assignment to a person; `false` when there was none.
    pub async fn unassign(&self, user: UserId, person: PersonId) -> Result<bool, AppError> {
        let done = sqlx::query("DELETE FROM caseload WHERE user_id = ? AND person_id = ?")
            .bind(user.to_string())
            .bind(person.to_string())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether a person is or was in an area (see `access_store::person_in_area`).
    pub async fn person_known_in_area(&self, area_id: &str, person: PersonId) -> Result<bool, AppError> {
        let mut db = self.pool().acquire().await?;
        crate::access_store::person_in_area(&mut db, area_id, person).await
    }

    /// Whether a person (record) exists in an area.
    pub async fn person_in_area(&self, area_id: &str, person: PersonId) -> Result<bool, AppError> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM records WHERE id = ? AND kind = 'person' AND area_id = ? AND deleted = 0")
                .bind(person.to_string())
                .bind(area_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.is_some())
    }
}

fn summary(user: &StoredUser, people: Vec<PersonId>) -> UserSummary {
    UserSummary {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role,
        disabled: user.disabled,
        invite_pending: user.password_hash.is_none(),
        people,
        young_person: user.young_person,
    }
}

async fn username_is_free(tx: &mut Transaction<'_, Sqlite>, username: &str) -> Result<(), AppError> {
    let taken: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM users WHERE username = ?").bind(username).fetch_optional(&mut **tx).await?;
    if taken.is_some() {
        let mut errors = dsr_shared::ValidationErrors::new();
        errors.add("username", "This username is taken: choose another");
        return Err(errors.into());
    }
    Ok(())
}

async fn insert_user(
    tx: &mut Transaction<'_, Sqlite>,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<UserId, AppError> {
    if let Some(username) = user.username {
        username_is_free(tx, username).await?;
    }
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
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub(crate) async fn assign(
    tx: &mut Transaction<'_, Sqlite>,
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
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The name of the area `id`.
pub(crate) async fn area_name(db: &mut sqlx::SqliteConnection, id: &str) -> Result<String, AppError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM areas WHERE id = ?").bind(id).fetch_optional(db).await?;
    row.map(|(name,)| name).ok_or_else(|| AppError::Corrupt(format!("area {id}")))
}
