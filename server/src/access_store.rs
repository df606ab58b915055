//! Need-to-know on the server: what a user may see ([`View`]) and change ([`WriteAccess`]), worked out
//! from their role, their caseload and the people's consent records with the rules in
//! `dsr_shared::access`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use dsr_shared::PersonId;
use dsr_shared::access::Role;
use dsr_shared::access::{Held, PersonAccess, PersonFacts, View, area_access, outcome_withheld, person_access};
use dsr_shared::consent::Consent;
use dsr_shared::review::Review;
use dsr_shared::sync::push::WriteAccess;
use sqlx::SqliteConnection;

use crate::AppError;
use crate::auth::CurrentUser;

/// At most this many ids in one `IN (...)`.
const IN_CHUNK: usize = 400;

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The people a user is assigned to, within their area.
pub(crate) async fn assigned_people(
    db: &mut SqliteConnection,
    user: &CurrentUser,
) -> Result<BTreeSet<PersonId>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT c.person_id FROM caseload c JOIN records r ON r.id = c.person_id
         WHERE c.user_id = ? AND r.area_id = ? AND r.deleted = 0",
    )
    .bind(user.id.to_string())
    .bind(&user.area_id)
    .fetch_all(&mut *db)
    .await?;
    Ok(rows.into_iter().filter_map(|(p,)| p.parse().ok()).collect())
}

/// The records of `kind` about each of `people` that parse (stored records passed validation; one that
/// no longer parses is left out, which for a consent reads as no consent).
async fn records_of<T: serde::de::DeserializeOwned>(
    db: &mut SqliteConnection,
    kind: &str,
    people: &BTreeSet<PersonId>,
) -> Result<BTreeMap<PersonId, Vec<T>>, AppError> {
    let mut found: BTreeMap<PersonId, Vec<T>> = BTreeMap::new();
    let ids: Vec<String> = people.iter().map(ToString::to_string).collect();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "SELECT id, person_id, fields FROM records WHERE kind = ? AND deleted = 0 AND person_id IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql).bind(kind);
        for id in chunk {
            query = query.bind(id);
        }
        collect_rows(kind, query.fetch_all(&mut *db).await?, &mut found)?;
    }
    Ok(found)
}

/// Adds each stored row `(id, person_id, fields)` of `kind` that parses to its person's list (one that
/// no longer parses is left out).
fn collect_rows<T: serde::de::DeserializeOwned>(
    kind: &str,
    rows: Vec<(String, String, String)>,
    found: &mut BTreeMap<PersonId, Vec<T>>,
) -> Result<(), AppError> {
    for (id, person, fields) in rows {
        let mut value: serde_json::Value =
            serde_json::from_str(&fields).map_err(|e| AppError::Corrupt(format!("{kind} fields: {e}")))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("id".into(), serde_json::Value::String(id));
        }
        if let (Ok(record), Ok(person)) = (serde_json::from_value::<T>(value), person.parse()) {
            found.entry(person).or_default().push(record);
        }
    }
    Ok(())
}

/// The people in `area` whose register consent is withdrawn on `today` (from every consent record there).
async fn withdrawn_in_area(
    db: &mut SqliteConnection,
    area: &str,
    today: NaiveDate,
) -> Result<BTreeSet<PersonId>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, person_id, fields FROM records WHERE kind = 'consent' AND deleted = 0 AND area_id = ?",
    )
    .bind(area)
    .fetch_all(&mut *db)
    .await?;
    let mut consents: BTreeMap<PersonId, Vec<Consent>> = BTreeMap::new();
    collect_rows("consent", rows, &mut consents)?;
    Ok(consents
        .into_iter()
        .filter(|(_, consents)| PersonFacts::from_consents(consents, today).register_consent_withdrawn)
        .map(|(person, _)| person)
        .collect())
}

/// What is known about each of `people` that changes who may see them (from their consent records).
pub(crate) async fn person_facts(
    db: &mut SqliteConnection,
    people: &BTreeSet<PersonId>,
    today: NaiveDate,
) -> Result<BTreeMap<PersonId, PersonFacts>, AppError> {
    let consents: BTreeMap<PersonId, Vec<Consent>> = records_of(db, "consent", people).await?;
    Ok(people
        .iter()
        .map(|p| (*p, PersonFacts::from_consents(consents.get(p).map_or(&[][..], Vec::as_slice), today)))
        .collect())
}

/// What a user may read: the whole area for a coordinator; otherwise per assigned person, the kinds
/// their role may read given what is known about the person.
pub(crate) async fn view_for(
    db: &mut SqliteConnection,
    user: &CurrentUser,
    today: NaiveDate,
) -> Result<View, AppError> {
    if user.role.sees_whole_register() {
        return Ok(View::WholeArea);
    }
    if user.role.reads_whole_area() {
        // The same kinds of everyone's records, but none of those who withdrew consent to the register.
        let kinds = person_access(user.role, true, PersonFacts::default()).read;
        let except = withdrawn_in_area(db, &user.area_id, today).await?;
        return Ok(View::Register { kinds, area: area_access(user.role).read, except });
    }
    let people = assigned_people(db, user).await?;
    let facts = person_facts(db, &people, today).await?;
    // Only a family has reviews' outcomes withheld: the reviews are read for no one else.
    let reviews: BTreeMap<PersonId, Vec<Review>> =
        if user.role == Role::Family { records_of(db, "review", &people).await? } else { BTreeMap::new() };
    Ok(View::People(
        facts
            .into_iter()
            .map(|(person, facts)| {
                let withheld = reviews
                    .get(&person)
                    .into_iter()
                    .flatten()
                    .filter(|review| outcome_withheld(user.role, review))
                    .map(|review| review.id)
                    .collect();
                (person, Held { kinds: person_access(user.role, true, facts).read, withheld })
            })
            .filter(|(_, held)| !held.kinds.is_empty())
            .collect(),
    ))
}

/// What a user may change of the people a push touches; `foreign` lists the touched records that
/// belong to another area.
pub(crate) async fn write_access(
    db: &mut SqliteConnection,
    user: &CurrentUser,
    touched: &BTreeSet<PersonId>,
    foreign: BTreeSet<dsr_shared::RecordId>,
    today: NaiveDate,
) -> Result<WriteAccess, AppError> {
    let ids: Vec<String> = touched.iter().map(ToString::to_string).collect();
    let mut in_area = BTreeSet::new();
    for chunk in ids.chunks(IN_CHUNK) {
        let sql = format!(
            "SELECT id FROM records WHERE kind = 'person' AND deleted = 0 AND area_id = ? AND id IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query_as::<_, (String,)>(&sql).bind(&user.area_id);
        for id in chunk {
            query = query.bind(id);
        }
        in_area.extend(query.fetch_all(&mut *db).await?.into_iter().filter_map(|(p,)| p.parse::<PersonId>().ok()));
    }
    let assigned = if user.role.reads_whole_area() { in_area.clone() } else { assigned_people(db, user).await? };
    let people: BTreeSet<PersonId> = in_area.intersection(&assigned).copied().collect();
    let facts = person_facts(db, &people, today).await?;
    let people: BTreeMap<PersonId, PersonAccess> =
        facts.into_iter().map(|(person, facts)| (person, person_access(user.role, true, facts))).collect();
    Ok(WriteAccess { role: user.role, people, foreign })
}

/// Whether a person is (or was: a deleted person's tombstone keeps its area) in an area.
pub(crate) async fn person_in_area(db: &mut SqliteConnection, area: &str, person: PersonId) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM records WHERE id = ? AND kind = 'person' AND area_id = ?")
        .bind(person.to_string())
        .bind(area)
        .fetch_optional(&mut *db)
        .await?;
    Ok(row.is_some())
}
