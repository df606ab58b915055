//! Identifiers: UUID v7 newtypes, one per entity, made on the device that creates the record, so
//! ids of different things cannot be mixed up.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! uuid_ids {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = uuid::Uuid))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A UUID v7 from the time of creation (milliseconds since the Unix epoch) and ten random
            /// bytes. The caller supplies both, so this crate needs neither a clock nor a random source.
            pub fn from_time_and_random(unix_millis: u64, random: [u8; 10]) -> Self {
                Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

uuid_ids!(
    /// A person on the register.
    PersonId,
    /// A referral to the register.
    ReferralId,
    /// A consent, or a best-interests decision in its place.
    ConsentId,
    /// One change of a person's rating.
    RatingChangeId,
    /// One version of an area's risk tool.
    RiskToolId,
    /// One filled-in risk checklist.
    RiskAssessmentId,
    /// One stay in a mental health hospital.
    AdmissionId,
    /// A Care (Education) and Treatment Review.
    ReviewId,
    /// A young person's planner for a review.
    PlannerId,
    /// A family's views for a review.
    FamilyViewsId,
    /// A panel's finding against a key line of enquiry.
    KloeFindingId,
    /// A review's recommendation.
    RecommendationId,
    /// An action of a review's action plan.
    ActionId,
    /// A DSR meeting.
    DsrMeetingId,
    /// What a DSR meeting decided about one person (one per person per meeting).
    MeetingDecisionId,
    /// A keyworker's visit note.
    VisitNoteId,
    /// A multi-agency meeting about one person (Amber's required action).
    MultiAgencyMeetingId,
    /// A user account.
    UserId,
    /// Any synced record (a person, a review...): the envelope's id, equal to the entity's own id.
    RecordId,
    /// One device's copy of the app (made once per browser profile).
    ClientId,
);

/// An id that follows from another's (a review's planner from the review): the same on every device,
/// so records that must be one per thing are one even when two devices make them offline. `kind` tells
/// the things derived from one id apart. The result is a version 8 (custom) UUID: never a v7 made by
/// [`RecordId::from_time_and_random`], so it cannot collide with one.
pub fn derived(from: Uuid, kind: u8) -> Uuid {
    let mut bytes = from.into_bytes();
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte ^= kind.wrapping_mul(0x9d).rotate_left(i as u32 % 8) ^ (i as u8).wrapping_mul(0x3b);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// An id that follows from another's and some parts (a review's finding on one prompt by one member):
/// the same on every device, different for any other parts. SHA-256 of the id and the parts (each with
/// its length, so no two lists of parts read the same), as a version 8 UUID like [`derived`]'s.
pub fn derived_from_parts(from: Uuid, parts: &[&[u8]]) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(from.as_bytes());
    for part in parts {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn person_ids_are_version_7_and_sort_by_creation_time() {
        let earlier = PersonId::from_time_and_random(1_700_000_000_000, [0xff; 10]);
        let later = PersonId::from_time_and_random(1_700_000_000_001, [0x00; 10]);
        assert_eq!(earlier.as_uuid().get_version_num(), 7);
        assert!(earlier < later);
    }

    #[test]
    fn an_id_derived_from_parts_is_the_same_everywhere_and_differs_for_any_other_parts() {
        let review = ReviewId::from_time_and_random(1_700_000_000_000, [7; 10]).as_uuid();
        let one = derived_from_parts(review, &[b"finding", b"risk", b"user 1"]);
        assert_eq!(one, derived_from_parts(review, &[b"finding", b"risk", b"user 1"]));
        assert_eq!(one.get_version_num(), 8);
        for other in [
            derived_from_parts(review, &[b"finding", b"risk", b"user 2"]),
            derived_from_parts(review, &[b"finding", b"riskuser 1"]),
            derived_from_parts(review, &[b"finding", b"ris", b"kuser 1"]),
            derived_from_parts(Uuid::nil(), &[b"finding", b"risk", b"user 1"]),
        ] {
            assert_ne!(one, other);
        }
    }

    #[test]
    fn a_derived_id_is_the_same_everywhere_differs_by_kind_and_is_never_a_made_one() {
        let review = ReviewId::from_time_and_random(1_700_000_000_000, [7; 10]).as_uuid();
        let other = ReviewId::from_time_and_random(1_700_000_000_000, [8; 10]).as_uuid();
        assert_eq!(derived(review, 1), derived(review, 1));
        assert_ne!(derived(review, 1), derived(review, 2));
        assert_ne!(derived(review, 1), derived(other, 1));
        assert_ne!(derived(review, 1), review);
        assert_eq!(derived(review, 1).get_version_num(), 8);
        assert_eq!(derived(review, 1).get_variant(), uuid::Variant::RFC4122);
    }

    #[test]
    fn ids_round_trip_through_text_and_json() {
        let id = ReviewId::from_time_and_random(1_700_000_000_000, [7; 10]);
        assert_eq!(id.to_string().parse::<ReviewId>().ok(), Some(id));
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ReviewId>(&json).ok(), Some(id));
    }
}
