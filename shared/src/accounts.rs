//! Accounts: sign-in, staff accounts, family invitations, caseloads and the audit trail, as the API
//! carries them, with the rules for usernames, passwords and invite codes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::{ClientId, PersonId, UserId, ValidationErrors};

/// Passwords: long rather than complicated (NCSC guidance), and never the username.
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 200;

/// Checks a new password.
pub fn check_password(errors: &mut ValidationErrors, field: &str, password: &str, username: &str) {
    let chars = password.chars().count();
    errors.require(
        chars < MIN_PASSWORD_CHARS,
        field,
        &format!("Enter a password of at least {MIN_PASSWORD_CHARS} characters; three random words work well"),
    );
    errors.require(
        chars > MAX_PASSWORD_CHARS,
        field,
        &format!("Enter a password of at most {MAX_PASSWORD_CHARS} characters"),
    );
    errors.require(
        !username.is_empty() && password.trim().eq_ignore_ascii_case(username.trim()),
        field,
        "Your password must not be your username",
    );
}

/// A username as stored: trimmed and in lower case.
pub fn normalise_username(username: &str) -> String {
    username.trim().to_lowercase()
}

/// The longest username.
pub const MAX_USERNAME_CHARS: usize = 64;

/// Checks a username as typed to sign in or to reset a password: given, at most 64 characters, and no
/// control characters (no account has one: a username is letters, digits, dots, dashes, underscores
/// and @, and a database may not even store them).
pub fn check_typed_username(errors: &mut ValidationErrors, field: &str, username: &str) {
    let name = normalise_username(username);
    errors.require(name.is_empty(), field, "Enter your username");
    errors.require(
        name.chars().count() > MAX_USERNAME_CHARS,
        field,
        &format!("A username has at most {MAX_USERNAME_CHARS} characters"),
    );
    errors.require(
        name.chars().any(char::is_control),
        field,
        "A username has only letters, digits, dots, dashes, underscores and @",
    );
}

/// Checks a new username: 3 to 64 letters, digits, dots, dashes, underscores or @.
pub fn check_username(errors: &mut ValidationErrors, field: &str, username: &str) {
    let name = normalise_username(username);
    errors.require(name.is_empty(), field, "Enter a username");
    if name.is_empty() {
        return;
    }
    errors.require(!(3..=64).contains(&name.chars().count()), field, "A username has between 3 and 64 characters");
    errors.require(
        !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@')),
        field,
        "A username has only letters, digits, dots, dashes, underscores and @",
    );
}

/// Checks a display name (how the person is shown in lists and the audit trail).
pub fn check_display_name(errors: &mut ValidationErrors, field: &str, name: &str) {
    let chars = name.trim().chars().count();
    errors.require(chars == 0, field, "Enter the person's name");
    errors.require(chars > 100, field, "A name has at most 100 characters");
    errors.require(name.chars().any(crate::text::is_stray_control), field, crate::text::STRAY_CONTROL_MESSAGE);
}

/// The characters of one-time invite codes: no 0/O, 1/I/L, so a code read out on the phone survives.
pub const INVITE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Groups of four, three groups: `ABCD-EFGH-JKMN` (about 59 bits).
pub const INVITE_GROUPS: usize = 3;

/// Makes an invite code from random bytes (one per character).
pub fn invite_code_from(random: &[u8]) -> String {
    let chars: Vec<char> =
        random.iter().map(|b| INVITE_ALPHABET[*b as usize % INVITE_ALPHABET.len()] as char).collect();
    chars.chunks(4).take(INVITE_GROUPS).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// An invite code as typed: spaces and dashes ignored, any case.
pub fn normalise_invite_code(typed: &str) -> String {
    let chars: Vec<char> =
        typed.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
    chars.chunks(4).map(|g| g.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// `POST /api/session/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// An area (an ICB): its own users, register and policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AreaSummary {
    pub id: String,
    pub name: String,
}

/// The signed-in user (`GET /api/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub user: UserSummary,
    pub area: AreaSummary,
    pub expires_at: DateTime<Utc>,
}

/// A user as coordinators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: UserId,
    /// Not set until an invited family member chooses theirs.
    pub username: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    /// Invited and not yet signed up.
    pub invite_pending: bool,
    /// The people the user is assigned to (everyone, for a coordinator, is not listed).
    #[serde(default)]
    pub people: Vec<PersonId>,
    /// A family account that is the young person's own (not a parent's or carer's): their pages say
    /// "your review", not "your child's".
    #[serde(default)]
    pub young_person: bool,
}

/// `POST /api/users`: a staff account, with a first password the coordinator passes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaffUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
}

impl NewStaffUser {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_username(&mut errors, "username", &self.username);
        check_display_name(&mut errors, "display_name", &self.display_name);
        errors.require(!self.role.is_staff(), "role", "Invite family members with a one-time code instead");
        check_password(&mut errors, "password", &self.password, &self.username);
        errors.into_result()
    }
}

/// `POST /api/invites`: invite a family member or young person to see their own (child's) record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewFamilyInvite {
    pub display_name: String,
    pub person_id: PersonId,
    /// The account is the young person's own (otherwise a parent's or carer's).
    #[serde(default)]
    pub young_person: bool,
}

/// The invite, with the one-time code shown once to the coordinator to pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InviteCreated {
    pub user: UserSummary,
    pub code: String,
    pub expires_on: NaiveDate,
}

/// `POST /api/invites/accept`: the family chooses a username and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvite {
    pub code: String,
    pub username: String,
    pub password: String,
}

impl AcceptInvite {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.code.trim().is_empty(), "code", "Enter the code you were given");
        check_username(&mut errors, "username", &self.username);
        check_password(&mut errors, "password", &self.password, &self.username);
        errors.into_result()
    }
}

/// How long a password reset code works: long enough to pass on by phone and use the same week, short
/// enough that a code written down and lost soon opens nothing.
pub const RESET_CODE_HOURS: i64 = 72;

/// `POST /api/users/{id}/reset-code`: a one-time code for a user who cannot sign in, shown once to the
/// coordinator to pass on (by phone or in person, never by email to an address not checked). A new code
/// replaces any earlier one not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetCodeCreated {
    pub user: UserSummary,
    pub code: String,
    pub expires_on: NaiveDate,
}

/// `POST /api/password-reset`: a new password, with the username and the reset code. Signs the user in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPassword {
    pub username: String,
    pub code: String,
    pub password: String,
}

impl ResetPassword {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_typed_username(&mut errors, "username", &self.username);
        errors.require(self.code.trim().is_empty(), "code", "Enter the reset code you were given");
        check_password(&mut errors, "password", &self.password, &self.username);
        errors.into_result()
    }
}

/// `PUT` and `GET /api/devices/{client_id}/recovery`: the secret that unlocks this device's data key
/// after a password reset (the key is kept wrapped by it as well as by the password). Given only to a
/// signed-in session of the user whose device it is; 32 random bytes as hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRecovery {
    pub secret: String,
}

/// `POST /api/users/{id}/disable`: closing an account, never by one tap: who asked for it and why,
/// kept in the audit trail.
/// (Missing fields are read as empty, so the role is checked before the request is: a user who may not
/// close accounts is told so, whatever they sent.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseAccount {
    /// Who asked for the account to be closed ("Sam Lee, team manager").
    #[serde(default)]
    pub asked_by: String,
    /// Why ("left the team on 30 November").
    #[serde(default)]
    pub reason: String,
}

impl CloseAccount {
    pub fn validate(&self) -> Result<crate::text::WhoAsked, ValidationErrors> {
        crate::text::WhoAsked::parse(
            &self.asked_by,
            "Say who asked for the account to be closed",
            &self.reason,
            Some("Say why the account is being closed"),
        )
    }

    /// What closing an account does, in plain words (the confirmation page says it first).
    pub const EFFECTS: [&'static str; 3] = [
        "They can no longer sign in.",
        "Their devices delete their copy of the register the next time they connect, with anything saved there and not yet sent.",
        "The people they worked with stay on the register; assign them to someone else.",
    ];
}

/// `POST /api/users/{id}/people`: assign a person to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub person_id: PersonId,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    /// When it happened on the device (for reads recorded offline and sent later).
    pub happened_at: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
    pub user_name: Option<String>,
    pub action: String,
    pub person_id: Option<PersonId>,
    pub record_id: Option<String>,
    pub kind: Option<String>,
    /// `{field: {old, new}}` for a change.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub changes: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub detail: Option<String>,
}

/// A person's record opened on a device: recorded there (even offline) and sent later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewEvent {
    /// Made on the device; a resent event is recorded once.
    pub id: uuid::Uuid,
    pub person_id: PersonId,
    pub at: DateTime<Utc>,
    /// What was opened.
    pub screen: Screen,
}

/// The screens on which a device records that a person was read: a fixed list, so an audit entry's
/// words are the product's, never a caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Screen {
    #[serde(rename = "person page")]
    PersonPage,
    #[serde(rename = "edit form")]
    EditForm,
    #[serde(rename = "review")]
    Review,
    #[serde(rename = "planner")]
    Planner,
    #[serde(rename = "family views")]
    FamilyViews,
    #[serde(rename = "review meeting")]
    ReviewMeeting,
    /// A review's papers for the panel (the checklist).
    #[serde(rename = "review papers")]
    ReviewPapers,
    #[serde(rename = "action plan")]
    ActionPlan,
    #[serde(rename = "action")]
    Action,
    #[serde(rename = "review report")]
    ReviewReport,
    /// A DSR meeting's agenda: everyone on it was read.
    #[serde(rename = "DSR meeting agenda")]
    DsrMeetingAgenda,
    #[serde(rename = "DSR meeting decision")]
    DsrMeetingDecision,
    /// A DSR meeting's minutes: everyone in them was read.
    #[serde(rename = "DSR meeting minutes")]
    DsrMeetingMinutes,
}

impl Screen {
    pub const ALL: [Screen; 13] = [
        Screen::PersonPage,
        Screen::EditForm,
        Screen::Review,
        Screen::Planner,
        Screen::FamilyViews,
        Screen::ReviewMeeting,
        Screen::ReviewPapers,
        Screen::ActionPlan,
        Screen::Action,
        Screen::ReviewReport,
        Screen::DsrMeetingAgenda,
        Screen::DsrMeetingDecision,
        Screen::DsrMeetingMinutes,
    ];

    /// As the audit trail says it.
    pub fn label(self) -> &'static str {
        match self {
            Screen::PersonPage => "person page",
            Screen::EditForm => "edit form",
            Screen::Review => "review",
            Screen::Planner => "planner",
            Screen::FamilyViews => "family views",
            Screen::ReviewMeeting => "review meeting",
            Screen::ReviewPapers => "review papers",
            Screen::ActionPlan => "action plan",
            Screen::Action => "action",
            Screen::ReviewReport => "review report",
            Screen::DsrMeetingAgenda => "DSR meeting agenda",
            Screen::DsrMeetingDecision => "DSR meeting decision",
            Screen::DsrMeetingMinutes => "DSR meeting minutes",
        }
    }
}

/// `POST /api/audit/views`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewEvents {
    pub client_id: ClientId,
    pub events: Vec<ViewEvent>,
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn closing_an_account_needs_who_asked_and_why() {
        let close = |asked_by: &str, reason: &str| CloseAccount { asked_by: asked_by.into(), reason: reason.into() };
        assert!(close("Sam Lee, team manager", "Left the team").validate().is_ok());
        let both = close(" ", "").validate().err().unwrap_or_default();
        assert_eq!(both.message_for("asked_by"), Some("Say who asked for the account to be closed"));
        assert_eq!(both.message_for("reason"), Some("Say why the account is being closed"));
        assert!(close("Sam\nLee", "Left").validate().is_err(), "who asked is one line");
    }

    #[test]
    fn screens_are_named_in_json_as_the_audit_trail_says_them() {
        for screen in Screen::ALL {
            assert_eq!(serde_json::to_value(screen).ok(), Some(serde_json::Value::from(screen.label())));
        }
        assert!(serde_json::from_str::<Screen>("\"anything I like\"").is_err());
    }

    #[test]
    fn passwords_are_long_and_not_the_username() {
        let check = |password: &str, username: &str| {
            let mut errors = ValidationErrors::new();
            check_password(&mut errors, "password", password, username);
            errors.into_result().is_ok()
        };
        assert!(check("correct horse battery", "sam"));
        assert!(!check("short", "sam"));
        assert!(!check("sam.keyworker", "Sam.Keyworker"));
        assert!(!check(&"x".repeat(201), "sam"));
    }

    #[test]
    fn usernames_are_simple_and_case_free() {
        let check = |username: &str| {
            let mut errors = ValidationErrors::new();
            check_username(&mut errors, "username", username);
            errors.into_result().is_ok()
        };
        assert!(check("sam.keyworker@example"));
        assert!(!check("sa"));
        assert!(!check("sam keyworker"));
        assert!(!check(""));
        assert_eq!(normalise_username("  Sam.K "), "sam.k");
    }

    #[test]
    fn a_username_typed_to_sign_in_is_given_short_and_has_no_control_characters() {
        let check = |username: &str| {
            let mut errors = ValidationErrors::new();
            check_typed_username(&mut errors, "username", username);
            errors.into_result().is_ok()
        };
        assert!(check(" Sam.Keyworker@example "));
        assert!(check("sam keyworker"), "a wrong username is answered as wrong, not as malformed");
        assert!(!check(""));
        assert!(!check("   "));
        assert!(!check(&"s".repeat(65)));
        assert!(!check("sam\0"));
        assert!(!check("sam\u{1b}k"));
    }

    #[test]
    fn invite_codes_survive_being_read_out() {
        let code = invite_code_from(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(code, "ABCD-EFGH-JKMN");
        assert_eq!(normalise_invite_code(" abcd efgh-jkmn "), code);
        for confusable in ['0', 'O', '1', 'I', 'L'] {
            assert!(!INVITE_ALPHABET.contains(&(confusable as u8)), "{confusable}");
        }
    }
}
