//! Validation errors that name the field and say, in plain words, what is wrong.

use serde::{Deserialize, Serialize};

/// One problem with one field of a form or request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as it appears in the request (for example `nhs_number`).
    pub field: String,
    /// What is wrong, in plain words, ready to show to the person who typed it.
    pub message: String,
}

/// Every problem found in one form or request, in the order of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// Keeps the error of a failed check under `field`, and the value of a good one.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// The message for a field, if it has one.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn into_fields(self) -> Vec<FieldError> {
        self.0
    }
}

impl From<Vec<FieldError>> for ValidationErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        Self(errors)
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// A type made by [`validated!`]: its fields are read as `Unchecked` first, then its rules are checked,
/// so each broken rule is known by the field it names.
pub trait Checked: Sized + TryFrom<Self::Unchecked, Error = ValidationErrors> {
    type Unchecked: serde::de::DeserializeOwned;
}

/// A type whose values must satisfy rules beyond their fields' own types.
pub trait Validate {
    /// Every rule the value breaks, field by field; `Ok` when it breaks none.
    fn validate(&self) -> Result<(), ValidationErrors>;
}

impl ValidationErrors {
    /// `Ok` when empty, else these errors.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Adds `message` under `field` when `broken` is true.
    pub fn require(&mut self, broken: bool, field: &str, message: &str) {
        if broken {
            self.add(field, message);
        }
    }
}

/// Declares a struct that implements [`Validate`] and can only be deserialised through it:
/// serde reads an unchecked twin, then `TryFrom` runs `validate()`, so invalid JSON cannot produce
/// an invalid value.
///
/// ```ignore
/// validated! {
///     /// docs
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Admission (unchecked AdmissionUnchecked) { pub admitted: NaiveDate, ... }
/// }
/// impl Validate for Admission { ... }
/// ```
#[macro_export]
macro_rules! validated {
    (
        $(#[$meta:meta])*
        pub struct $name:ident (unchecked $raw:ident) {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field : $ty ),*
        }

        #[doc(hidden)]
        #[derive(serde::Deserialize)]
        pub struct $raw {
            $( $(#[$fmeta])* pub $field : $ty ),*
        }

        impl $name {
            /// The field names, as they are in JSON.
            pub const FIELDS: &'static [&'static str] = &[$( stringify!($field) ),*];
        }

        impl $crate::validation::Checked for $name {
            type Unchecked = $raw;
        }

        impl TryFrom<$raw> for $name {
            type Error = $crate::ValidationErrors;
            fn try_from(raw: $raw) -> Result<Self, Self::Error> {
                let value = $name { $( $field: raw.$field ),* };
                $crate::validation::Validate::validate(&value)?;
                Ok(value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <$raw as serde::Deserialize>::deserialize(deserializer)?;
                Self::try_from(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
