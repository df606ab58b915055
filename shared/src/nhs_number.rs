//! NHS numbers: ten digits, the last a Modulus 11 check digit, shown as 3-3-4 (`943 476 5919`).

use serde::{Deserialize, Serialize};

/// A valid NHS number. Made only by [`NhsNumber::parse`], so holding one means the check digit is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "9434765919"))]
#[serde(try_from = "String", into = "String")]
pub struct NhsNumber([u8; 10]);

/// Why some text is not an NHS number. The wording is shown to the person who typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Enter the NHS number")]
    Empty,
    #[error("NHS number must only include numbers and spaces")]
    NotDigits,
    #[error("NHS number must be 10 digits")]
    WrongLength,
    #[error("This is not a valid NHS number: check each digit and try again")]
    CheckDigit,
}

impl NhsNumber {
    /// Reads an NHS number typed with or without spaces or hyphens (`943 476 5919`, `943-476-5919`,
    /// `9434765919`) and checks its Modulus 11 check digit.
    pub fn parse(text: &str) -> Result<Self, NhsNumberError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(NhsNumberError::Empty);
        }
        let mut digits = Vec::with_capacity(10);
        for c in text.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                ' ' | '-' => {}
                _ => return Err(NhsNumberError::NotDigits),
            }
        }
        let digits: [u8; 10] = digits.try_into().map_err(|_| NhsNumberError::WrongLength)?;
        let first_nine: [u8; 9] = std::array::from_fn(|i| digits[i]);
        match check_digit(first_nine) {
            Some(check) if check == digits[9] => Ok(Self(digits)),
            _ => Err(NhsNumberError::CheckDigit),
        }
    }

    /// The ten digits with no spaces, as stored and sent (`9434765919`).
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// True for the 999 range, which the NHS keeps for testing and never issues to a patient.
    pub fn is_test_number(&self) -> bool {
        self.0[..3] == [9, 9, 9]
    }
}

/// The Modulus 11 check digit for the first nine digits of an NHS number, or `None` where the
/// calculation gives 10: no NHS number starts with those nine digits.
pub fn check_digit(first_nine: [u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine.iter().zip((2..=10).rev()).map(|(&d, weight)| u32::from(d) * weight).sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        check => Some(check as u8),
    }
}

/// Shown 3-3-4 with spaces: `943 476 5919`.
impl std::fmt::Display for NhsNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.digits();
        write!(f, "{} {} {}", &d[..3], &d[3..6], &d[6..])
    }
}

impl TryFrom<String> for NhsNumber {
    type Error = NhsNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<NhsNumber> for String {
    fn from(value: NhsNumber) -> Self {
        value.digits()
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn handbook_example_is_valid_and_shown_3_3_4() {
        let n = NhsNumber::parse("9434765919").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(n.to_string(), "943 476 5919");
        assert_eq!(n.digits(), "9434765919");
        assert!(!n.is_test_number());
    }

    #[test]
    fn spaces_and_hyphens_are_accepted() {
        assert!(NhsNumber::parse(" 943 476 5919 ").is_ok());
        assert!(NhsNumber::parse("943-476-5919").is_ok());
    }

    #[test]
    fn wrong_check_digit_is_refused() {
        assert_eq!(NhsNumber::parse("943 476 5918"), Err(NhsNumberError::CheckDigit));
    }

    #[test]
    fn a_check_digit_of_ten_means_no_valid_number() {
        // 1234567890: weights give a remainder of 1, so the check digit would be 10.
        assert_eq!(check_digit([1, 2, 3, 4, 5, 6, 7, 8, 9]), None);
        for last in 0..=9 {
            assert_eq!(NhsNumber::parse(&format!("123456789{last}")), Err(NhsNumberError::CheckDigit));
        }
    }

    #[test]
    fn remainder_zero_gives_check_digit_zero() {
        // A weighted sum that is a multiple of 11 gives 11 - 0 = 11, written as check digit 0.
        let nine = [0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(check_digit(nine), Some(0));
        assert!(NhsNumber::parse("0000000000").is_ok());
    }

    #[test]
    fn bad_text_gets_a_plain_message() {
        assert_eq!(NhsNumber::parse(""), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("   "), Err(NhsNumberError::Empty));
        assert_eq!(NhsNumber::parse("94347659I9"), Err(NhsNumberError::NotDigits));
        assert_eq!(NhsNumber::parse("943476591"), Err(NhsNumberError::WrongLength));
        assert_eq!(NhsNumber::parse("94347659190"), Err(NhsNumberError::WrongLength));
        assert_eq!(NhsNumberError::NotDigits.to_string(), "NHS number must only include numbers and spaces");
    }

    #[test]
    fn json_takes_and_gives_ten_digits_and_refuses_invalid_numbers() {
        let n: NhsNumber = serde_json::from_str("\"943 476 5919\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::to_string(&n).ok().as_deref(), Some("\"9434765919\""));
        assert!(serde_json::from_str::<NhsNumber>("\"9434765918\"").is_err());
    }

    #[test]
    fn test_range_is_recognised() {
        // 9*10 + 9*9 + 9*8 + 1*2 = 245 = 22*11 + 3, so the check digit is 11 - 3 = 8.
        assert_eq!(check_digit([9, 9, 9, 0, 0, 0, 0, 0, 1]), Some(8));
        let n = NhsNumber::parse("999 000 0018").unwrap_or_else(|e| panic!("{e}"));
        assert!(n.is_test_number());
        assert!(!NhsNumber::parse("9434765919").is_ok_and(|n| n.is_test_number()));
    }

    fn nine_digits() -> impl Strategy<Value = [u8; 9]> {
        proptest::array::uniform9(0u8..=9)
    }

    proptest! {
        #[test]
        fn every_computed_number_is_valid_and_round_trips(nine in nine_digits()) {
            if let Some(check) = check_digit(nine) {
                let text: String = nine.iter().chain(std::iter::once(&check)).map(|d| char::from(b'0' + d)).collect();
                let n = NhsNumber::parse(&text);
                prop_assert!(n.is_ok());
                let n = n.unwrap_or_else(|e| panic!("{e}"));
                prop_assert_eq!(n.digits(), text.clone());
                prop_assert_eq!(NhsNumber::parse(&n.to_string()), Ok(n));
            }
        }

        #[test]
        fn any_single_digit_change_is_caught(nine in nine_digits(), pos in 0usize..10, delta in 1u8..=9) {
            if let Some(check) = check_digit(nine) {
                let mut digits: Vec<u8> = nine.to_vec();
                digits.push(check);
                digits[pos] = (digits[pos] + delta) % 10;
                let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert_eq!(NhsNumber::parse(&text), Err(NhsNumberError::CheckDigit));
            }
        }

        #[test]
        fn swapping_two_different_neighbours_is_caught(nine in nine_digits(), pos in 0usize..9) {
            if let Some(check) = check_digit(nine) {
                let mut digits: Vec<u8> = nine.to_vec();
                digits.push(check);
                prop_assume!(digits[pos] != digits[pos + 1]);
                digits.swap(pos, pos + 1);
                let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                prop_assert_eq!(NhsNumber::parse(&text), Err(NhsNumberError::CheckDigit));
            }
        }
    }
}
