//! `/api/area/policy`: the signed-in user's area's policy (every role reads it: the forms and the due
//! engine follow it), and a coordinator's change to it.

use axum::extract::State;
use dsr_shared::api::{ApiError, PolicyDocument, PolicyUpdate};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, AppError};

#[utoipa::path(get, path = "/area/policy", tag = "policy",
    responses(
        (status = 200, description = "The area's policy (timescales, consent ages, risk tools, meetings, retention) and its version", body = PolicyDocument),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
pub async fn get(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<PolicyDocument>, AppError> {
    Ok(ApiJson(state.store.policy_of(&user).await?))
}

#[utoipa::path(put, path = "/area/policy", tag = "policy",
    request_body = PolicyUpdate,
    responses(
        (status = 200, description = "The new version. A changed risk tool became a new version of that tool; earlier versions are kept for the assessments made with them", body = PolicyDocument),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 409, description = "Someone changed the policy since `base_version`: nothing was saved", body = ApiError),
        (status = 422, description = "The policy breaks a rule (the field is named)", body = ApiError),
    ))]
pub async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(update): ApiJson<PolicyUpdate>,
) -> Result<ApiJson<PolicyDocument>, AppError> {
    user.require_coordinator()?;
    // Hidden control characters anywhere in the policy's texts (the forms cannot type them; a caller can).
    if let Some(path) = serde_json::to_value(&update.policy).ok().as_ref().and_then(dsr_shared::text::stray_control_in)
    {
        let mut errors = dsr_shared::ValidationErrors::new();
        errors.add(path, dsr_shared::text::STRAY_CONTROL_MESSAGE);
        return Err(errors.into());
    }
    let now = state.clock.now();
    let changed = state.store.change_policy(&user, update.base_version, update.policy, update.reason, now).await?;
    // Devices take the area's new rules (forms, due dates) now, not at their next timed sync.
    state.store.changes().announce(&user.area_id, 0);
    Ok(ApiJson(changed))
}
