//! `/api/users` and `/api/invites`: a coordinator's accounts for their area (staff with a first
//! password, families invited with a one-time code), caseloads; families accepting their invite.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use chrono::Duration;
use dsr_shared::access::Role;
use dsr_shared::accounts::{
    AcceptInvite, Assignment, CloseAccount, InviteCreated, NewFamilyInvite, NewStaffUser, SessionInfo, UserSummary,
    check_display_name, invite_code_from, normalise_invite_code, normalise_username,
};
use dsr_shared::api::ApiError;
use dsr_shared::{PersonId, UserId, ValidationErrors};
use rand::RngCore;

use crate::AppState;
use crate::accounts_store::NewUser;
use crate::audit_store::AuditEvent;
use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, ApiPath, AppError};
use crate::limits::{self, ClientAddr};

/// How long a family has to use their invite code.
pub const INVITE_DAYS: i64 = 14;

#[utoipa::path(get, path = "/users", tag = "accounts",
    responses(
        (status = 200, description = "Every account in the coordinator's area, with the people each is assigned to", body = Vec<UserSummary>),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
    ))]
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<Vec<UserSummary>>, AppError> {
    user.require_coordinator()?;
    Ok(ApiJson(state.store.users(&user.area_id).await?))
}

#[utoipa::path(post, path = "/users", tag = "accounts",
    request_body = NewStaffUser,
    responses(
        (status = 201, description = "The staff account, in the coordinator's area", body = UserSummary),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 422, description = "A field needs attention (username taken, password too short, family role)", body = ApiError),
    ))]
pub async fn create_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewStaffUser>,
) -> Result<(StatusCode, ApiJson<UserSummary>), AppError> {
    user.require_coordinator()?;
    new.validate()?;
    let username = normalise_username(&new.username);
    let hash = state.passwords.hash(new.password.clone()).await?;
    let now = state.clock.now();
    let id = state
        .store
        .create_user(
            &NewUser {
                area_id: &user.area_id,
                username: Some(&username),
                display_name: &new.display_name,
                role: new.role,
                password_hash: Some(&hash),
                created_by: Some(user.id),
                young_person: false,
            },
            now,
        )
        .await?;
    let event = AuditEvent::by(&user, "user.create").detail(format!("{} account {id}", new.role.name()));
    state.store.audit(&event, now).await?;
    Ok((StatusCode::CREATED, ApiJson(state.store.user_summary(&user.area_id, id).await?)))
}

#[utoipa::path(post, path = "/users/{id}/disable", tag = "accounts",
    params(("id" = UserId, Path, description = "The account to close")),
    request_body = CloseAccount,
    responses(
        (status = 200, description = "Closed: the user cannot sign in, and their devices delete their copy on next sync", body = UserSummary),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user in this area", body = ApiError),
        (status = 422, description = "Who asked for it or why is missing, or a coordinator's own account", body = ApiError),
    ))]
pub async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(close): ApiJson<CloseAccount>,
) -> Result<ApiJson<UserSummary>, AppError> {
    user.require_coordinator()?;
    state.store.user_in_area(&user.area_id, id).await?;
    let checked = close.validate();
    let mut errors = checked.clone().err().unwrap_or_default();
    errors.require(id == user.id, "id", "You cannot close your own account; ask another coordinator");
    errors.into_result()?;
    let asked = checked?;
    let now = state.clock.now();
    state.store.disable_user(id, now).await?;
    // Their devices hear at once, try to sync, are refused and delete their copy.
    state.store.changes().announce(&user.area_id, 0);
    let event = AuditEvent {
        reason: Some(asked.audit_reason()),
        ..AuditEvent::by(&user, "user.disable").detail(format!("account {id}"))
    };
    state.store.audit(&event, now).await?;
    Ok(ApiJson(state.store.user_summary(&user.area_id, id).await?))
}

#[utoipa::path(post, path = "/users/{id}/people", tag = "accounts",
    params(("id" = UserId, Path, description = "The keyworker, advocate, panel member, referrer or family member")),
    request_body = Assignment,
    responses(
        (status = 200, description = "Assigned: the person's records reach the user's devices on their next sync", body = UserSummary),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user or person in this area", body = ApiError),
        (status = 422, description = "Coordinators see everyone already", body = ApiError),
    ))]
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(assignment): ApiJson<Assignment>,
) -> Result<ApiJson<UserSummary>, AppError> {
    user.require_coordinator()?;
    let target = state.store.user_in_area(&user.area_id, id).await?;
    let mut errors = ValidationErrors::new();
    errors.require(target.role.sees_whole_register(), "id", "A DSR coordinator sees everyone in the area already");
    errors.require(
        target.role == Role::DsrPanel,
        "id",
        "A DSR panel member sees what the meetings need of everyone in the area already",
    );
    errors.into_result()?;
    person_in_area(&state, &user, assignment.person_id).await?;
    let now = state.clock.now();
    if state.store.assign(id, assignment.person_id, user.id, now).await? {
        let event =
            AuditEvent::by(&user, "caseload.add").person(assignment.person_id).detail(format!("assigned to {id}"));
        state.store.audit(&event, now).await?;
        // The user's devices fetch the person's records now, not at their next timed sync.
        state.store.changes().announce(&user.area_id, 0);
        // The person's keyworker is the one whose caseload holds them.
        if target.role == Role::Keyworker {
            state.store.keyworker_follows_caseload(&user, assignment.person_id, None, now, state.clock.today()).await?;
        }
    }
    Ok(ApiJson(state.store.user_summary(&user.area_id, id).await?))
}

#[utoipa::path(delete, path = "/users/{id}/people/{person_id}", tag = "accounts",
    params(
        ("id" = UserId, Path, description = "The user"),
        ("person_id" = PersonId, Path, description = "The person they no longer work with"),
    ),
    responses(
        (status = 200, description = "No longer assigned: their devices delete the person's records on next sync", body = UserSummary),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user in this area, or not assigned", body = ApiError),
    ))]
pub async fn unassign(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, person)): ApiPath<(UserId, PersonId)>,
) -> Result<ApiJson<UserSummary>, AppError> {
    user.require_coordinator()?;
    let target = state.store.user_in_area(&user.area_id, id).await?;
    if !state.store.unassign(id, person).await? {
        return Err(AppError::NotFound("This user is not assigned to that person".into()));
    }
    let now = state.clock.now();
    let event = AuditEvent::by(&user, "caseload.remove").person(person).detail(format!("no longer assigned to {id}"));
    state.store.audit(&event, now).await?;
    // The user's devices delete the person's records now, not at their next timed sync.
    state.store.changes().announce(&user.area_id, 0);
    if target.role == Role::Keyworker {
        let today = state.clock.today();
        state.store.keyworker_follows_caseload(&user, person, Some(&target.display_name), now, today).await?;
    }
    Ok(ApiJson(state.store.user_summary(&user.area_id, id).await?))
}

/// Setting a password with a one-time code (accepting an invitation, or a password reset).
pub(super) struct CodeUse {
    /// Codes that open nothing, counted per client.
    pub limit: limits::Limit,
    /// What a code that opens nothing is told (one answer, whatever was wrong).
    pub wrong: &'static str,
    pub password: String,
}

impl CodeUse {
    /// Checks the code (`opens`) before any password is hashed, hashes the password, and uses the code
    /// (`uses`: the account it opened, `None` when it opened nothing). A code that opens nothing counts
    /// towards `limit`; anything else (busy hashing, a username taken, success) is given back.
    pub(super) async fn set_password(
        self,
        state: &AppState,
        client: &ClientAddr,
        opens: impl AsyncFnOnce() -> Result<bool, AppError>,
        uses: impl AsyncFnOnce(String) -> Result<Option<UserId>, AppError>,
    ) -> Result<UserId, AppError> {
        let wrong = || {
            let mut errors = ValidationErrors::new();
            errors.add("code", self.wrong);
            AppError::from(errors)
        };
        let reservation = state.store.reserve_attempts(&[(self.limit, &client.0)], state.clock.now()).await?;
        if !opens().await? {
            return Err(wrong());
        }
        let used = match state.passwords.hash(self.password.clone()).await {
            Ok(hash) => uses(hash).await,
            Err(busy) => Err(busy),
        };
        match used {
            Ok(None) => Err(wrong()),
            Ok(Some(id)) => {
                state.store.release_attempts(reservation).await?;
                Ok(id)
            }
            Err(error) => {
                state.store.release_attempts(reservation).await?;
                Err(error)
            }
        }
    }
}

/// A new one-time code to pass on by phone or in person (an invitation or a password reset): twelve
/// unambiguous characters in groups of four. Only its hash is stored.
pub(super) fn one_time_code() -> String {
    let mut random = [0u8; 12];
    rand::rng().fill_bytes(&mut random);
    invite_code_from(&random)
}

async fn person_in_area(state: &AppState, user: &CurrentUser, person: PersonId) -> Result<(), AppError> {
    if state.store.person_in_area(&user.area_id, person).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("There is no such person on your area's register".into()))
    }
}

#[utoipa::path(post, path = "/invites", tag = "accounts",
    request_body = NewFamilyInvite,
    responses(
        (status = 201, description = "The family member's account, and the one-time code to pass on (shown once)", body = InviteCreated),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such person in this area", body = ApiError),
        (status = 422, description = "The name needs attention", body = ApiError),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewFamilyInvite>,
) -> Result<(StatusCode, ApiJson<InviteCreated>), AppError> {
    user.require_coordinator()?;
    let mut errors = ValidationErrors::new();
    check_display_name(&mut errors, "display_name", &new.display_name);
    errors.into_result()?;
    person_in_area(&state, &user, new.person_id).await?;
    let code = one_time_code();
    let now = state.clock.now();
    let expires = now + Duration::days(INVITE_DAYS);
    let account = NewUser {
        area_id: &user.area_id,
        username: None,
        display_name: &new.display_name,
        role: Role::Family,
        password_hash: None,
        created_by: Some(user.id),
        young_person: new.young_person,
    };
    let id = state.store.create_invite(&account, new.person_id, &auth::token_hash(&code), now, expires).await?;
    let event = AuditEvent::by(&user, "user.invite").person(new.person_id).detail(format!("family account {id}"));
    state.store.audit(&event, now).await?;
    let created = InviteCreated {
        user: state.store.user_summary(&user.area_id, id).await?,
        code,
        expires_on: dsr_shared::calendar::date_in_england(expires),
    };
    Ok((StatusCode::CREATED, ApiJson(created)))
}

#[utoipa::path(post, path = "/invites/accept", tag = "accounts",
    security(()),
    request_body = AcceptInvite,
    responses(
        (status = 200, description = "The account is ready and signed in", body = SessionInfo),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "The code is not right, used or expired; or the username or password needs attention", body = ApiError),
        (status = 429, description = "Too many codes that were not right from this client: wait (Retry-After)", body = ApiError),
        (status = 503, description = "Too many passwords being set at once: try again shortly (Retry-After)", body = ApiError),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(request): ApiJson<AcceptInvite>,
) -> Result<(CookieJar, ApiJson<SessionInfo>), AppError> {
    request.validate()?;
    let username = normalise_username(&request.username);
    let now = state.clock.now();
    let code_hash = auth::token_hash(&normalise_invite_code(&request.code));
    let code = CodeUse {
        limit: limits::INVITE_PER_CLIENT,
        wrong: "This code is not right, has been used already or has expired. Check it, or ask for a new one.",
        password: request.password.clone(),
    };
    let id = code
        .set_password(
            &state,
            &client,
            async || state.store.invite_is_open(&code_hash, now).await,
            // A username already taken is the family's to change, not a wrong code.
            async |hash: String| state.store.accept_invite(&code_hash, &username, &hash, now).await,
        )
        .await?;
    let (jar, info) = super::session::start_session(&state, &headers, jar, id, "invite.accept").await?;
    Ok((jar, ApiJson(info)))
}
