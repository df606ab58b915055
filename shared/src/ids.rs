//! Identifiers: UUID v7 newtypes, one per entity, made on the device that creates the record.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Identifies one person on the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = uuid::Uuid))]
#[serde(transparent)]
pub struct PersonId(Uuid);

impl PersonId {
    /// A UUID v7 from the time of creation (milliseconds since the Unix epoch) and ten random bytes.
    /// The caller supplies both, so this crate needs neither a clock nor a random source.
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

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for PersonId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
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
    fn person_id_round_trips_through_text_and_json() {
        let id = PersonId::from_time_and_random(1_700_000_000_000, [7; 10]);
        assert_eq!(id.to_string().parse::<PersonId>().ok(), Some(id));
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, format!("\"{id}\""));
    }
}
