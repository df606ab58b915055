//! `/api/areas` and `/api/referrals/self`: the public side of the register. A family or young person
//! refers themselves with no account; the referral enters the area's register through the sync engine
//! (as changes of the area's "online self-referral form"), waits in the coordinators' triage queue for
//! the next DSR meeting, and is audited. Nothing about anyone is ever sent back.

use axum::extract::State;
use axum::http::StatusCode;
use dsr_shared::accounts::AreaSummary;
use dsr_shared::api::ApiError;
use dsr_shared::referral::{
    Referral, SelfReferralReceived, SelfReferralRequest, SelfReferralStatus, SelfReferralStatusRequest,
    self_referral_reference,
};
use dsr_shared::sync::{FieldChange, Fields, Mutation, PushOutcome, PushRequest, RecordKind, fields_of};
use dsr_shared::{ClientId, PersonId, RecordId, ReferralId};
use rand::RngCore;

use crate::AppState;
use crate::audit_store::AuditEvent;
use crate::error::{ApiJson, AppError};
use crate::limits::{self, ClientAddr};

/// At most this many self-referrals from one client within an hour (see `limits`).
pub const MAX_SELF_REFERRALS: u32 = limits::SELF_REFERRAL_PER_CLIENT.max;

#[utoipa::path(get, path = "/areas", tag = "referrals",
    security(()),
    responses(
        (status = 200, description = "The areas (ICBs) this service holds registers for, to choose where a self-referral goes", body = Vec<AreaSummary>),
    ))]
pub async fn areas(State(state): State<AppState>) -> Result<ApiJson<Vec<AreaSummary>>, AppError> {
    Ok(ApiJson(state.store.areas().await?))
}

#[utoipa::path(post, path = "/referrals/self", tag = "referrals",
    security(()),
    request_body = SelfReferralRequest,
    responses(
        (status = 201, description = "Received: it waits for the area's next DSR meeting; the family is contacted by `contact_by`", body = SelfReferralReceived),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 404, description = "No such area", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "A field needs attention (each is named)", body = ApiError),
        (status = 429, description = "Several referrals from this client within the hour, or an unusual number to this area: phone the area's team or wait (Retry-After)", body = ApiError),
    ))]
pub async fn self_referral(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(request): ApiJson<SelfReferralRequest>,
) -> Result<(StatusCode, ApiJson<SelfReferralReceived>), AppError> {
    let area = state
        .store
        .area_if_any(&request.area_id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such area: choose your area from the list".into()))?;
    let now = state.clock.now();
    let today = state.clock.today();
    let client_in_area = format!("{} {}", area.id, client.0);
    let reservation = state
        .store
        .reserve_attempts(
            &[(limits::SELF_REFERRAL_PER_CLIENT, &client_in_area), (limits::SELF_REFERRAL_PER_AREA, &area.id)],
            now,
        )
        .await?;
    match received(&state, &area, request, now, today).await {
        Ok(answer) => Ok((StatusCode::CREATED, ApiJson(answer))),
        Err(error) => {
            // Only referrals received count against the limits; a form sent back to be corrected does not.
            state.store.release_attempts(reservation).await?;
            Err(error)
        }
    }
}

/// Enters a self-referral into the register.
async fn received(
    state: &AppState,
    area: &AreaSummary,
    request: SelfReferralRequest,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
) -> Result<SelfReferralReceived, AppError> {
    let new_id = || {
        let mut random = [0u8; 10];
        rand::rng().fill_bytes(&mut random);
        RecordId::from_time_and_random(now.timestamp_millis().max(0) as u64, random)
    };
    let (person_id, referral_id) = (new_id(), new_id());
    let (person, referral) = request.to_records(
        PersonId::from_uuid(person_id.as_uuid()),
        ReferralId::from_uuid(referral_id.as_uuid()),
        today,
    )?;
    // The family's reference, kept before the referral is received (given back if it is not).
    let mut reference = None;
    for _ in 0..20 {
        let mut random = [0u8; 4];
        rand::rng().fill_bytes(&mut random);
        let made = self_referral_reference(random);
        if state.store.reserve_reference(&made, &area.id, referral.id, person.id, now).await? {
            reference = Some(made);
            break;
        }
    }
    let reference = reference.ok_or_else(|| AppError::Corrupt("no free self-referral reference".into()))?;
    match enter(state, area, &person, &referral, now, today).await {
        Ok(()) => {}
        Err(error) => {
            state.store.release_reference(&reference).await?;
            return Err(error);
        }
    }
    let policy = state.store.policy_of_area(area).await?.policy;
    Ok(SelfReferralReceived {
        reference,
        considered_on: referral.triage_due(&policy),
        contact_by: referral.contact_due(&policy),
    })
}

/// Enters the referred person and their referral into the area's register, as the area's form.
async fn enter(
    state: &AppState,
    area: &AreaSummary,
    person: &dsr_shared::Person,
    referral: &Referral,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
) -> Result<(), AppError> {
    let (person_id, referral_id) =
        (RecordId::from_uuid(person.id.as_uuid()), RecordId::from_uuid(referral.id.as_uuid()));
    let create = |seq: u64, id: RecordId, kind: RecordKind, fields: Fields| Mutation {
        seq,
        record_id: id,
        kind,
        base_version: None,
        changes: fields.into_iter().map(|(k, v)| (k, FieldChange { old: serde_json::Value::Null, new: v })).collect(),
        delete: false,
        reason: Some("Online self-referral".into()),
    };
    // Each submission is its own device: two families sending at once never share a sequence.
    let mut random = [0u8; 10];
    rand::rng().fill_bytes(&mut random);
    let push = PushRequest {
        client_id: ClientId::from_time_and_random(now.timestamp_millis().max(0) as u64, random),
        mutations: vec![
            create(1, person_id, RecordKind::Person, fields_of(person)),
            create(2, referral_id, RecordKind::Referral, fields_of(referral)),
        ],
    };
    let form = state.store.self_referral_form(&area.id, now);
    let answer = state.store.push(&form, push, now, today).await?;
    if let Some(refused) = answer.results.iter().find(|r| !matches!(r.outcome, PushOutcome::Applied { .. })) {
        return match &refused.outcome {
            PushOutcome::Rejected { reasons } => {
                let mut errors = dsr_shared::ValidationErrors::new();
                for r in reasons {
                    errors.add(r.field.clone(), r.message.clone());
                }
                Err(AppError::Validation(errors))
            }
            other => Err(AppError::Corrupt(format!("self-referral not applied: {other:?}"))),
        };
    }
    let event = AuditEvent {
        action: "referral.self",
        area_id: Some(area.id.clone()),
        person_id: Some(person.id),
        record_id: Some(referral_id.to_string()),
        kind: Some("referral".into()),
        detail: Some("online self-referral received".into()),
        ..AuditEvent::default()
    };
    state.store.audit(&event, now).await?;
    Ok(())
}

/// What a family is told when the reference and the date of birth do not find a referral together
/// (the same whichever is wrong, so neither can be learned on its own).
const NOT_FOUND: &str = "We could not find a referral with that reference and date of birth. Check both and try again, or phone your area's DSR team.";

#[utoipa::path(post, path = "/referrals/self/status", tag = "referrals",
    security(()),
    request_body = SelfReferralStatusRequest,
    responses(
        (status = 200, description = "Where the self-referral is, in plain words (nothing the family did not give)", body = SelfReferralStatus),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 404, description = "No referral with this reference and this date of birth (the same answer whichever is wrong)", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "The reference or the date of birth is missing or not one (each is named)", body = ApiError),
        (status = 429, description = "Too many checks that found nothing from this client within the hour (Retry-After)", body = ApiError),
    ))]
pub async fn self_referral_status(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(request): ApiJson<SelfReferralStatusRequest>,
) -> Result<ApiJson<SelfReferralStatus>, AppError> {
    let (reference, born) = request.parse()?;
    let now = state.clock.now();
    let reservation =
        state.store.reserve_attempts(&[(limits::SELF_REFERRAL_STATUS_PER_CLIENT, &client.0)], now).await?;
    let found = status_of(&state, &reference, born).await?;
    match found {
        Some(status) => {
            // A check that found its referral does not count against the family.
            state.store.release_attempts(reservation).await?;
            Ok(ApiJson(status))
        }
        None => Err(AppError::NotFound(NOT_FOUND.into())),
    }
}

/// The status of the referral `reference` names, when its person was born on `born`.
async fn status_of(
    state: &AppState,
    reference: &str,
    born: chrono::NaiveDate,
) -> Result<Option<SelfReferralStatus>, AppError> {
    let Some(row) = state.store.reference(reference).await? else { return Ok(None) };
    let (Some(person), Some(referral)) =
        (state.store.record(row.person_id).await?, state.store.record(row.referral_id).await?)
    else {
        return Ok(None);
    };
    if person.deleted || referral.deleted {
        return Ok(None);
    }
    let born_on = dsr_shared::sync::person_from(person.id, &person.fields).map(|p| p.date_of_birth);
    if born_on != Some(born) {
        return Ok(None);
    }
    let referral = dsr_shared::sync::domain_from::<Referral>(referral.id, &referral.fields)
        .ok_or_else(|| AppError::Corrupt(format!("referral {}", row.referral_id)))?;
    let Some(area) = state.store.area_if_any(&row.area_id).await? else { return Ok(None) };
    let policy = state.store.policy_of_area(&area).await?.policy;
    let status = referral.status_for_family(reference, &policy, state.clock.today());
    let event = AuditEvent {
        action: "referral.self_status",
        area_id: Some(area.id.clone()),
        person_id: Some(referral.person_id),
        record_id: Some(row.referral_id.to_string()),
        kind: Some("referral".into()),
        detail: Some("the family checked their self-referral".into()),
        ..AuditEvent::default()
    };
    state.store.audit(&event, state.clock.now()).await?;
    Ok(Some(status))
}
