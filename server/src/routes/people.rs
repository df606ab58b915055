//! `/api/people`: list, read and create people on the register. (A plain exchange: the sync
//! engine's push and pull replace it.)

use axum::extract::State;
use axum::http::StatusCode;
use dsr_shared::api::{ApiError, PeopleList};
use dsr_shared::{Person, PersonId, PersonSubmission};

use crate::AppState;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::store::Created;

#[utoipa::path(get, path = "/people", tag = "people",
    responses((status = 200, description = "Everyone on the register, by family name", body = PeopleList)))]
pub async fn list_people(State(state): State<AppState>) -> Result<ApiJson<PeopleList>, AppError> {
    Ok(ApiJson(PeopleList { people: state.store.list_people().await? }))
}

#[utoipa::path(get, path = "/people/{id}", tag = "people",
    params(("id" = uuid::Uuid, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = Person),
        (status = 400, description = "The id is not a UUID", body = ApiError),
        (status = 404, description = "No person has this id", body = ApiError),
    ))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<PersonId>,
) -> Result<ApiJson<Person>, AppError> {
    state.store.get_person(id).await?.map(ApiJson).ok_or_else(|| AppError::NotFound(format!("No person with id {id}")))
}

#[utoipa::path(post, path = "/people", tag = "people",
    request_body = PersonSubmission,
    responses(
        (status = 201, description = "Stored", body = Person),
        (status = 200, description = "Already stored with the same details (sent again)", body = Person),
        (status = 400, description = "The body is not JSON", body = ApiError),
        (status = 409, description = "Another person is stored with this id", body = ApiError),
        (status = 413, description = "The body is too large", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "A field is missing or wrong; `fields` says which and why", body = ApiError),
    ))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiJson(submission): ApiJson<PersonSubmission>,
) -> Result<(StatusCode, ApiJson<Person>), AppError> {
    let person = submission.validate(state.clock.today())?;
    match state.store.create_person(&person, state.clock.now()).await? {
        Created::New(person) => {
            tracing::info!(person = %person.id, "person created");
            Ok((StatusCode::CREATED, ApiJson(person)))
        }
        Created::AlreadyStored(person) => Ok((StatusCode::OK, ApiJson(person))),
    }
}
