//! The accounts aggregate: areas, users, invitations and caseloads.

use chrono::{DateTime, Utc};
use dsr_shared::accounts::AreaSummary;
use dsr_shared::{PersonId, UserId};

use super::{NewUser, StoredUser};
use crate::AppError;

#[async_trait::async_trait]
pub trait AccountStorage: Send {
    /// Adds an area; [`AppError::Conflict`] when the name is taken.
    async fn add_area(&mut self, area: &AreaSummary, now: DateTime<Utc>) -> Result<(), AppError>;

    /// Puts the records and conflicts kept from before areas existed in `area`.
    async fn adopt_records_without_area(&mut self, area: &str) -> Result<(), AppError>;

    async fn area(&mut self, id: &str) -> Result<Option<AreaSummary>, AppError>;

    async fn area_by_name(&mut self, name: &str) -> Result<Option<AreaSummary>, AppError>;

    /// Every area, by name.
    async fn areas(&mut self) -> Result<Vec<AreaSummary>, AppError>;

    /// Adds a user under a new id; a username already taken is a 422 on `username`.
    async fn add_user(&mut self, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<UserId, AppError>;

    async fn user(&mut self, id: UserId) -> Result<Option<StoredUser>, AppError>;

    async fn user_by_username(&mut self, username: &str) -> Result<Option<StoredUser>, AppError>;

    /// Every user of an area, by name.
    async fn users_in_area(&mut self, area: &str) -> Result<Vec<StoredUser>, AppError>;

    /// How many accounts there are (in every area).
    async fn user_count(&mut self) -> Result<u64, AppError>;

    /// Closes an account (kept closed from the first time) and deletes its reset codes and its
    /// devices' recovery secrets.
    async fn disable_user(&mut self, id: UserId, now: DateTime<Utc>) -> Result<(), AppError>;

    /// Sets an account's username and password; a username already taken is a 422 on `username`.
    async fn set_credentials(&mut self, id: UserId, username: &str, password_hash: &str) -> Result<(), AppError>;

    /// Sets an account's password.
    async fn set_password(&mut self, id: UserId, password_hash: &str) -> Result<(), AppError>;

    /// Keeps an invitation code's hash for `user`.
    async fn add_invite(
        &mut self,
        code_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError>;

    /// The account an invitation code opens: known, unused, in date, the account not closed.
    async fn open_invite(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>, AppError>;

    /// Marks an invitation code used.
    async fn use_invite(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<(), AppError>;

    /// The people a user is assigned to, in the order they were assigned.
    async fn caseload(&mut self, user: UserId) -> Result<Vec<PersonId>, AppError>;

    /// Every assignment of an area's users: (user, person), in the order made.
    async fn caseloads_in_area(&mut self, area: &str) -> Result<Vec<(UserId, PersonId)>, AppError>;

    /// The people `user` is assigned to that are live person records in `area`.
    async fn assigned_people(&mut self, user: UserId, area: &str) -> Result<Vec<PersonId>, AppError>;

    /// Assigns a person to a user; `false` when they already were.
    async fn assign(
        &mut self,
        user: UserId,
        person: PersonId,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError>;

    /// Ends an assignment; `false` when there was none.
    async fn unassign(&mut self, user: UserId, person: PersonId) -> Result<bool, AppError>;

    /// The names of the open keyworker accounts whose caseload holds `person`, the earliest assigned first.
    async fn caseload_keyworkers(&mut self, person: PersonId) -> Result<Vec<String>, AppError>;
}
