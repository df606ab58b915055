//! The typed client of the server's JSON API (`/api`, described at `/api/openapi.json`). The session
//! cookie (HttpOnly) goes with every request by itself.

use dsr_shared::accounts::{
    AcceptInvite, Assignment, AuditEntry, InviteCreated, LoginRequest, NewFamilyInvite, NewStaffUser, SessionInfo,
    UserSummary, ViewEvents,
};
use dsr_shared::api::{ApiError, Health, PolicyDocument, PolicyUpdate};
use dsr_shared::sync::{PullResponse, PushRequest, PushResponse};
use dsr_shared::{ClientId, PersonId, UserId};
use gloo_net::http::{Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiFailure {
    /// No answer: offline, or the server is down. Try again later.
    #[error("cannot reach the server")]
    Unreachable,
    /// Not signed in, or the session ended: sign in again. Nothing on the device is lost.
    #[error("{}", .0.message)]
    SignedOut(ApiError),
    /// The account was closed, or this device's data belongs to another account: delete the copy.
    #[error("{}", .0.message)]
    AccessEnded(ApiError),
    /// The server refused the request (4xx): it will not succeed as it is.
    #[error("{}", .0.message)]
    Refused(ApiError),
    /// The server failed (5xx) or answered something this app does not understand. Try again later.
    #[error("the server had a problem: {0}")]
    Server(String),
}

async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    match response.json::<ApiError>().await {
        Ok(error) if status == 401 => ApiFailure::SignedOut(error),
        Ok(error) if status == 403 && matches!(error.code.as_str(), "account_disabled" | "device_of_another_user") => {
            ApiFailure::AccessEnded(error)
        }
        Ok(error) if (400..500).contains(&status) => ApiFailure::Refused(error),
        Ok(error) => ApiFailure::Server(error.message),
        Err(_) => ApiFailure::Server(format!("status {status}")),
    }
}

async fn read<T: DeserializeOwned>(response: Result<Response, gloo_net::Error>) -> Result<T, ApiFailure> {
    let response = response.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() {
        return response.json::<T>().await.map_err(|e| ApiFailure::Server(e.to_string()));
    }
    Err(failure(response).await)
}

async fn read_empty(response: Result<Response, gloo_net::Error>) -> Result<(), ApiFailure> {
    let response = response.map_err(|_| ApiFailure::Unreachable)?;
    if response.ok() { Ok(()) } else { Err(failure(response).await) }
}

async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiFailure> {
    let request = Request::post(path).json(body).map_err(|e| ApiFailure::Server(e.to_string()))?;
    read(request.send().await).await
}

pub async fn health() -> Result<Health, ApiFailure> {
    read(Request::get("/api/health").send().await).await
}

pub async fn push(request: &PushRequest) -> Result<PushResponse, ApiFailure> {
    post("/api/sync/push", request).await
}

/// A pulled page this big (about 60 records) is parsed only after a draft or save being written:
/// smaller ones are what someone waits for.
const LARGE_PAGE_BYTES: usize = 64 * 1024;

pub async fn pull(client: ClientId, cursor: u64, view: u64, limit: u32) -> Result<PullResponse, ApiFailure> {
    let path = format!("/api/sync/pull?client_id={client}&cursor={cursor}&view={view}&limit={limit}");
    let response = Request::get(&path).send().await.map_err(|_| ApiFailure::Unreachable)?;
    if !response.ok() {
        return Err(failure(response).await);
    }
    // Read as bytes, not text: a page of 2,000 records is megabytes, and a JavaScript string would be
    // converted to UTF-8 on its way into the app before being parsed.
    let bytes = response.binary().await.map_err(|_| ApiFailure::Unreachable)?;
    // A large page's parse gives way to a draft or a save being written (a small one does not wait).
    if bytes.len() > LARGE_PAGE_BYTES {
        crate::local_store::foreground::give_way().await;
    }
    let started = crate::timing::now();
    let page = serde_json::from_slice(&bytes).map_err(|e| ApiFailure::Server(e.to_string()));
    crate::timing::record("dsr-pull-parse", started);
    page
}

pub async fn login(username: &str, password: &str) -> Result<SessionInfo, ApiFailure> {
    post("/api/session/login", &LoginRequest { username: username.into(), password: password.into() }).await
}

pub async fn session() -> Result<SessionInfo, ApiFailure> {
    read(Request::get("/api/session").send().await).await
}

pub async fn logout() -> Result<(), ApiFailure> {
    read_empty(Request::post("/api/session/logout").send().await).await
}

pub async fn accept_invite(request: &AcceptInvite) -> Result<SessionInfo, ApiFailure> {
    post("/api/invites/accept", request).await
}

/// A new password with a reset code: signs in.
pub async fn reset_password(request: &dsr_shared::accounts::ResetPassword) -> Result<SessionInfo, ApiFailure> {
    post("/api/password-reset", request).await
}

/// A coordinator's one-time reset code for `user`.
pub async fn reset_code(user: dsr_shared::UserId) -> Result<dsr_shared::accounts::ResetCodeCreated, ApiFailure> {
    post(&format!("/api/users/{user}/reset-code"), &serde_json::json!({})).await
}

/// A new recovery secret for this device's new data key.
pub async fn new_device_recovery(
    client: dsr_shared::ClientId,
) -> Result<dsr_shared::accounts::DeviceRecovery, ApiFailure> {
    read(Request::put(&format!("/api/devices/{client}/recovery")).send().await).await
}

/// This device's recovery secret (after a password reset).
pub async fn device_recovery(client: dsr_shared::ClientId) -> Result<dsr_shared::accounts::DeviceRecovery, ApiFailure> {
    read(Request::get(&format!("/api/devices/{client}/recovery")).send().await).await
}

pub async fn users() -> Result<Vec<UserSummary>, ApiFailure> {
    read(Request::get("/api/users").send().await).await
}

pub async fn create_staff(user: &NewStaffUser) -> Result<UserSummary, ApiFailure> {
    post("/api/users", user).await
}

pub async fn invite(invite: &NewFamilyInvite) -> Result<InviteCreated, ApiFailure> {
    post("/api/invites", invite).await
}

pub async fn disable(user: UserId, close: &dsr_shared::accounts::CloseAccount) -> Result<UserSummary, ApiFailure> {
    post(&format!("/api/users/{user}/disable"), close).await
}

pub async fn assign(user: UserId, person_id: PersonId) -> Result<UserSummary, ApiFailure> {
    post(&format!("/api/users/{user}/people"), &Assignment { person_id }).await
}

pub async fn unassign(user: UserId, person: PersonId) -> Result<UserSummary, ApiFailure> {
    read(Request::delete(&format!("/api/users/{user}/people/{person}")).send().await).await
}

/// The audit trail about a person or by a user.
pub async fn audit(person: Option<PersonId>, user: Option<UserId>) -> Result<Vec<AuditEntry>, ApiFailure> {
    read(Request::get(&audit_path("/api/audit", person, user)).send().await).await
}

/// Where the CSV export of the same entries is (a link: the browser downloads it).
pub fn audit_export_path(person: Option<PersonId>, user: Option<UserId>) -> String {
    audit_path("/api/audit/export", person, user)
}

fn audit_path(base: &str, person: Option<PersonId>, user: Option<UserId>) -> String {
    match (person, user) {
        (Some(p), _) => format!("{base}?person_id={p}"),
        (None, Some(u)) => format!("{base}?user_id={u}"),
        (None, None) => base.to_string(),
    }
}

/// The areas this service holds registers for (public).
pub async fn areas() -> Result<Vec<dsr_shared::accounts::AreaSummary>, ApiFailure> {
    read(Request::get("/api/areas").send().await).await
}

impl ApiFailure {
    /// What a form shows when its request failed: the server's field errors on their own fields,
    /// `offline` when there is no connection, anything else on `field`.
    pub fn form_errors(self, field: &str, offline: &str) -> dsr_shared::ValidationErrors {
        let mut found = dsr_shared::ValidationErrors::new();
        match self {
            ApiFailure::Refused(error) if !error.fields.is_empty() => {
                for f in error.fields {
                    found.add(f.field, f.message);
                }
            }
            ApiFailure::Unreachable => found.add(field, offline),
            other => found.add(field, other.to_string()),
        }
        found
    }
}

/// A family's or young person's self-referral (public: no account).
pub async fn self_referral(
    request: &dsr_shared::referral::SelfReferralRequest,
) -> Result<dsr_shared::referral::SelfReferralReceived, ApiFailure> {
    post("/api/referrals/self", request).await
}

/// What happened to a self-referral, by its reference and the child's date of birth (public: no account).
pub async fn self_referral_status(
    request: &dsr_shared::referral::SelfReferralStatusRequest,
) -> Result<dsr_shared::referral::SelfReferralStatus, ApiFailure> {
    post("/api/referrals/self/status", request).await
}

/// Carries out an erasure request for a person (coordinators).
pub async fn erase(
    person: dsr_shared::PersonId,
    request: &dsr_shared::api::ErasureRequest,
) -> Result<dsr_shared::api::Erased, ApiFailure> {
    post(&format!("/api/people/{person}/erase"), request).await
}

/// The area's policy.
pub async fn policy() -> Result<PolicyDocument, ApiFailure> {
    read(Request::get("/api/area/policy").send().await).await
}

/// A coordinator's change to the area's policy, made from the version they opened.
pub async fn change_policy(update: &PolicyUpdate) -> Result<PolicyDocument, ApiFailure> {
    let request = Request::put("/api/area/policy").json(update).map_err(|e| ApiFailure::Server(e.to_string()))?;
    read(request.send().await).await
}

pub async fn send_views(events: &ViewEvents) -> Result<(), ApiFailure> {
    let request = Request::post("/api/audit/views").json(events).map_err(|e| ApiFailure::Server(e.to_string()))?;
    read_empty(request.send().await).await
}
