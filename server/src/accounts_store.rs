//! Areas, users, sessions, invites and caseloads.

use chrono::{DateTime, Duration, Utc};
use dsr_shared::access::Role;
use dsr_shared::accounts::{AreaSummary, UserSummary};
use dsr_shared::{PersonId, UserId};

use crate::auth::{CurrentUser, FoundSession};
use crate::storage::Transaction;
pub use crate::storage::{NewUser, StoredUser};
use crate::{AppError, Store};

/// The user id the online self-referral form acts as (no account row: it cannot sign in).
pub(crate) fn self_referral_form_id() -> UserId {
    UserId::from_uuid(uuid::Uuid::from_u128(0x0000_0000_0000_7000_8000_5e1f_4ef0_0001))
}

impl Store {
    /// Makes an area. The first area made adopts any records kept from before accounts existed.
    pub async fn create_area(&self, name: &str, now: DateTime<Utc>) -> Result<AreaSummary, AppError> {
        let area = AreaSummary { id: uuid::Uuid::now_v7().to_string(), name: name.to_string() };
        let mut tx = self.write().await?;
        tx.add_area(&area, now).await?;
        tx.adopt_records_without_area(&area.id).await?;
        tx.commit().await?;
        Ok(area)
    }

    pub async fn area_by_name(&self, name: &str) -> Result<Option<AreaSummary>, AppError> {
        self.read().await?.area_by_name(name).await
    }

    /// Every area, by name (public: the self-referral form lets a family choose theirs).
    pub async fn areas(&self) -> Result<Vec<AreaSummary>, AppError> {
        self.read().await?.areas().await
    }

    /// The area `id`, if there is one.
    pub async fn area_if_any(&self, id: &str) -> Result<Option<AreaSummary>, AppError> {
        self.read().await?.area(id).await
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
        self.area_if_any(id).await?.ok_or_else(|| AppError::Corrupt(format!("area {id}")))
    }

    /// Adds a user; a username already taken is a 422 on `username`.
    pub async fn create_user(&self, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId, AppError> {
        let mut tx = self.write().await?;
        let id = tx.add_user(user, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<StoredUser>, AppError> {
        self.read().await?.user_by_username(username).await
    }

    /// A user of `area` (another area's users do not exist for this one: 404).
    pub async fn user_in_area(&self, area_id: &str, id: UserId) -> Result<StoredUser, AppError> {
        let user = self.read().await?.user(id).await?.filter(|user| user.area_id == area_id);
        user.ok_or_else(|| AppError::NotFound("There is no such user in your area".into()))
    }

    /// How many accounts there are (in every area).
    pub async fn user_count(&self) -> Result<u64, AppError> {
        self.read().await?.user_count().await
    }

    /// A user as if signed in, for work the server does on their behalf (loading the demo area).
    pub async fn acting_as(&self, id: UserId) -> Result<CurrentUser, AppError> {
        let user = self.read().await?.user(id).await?;
        let user = user.ok_or_else(|| AppError::NotFound("There is no such user".into()))?;
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
        let mut tx = self.read().await?;
        let users = tx.users_in_area(area_id).await?;
        let caseloads = tx.caseloads_in_area(area_id).await?;
        Ok(users
            .iter()
            .map(|user| {
                let people = caseloads.iter().filter(|(u, _)| *u == user.id).map(|(_, p)| *p).collect();
                summary(user, people)
            })
            .collect())
    }

    pub async fn user_summary(&self, area_id: &str, id: UserId) -> Result<UserSummary, AppError> {
        let user = self.user_in_area(area_id, id).await?;
        let people = self.caseload(id).await?;
        Ok(summary(&user, people))
    }

    /// Closes an account: its sessions stay, so its devices learn on their next sync to delete their copy.
    /// Its reset codes and its devices' recovery secrets go: nothing can open its devices' data again.
    pub async fn disable_user(&self, id: UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.disable_user(id, now).await?;
        tx.commit().await
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> Result<DateTime<Utc>, AppError> {
        let expires = now + lifetime;
        let mut tx = self.write().await?;
        tx.add_session(token_hash, user, now, expires).await?;
        tx.commit().await?;
        Ok(expires)
    }

    pub async fn session_user(&self, token_hash: &str) -> Result<Option<FoundSession>, AppError> {
        let Some(session) = self.read().await?.session(token_hash).await? else { return Ok(None) };
        let user = session.user;
        Ok(Some(FoundSession {
            user: CurrentUser {
                id: user.id,
                area_id: user.area_id,
                role: user.role,
                display_name: user.display_name,
                username: user.username.unwrap_or_default(),
                session_hash: token_hash.to_string(),
                expires_at: session.expires_at,
            },
            disabled: user.disabled,
        }))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.delete_session(token_hash).await?;
        tx.commit().await
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
        let mut tx = self.write().await?;
        let id = tx.add_user(user, now).await?;
        tx.assign(id, person, user.created_by.unwrap_or(id), now).await?;
        tx.add_invite(code_hash, id, now, expires).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether an invitation code is known, unused and in date (checked before any password is hashed).
    pub async fn invite_is_open(&self, code_hash: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        Ok(self.read().await?.open_invite(code_hash, now).await?.is_some())
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
        let mut tx = self.write().await?;
        let Some(user) = tx.open_invite(code_hash, now).await? else { return Ok(None) };
        tx.set_credentials(user, username, password_hash).await?;
        tx.use_invite(code_hash, now).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// The people a user is assigned to.
    pub async fn caseload(&self, user: UserId) -> Result<Vec<PersonId>, AppError> {
        self.read().await?.caseload(user).await
    }

    /// Assigns a person to a user; `false` when they already were.
    pub async fn assign(
        &self,
        user: UserId,
        person: PersonId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let mut tx = self.write().await?;
        let added = tx.assign(user, person, by, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Ends a user's assignment to a person; `false` when there was none.
    pub async fn unassign(&self, user: UserId, person: PersonId) -> Result<bool, AppError> {
        let mut tx = self.write().await?;
        let removed = tx.unassign(user, person).await?;
        tx.commit().await?;
        Ok(removed)
    }

    /// Whether a person is or was in an area (a deleted person's tombstone keeps its area).
    pub async fn person_known_in_area(&self, area_id: &str, person: PersonId) -> Result<bool, AppError> {
        self.read().await?.person_in_area(area_id, person, true).await
    }

    /// Whether a person (record) exists in an area.
    pub async fn person_in_area(&self, area_id: &str, person: PersonId) -> Result<bool, AppError> {
        self.read().await?.person_in_area(area_id, person, false).await
    }

    /// The names of the keyworkers whose caseload holds `person`, the earliest assigned first.
    pub async fn caseload_keyworkers(&self, person: PersonId) -> Result<Vec<String>, AppError> {
        self.read().await?.caseload_keyworkers(person).await
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

/// The name of the area `id`.
pub(crate) async fn area_name(tx: &mut dyn Transaction, id: &str) -> Result<String, AppError> {
    tx.area(id).await?.map(|area| area.name).ok_or_else(|| AppError::Corrupt(format!("area {id}")))
}
