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
use dsr_shared::sync::RecordKind;
use dsr_shared::sync::push::WriteAccess;

use crate::AppError;
use crate::auth::CurrentUser;
use crate::storage::{RecordFields, Transaction};

/// The people a user is assigned to, within their area.
pub(crate) async fn assigned_people(
    tx: &mut dyn Transaction,
    user: &CurrentUser,
) -> Result<BTreeSet<PersonId>, AppError> {
    Ok(tx.assigned_people(user.id, &user.area_id).await?.into_iter().collect())
}

/// Each record that reads as a `T` (its fields with its id), by person; one that no longer reads is
/// left out, which for a consent reads as no consent (stored records passed validation).
fn by_person<T: serde::de::DeserializeOwned>(rows: Vec<RecordFields>) -> BTreeMap<PersonId, Vec<T>> {
    let mut found: BTreeMap<PersonId, Vec<T>> = BTreeMap::new();
    for row in rows {
        let Some(person) = row.person_id else { continue };
        let mut fields: serde_json::Map<String, serde_json::Value> = row.fields.into_iter().collect();
        fields.insert("id".into(), serde_json::Value::String(row.id.to_string()));
        if let Ok(record) = serde_json::from_value::<T>(serde_json::Value::Object(fields)) {
            found.entry(person).or_default().push(record);
        }
    }
    found
}

/// The people in `area` whose register consent is withdrawn on `today` (from every consent record there).
async fn withdrawn_in_area(
    tx: &mut dyn Transaction,
    area: &str,
    today: NaiveDate,
) -> Result<BTreeSet<PersonId>, AppError> {
    let consents: BTreeMap<PersonId, Vec<Consent>> = by_person(tx.records_in_area(area, &[RecordKind::Consent]).await?);
    Ok(consents
        .into_iter()
        .filter(|(_, consents)| PersonFacts::from_consents(consents, today).register_consent_withdrawn)
        .map(|(person, _)| person)
        .collect())
}

/// What is known about each of `people` that changes who may see them (from their consent records).
pub(crate) async fn person_facts(
    tx: &mut dyn Transaction,
    people: &BTreeSet<PersonId>,
    today: NaiveDate,
) -> Result<BTreeMap<PersonId, PersonFacts>, AppError> {
    let consents: BTreeMap<PersonId, Vec<Consent>> = by_person(tx.records_about(RecordKind::Consent, people).await?);
    Ok(people
        .iter()
        .map(|p| (*p, PersonFacts::from_consents(consents.get(p).map_or(&[][..], Vec::as_slice), today)))
        .collect())
}

/// What a user may read: the whole area for a coordinator; otherwise per assigned person, the kinds
/// their role may read given what is known about the person.
pub(crate) async fn view_for(tx: &mut dyn Transaction, user: &CurrentUser, today: NaiveDate) -> Result<View, AppError> {
    if user.role.sees_whole_register() {
        return Ok(View::WholeArea);
    }
    if user.role.reads_whole_area() {
        // The same kinds of everyone's records, but none of those who withdrew consent to the register.
        let kinds = person_access(user.role, true, PersonFacts::default()).read;
        let except = withdrawn_in_area(tx, &user.area_id, today).await?;
        return Ok(View::Register { kinds, area: area_access(user.role).read, except });
    }
    let people = assigned_people(tx, user).await?;
    let facts = person_facts(tx, &people, today).await?;
    // Only a family has reviews' outcomes withheld: the reviews are read for no one else.
    let reviews: BTreeMap<PersonId, Vec<Review>> = if user.role == Role::Family {
        by_person(tx.records_about(RecordKind::Review, &people).await?)
    } else {
        BTreeMap::new()
    };
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
    tx: &mut dyn Transaction,
    user: &CurrentUser,
    touched: &BTreeSet<PersonId>,
    foreign: BTreeSet<dsr_shared::RecordId>,
    today: NaiveDate,
) -> Result<WriteAccess, AppError> {
    let in_area = tx.people_in_area(&user.area_id, touched).await?;
    let assigned = if user.role.reads_whole_area() { in_area.clone() } else { assigned_people(tx, user).await? };
    let people: BTreeSet<PersonId> = in_area.intersection(&assigned).copied().collect();
    let facts = person_facts(tx, &people, today).await?;
    let people: BTreeMap<PersonId, PersonAccess> =
        facts.into_iter().map(|(person, facts)| (person, person_access(user.role, true, facts))).collect();
    Ok(WriteAccess { role: user.role, people, foreign })
}
