//! `/api/people/{person_id}/erase`: a coordinator carries out an erasure request at once (the retention
//! job does the same for people who left the register longer ago than the area's retention period).

use axum::extract::State;
use dsr_shared::PersonId;
use dsr_shared::api::{ApiError, Erased, ErasureRequest};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::purge::PurgeReason;

#[utoipa::path(post, path = "/people/{person_id}/erase", tag = "people",
    params(("person_id" = PersonId, Path, description = "The person whose details are to be erased")),
    request_body = ErasureRequest,
    responses(
        (status = 200, description = "Erased: every record about the person is a tombstone, which devices delete on their next sync; old and new values are blanked in the audit trail", body = Erased),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such person on this area's register", body = ApiError),
        (status = 422, description = "Say who asked for the erasure (`asked_by`) and why (`reason`)", body = ApiError),
    ))]
pub async fn erase(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(person): ApiPath<PersonId>,
    ApiJson(request): ApiJson<ErasureRequest>,
) -> Result<ApiJson<Erased>, AppError> {
    user.require_coordinator()?;
    let asked = request.validate()?;
    let now = state.clock.now();
    let why = PurgeReason::Erasure(asked.audit_reason());
    // Deleted records are erased too: a tombstone's history still holds what was written.
    match state.store.purge_person(&user.area_id, person, why, Some(&user), now).await? {
        0 => Err(AppError::NotFound("There is no such person on your area's register".into())),
        records => Ok(ApiJson(Erased { records })),
    }
}
