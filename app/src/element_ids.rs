//! Element ids that the end-to-end tests select by. The one place they are written: the app uses
//! these constants, and `tests/` includes this file with `#[path]`. No dependencies, on purpose.

pub const MAIN: &str = "maincontent";

// Header and sync state
pub const SYNC_STATUS: &str = "sync-status";
pub const CONNECTION: &str = "sync-connection";
pub const UNSYNCED: &str = "sync-unsynced";
pub const LAST_SYNC: &str = "sync-last";

// Register page
pub const REGISTER_TABLE: &str = "register-table";
pub const REGISTER_EMPTY: &str = "register-empty";
pub const REGISTER_COUNT: &str = "register-count";
pub const ADD_PERSON_LINK: &str = "add-person-link";
pub const NOTICE: &str = "notice";
pub const DEMO_BANNER: &str = "demo-banner";
pub const SHOW_MORE: &str = "show-more";
pub const RATING_COUNTS: &str = "rating-counts";
pub const REGISTER_SEARCH: &str = "register-search";
pub const FILTER_STATUS: &str = "filter-status";
pub const FILTER_OVERDUE: &str = "filter-overdue";
pub const REGISTER_SORT: &str = "register-sort";
pub const FILTER_DUE: &str = "filter-due";
pub const FILTER_KEYWORKER: &str = "filter-keyworker";
pub const FILTER_AGE: &str = "filter-age";
pub const PRINT_REGISTER: &str = "print-register";
pub const REGISTER_PRINTED: &str = "register-printed";

/// A column's sort button on the register (`sort-rating`).
pub fn sort_by(column: &str) -> String {
    format!("sort-{column}")
}

/// The other due items of a person on the register.
pub fn due_more(person: &str) -> String {
    format!("due-more-{person}")
}
pub const REGISTER_SHOWING: &str = "register-showing";

/// The count button of a rating ("Red", "Amber", "Green", "Blue", "Not rated").
pub fn rating_count(label: &str) -> String {
    format!("count-{}", label.to_lowercase().replace(' ', "-"))
}

// Add person form
pub const GIVEN_NAME: &str = "given-name";
pub const FAMILY_NAME: &str = "family-name";
pub const DATE_OF_BIRTH: &str = "date-of-birth";
pub const DATE_OF_BIRTH_DAY: &str = "date-of-birth-day";
pub const DATE_OF_BIRTH_MONTH: &str = "date-of-birth-month";
pub const DATE_OF_BIRTH_YEAR: &str = "date-of-birth-year";
pub const NHS_NUMBER: &str = "nhs-number";
pub const SAVE_PERSON: &str = "save-person";
pub const ERROR_SUMMARY: &str = "error-summary";

/// The register's row for a person (`data-on-server` says whether the server has it).
pub fn person_row(id: &str) -> String {
    format!("person-{id}")
}

/// The message element under a field.
pub fn error_message(field_id: &str) -> String {
    format!("{field_id}-error")
}

// Drafts, conflicts, refused changes, storage
pub const DRAFT_RESTORED: &str = "draft-restored";
pub const DRAFT_SAVED: &str = "draft-saved";
pub const CONFLICTS_LINK: &str = "conflicts-link";
pub const CONFLICTS_NONE: &str = "conflicts-none";
pub const SYNC_PROGRESS: &str = "sync-progress";
pub const STORAGE_WARNING: &str = "storage-warning";
pub const STORAGE_NOTICE_DISMISS: &str = "storage-notice-dismiss";
pub const INSTALL_APP: &str = "install-app";

// The door (the signed-out build) loading the rest of the app
pub const APP_LOADING: &str = "app-loading";
pub const APP_LOAD_FAILED: &str = "app-load-failed";
pub const APP_LOAD_AGAIN: &str = "app-load-again";

pub fn edit_person_link(id: &str) -> String {
    format!("edit-{id}")
}

pub fn discard_refused(seq: u64) -> String {
    format!("discard-{seq}")
}

pub fn conflict(id: &str) -> String {
    format!("conflict-{id}")
}

pub fn keep_theirs(id: &str) -> String {
    format!("keep-theirs-{id}")
}

pub fn use_mine(id: &str) -> String {
    format!("use-mine-{id}")
}

pub fn use_typed(id: &str) -> String {
    format!("use-typed-{id}")
}

pub fn conflict_own_value(id: &str) -> String {
    format!("own-value-{id}")
}

// Signing in and out, unlocking, invitations
pub const SIGN_IN_USERNAME: &str = "sign-in-username";
pub const SIGN_IN_PASSWORD: &str = "sign-in-password";
pub const SIGN_IN_BUTTON: &str = "sign-in";
pub const SIGN_IN_MESSAGE: &str = "sign-in-message";
pub const UNLOCK_PASSWORD: &str = "unlock-password";
pub const UNLOCK_BUTTON: &str = "unlock";
pub const SIGNED_IN_AS: &str = "signed-in-as";
pub const SIGN_OUT_LINK: &str = "sign-out-link";
pub const SIGN_OUT_BUTTON: &str = "sign-out";
pub const SIGN_OUT_WARNING: &str = "sign-out-warning";
pub const SIGN_IN_AGAIN_LINK: &str = "sign-in-again-link";
pub const INVITATION_LINK: &str = "invitation-link";
pub const INVITE_CODE: &str = "invite-code";
pub const INVITE_USERNAME: &str = "invite-username";
pub const INVITE_PASSWORD: &str = "invite-password";
pub const ACCEPT_INVITE_BUTTON: &str = "accept-invite";

// Accounts (coordinators)
pub const ACCOUNTS_LINK: &str = "accounts-link";
pub const USERS_TABLE: &str = "users-table";
pub const STAFF_USERNAME: &str = "staff-username";
pub const STAFF_NAME: &str = "staff-name";
pub const STAFF_ROLE: &str = "staff-role";
pub const STAFF_PASSWORD: &str = "staff-password";
pub const ADD_STAFF_BUTTON: &str = "add-staff";
pub const FAMILY_DISPLAY_NAME: &str = "family-display-name";
pub const FAMILY_PERSON: &str = "family-person";
pub const FAMILY_WHO: &str = "family-who";

/// The invitation's choice of who the account is for (`family` or `young_person`).
pub fn family_who(who: &str) -> String {
    format!("family-who-{who}")
}
pub const INVITE_BUTTON: &str = "invite-family";
pub const INVITE_CODE_SHOWN: &str = "invite-code-shown";
pub const ACCOUNTS_NOTICE: &str = "accounts-notice";

pub fn user_row(id: &str) -> String {
    format!("user-{id}")
}

pub fn disable_user(id: &str) -> String {
    format!("disable-{id}")
}

pub fn assign_select(id: &str) -> String {
    format!("assign-person-{id}")
}

pub fn assign_button(id: &str) -> String {
    format!("assign-{id}")
}

pub fn unassign_button(user: &str, person: &str) -> String {
    format!("unassign-{user}-{person}")
}

// Audit trail
pub const AUDIT_TABLE: &str = "audit-table";
pub const AUDIT_EXPORT: &str = "audit-export";
pub const AUDIT_LINK: &str = "audit-link";

// Person page
pub const PERSON_NAME: &str = "person-name";
pub const PERSON_DUE: &str = "person-due";
pub const RATING_HISTORY: &str = "rating-history";
pub const PERSON_CONSENT: &str = "person-consent";
pub const PERSON_CONTACTS: &str = "person-contacts";

pub fn person_link(id: &str) -> String {
    format!("person-link-{id}")
}

// Home-visit note
pub const ADD_VISIT_NOTE: &str = "add-visit-note";
pub const VISIT_DATE: &str = "visit-date";
pub const VISIT_DAY: &str = "visit-date-day";
pub const VISIT_MONTH: &str = "visit-date-month";
pub const VISIT_YEAR: &str = "visit-date-year";
pub const VISIT_PLACE: &str = "visit-place";
pub const VISIT_NOTE: &str = "visit-note";
pub const VISIT_YOUNG_PERSON: &str = "visit-young-person";
pub const VISIT_FAMILY: &str = "visit-family";
pub const VISIT_RISKS: &str = "visit-risks";
pub const SAVE_VISIT_NOTE: &str = "save-visit-note";
pub const VISIT_NOTES: &str = "visit-notes";

// Consent
pub const ADD_CONSENT: &str = "add-consent";
pub const WHO_MAY_CONSENT: &str = "who-may-consent";
pub const CONSENT_SCOPE_REGISTER: &str = "consent-scope-register";
pub const CONSENT_GIVER: &str = "consent-giver";
pub const CONSENT_BY_PERSON: &str = "consent-by-person";
pub const CONSENT_BY_PARENT: &str = "consent-by-parent";
pub const CONSENT_BY_BEST_INTERESTS: &str = "consent-by-best-interests";
pub const CONSENT_GILLICK: &str = "consent-gillick";
pub const CONSENT_PARENT_NAME: &str = "consent-parent-name";
pub const CONSENT_PARENT_RELATIONSHIP: &str = "consent-parent-relationship";
pub const CONSENT_CHILD_AGREED: &str = "consent-child-agreed";
pub const CONSENT_DECISION_MAKER: &str = "consent-decision-maker";
pub const CONSENT_REASON: &str = "consent-reason";
pub const CONSENT_DATE: &str = "consent-date";
pub const CONSENT_DAY: &str = "consent-date-day";
pub const SAVE_CONSENT: &str = "save-consent";

/// Closing an account: its confirmation page.
pub const CLOSE_ACCOUNT_WHOSE: &str = "close-account-whose";
pub const CLOSE_ACCOUNT_EFFECTS: &str = "close-account-effects";
pub const CLOSE_ACCOUNT_ASKED_BY: &str = "close-account-asked-by";
pub const CLOSE_ACCOUNT_REASON: &str = "close-account-reason";
pub const CONFIRM_CLOSE_ACCOUNT: &str = "confirm-close-account";

/// The consent withdrawal's confirmation page.
pub const WITHDRAWAL_EFFECTS: &str = "withdrawal-effects";
pub const WITHDRAWAL_ASKED_BY: &str = "withdrawal-asked-by";
pub const WITHDRAWAL_REASON: &str = "withdrawal-reason";
pub const CONFIRM_WITHDRAWAL: &str = "confirm-withdrawal";

pub fn withdraw_consent(id: &str) -> String {
    format!("withdraw-{id}")
}

// Admission and discharge
pub const ADD_ADMISSION: &str = "add-admission";
pub const ADD_DISCHARGE: &str = "add-discharge";
pub const ADMISSION_HOSPITAL: &str = "admission-hospital";
pub const ADMISSION_DATE: &str = "admission-date";
pub const ADMISSION_DAY: &str = "admission-date-day";
pub const ADMISSION_SECURE: &str = "admission-secure";
pub const ADMISSION_OUT_OF_AREA: &str = "admission-out-of-area";
pub const ADMISSION_COMMUNITY_REVIEW: &str = "admission-community-review";
pub const SAVE_ADMISSION: &str = "save-admission";
pub const DISCHARGE_DATE: &str = "discharge-date";
pub const DISCHARGE_DAY: &str = "discharge-date-day";
pub const DISCHARGE_RATING: &str = "discharge-rating";
pub const DISCHARGE_RED: &str = "discharge-red";
pub const DISCHARGE_AMBER: &str = "discharge-amber";
pub const DISCHARGE_GREEN: &str = "discharge-green";
pub const DISCHARGE_REASON: &str = "discharge-reason";
pub const SAVE_DISCHARGE: &str = "save-discharge";

// Area policy
pub const POLICY_LINK: &str = "policy-link";
pub const POLICY_VERSION: &str = "policy-version";
pub const CHANGE_POLICY: &str = "change-policy";
pub const POLICY_REASON: &str = "policy-reason";
pub const SAVE_POLICY: &str = "save-policy";
pub const POLICY_OFFLINE: &str = "policy-offline";
/// The register's line saying how many ratings this account is not shown.
pub const RATINGS_HIDDEN: &str = "ratings-hidden";
/// The person page's rating line.
pub const PERSON_RATING: &str = "person-rating";
/// What the person's rating requires, each action with whether it is done or due.
pub const REQUIRED_ACTIONS: &str = "required-actions";
/// The partners who would be involved in a C(E)TR, and the link to change them.
pub const PERSON_PARTNERS: &str = "person-partners";
pub const CHANGE_PARTNERS: &str = "change-partners";
pub const PARTNERS_TEXT: &str = "partners-text";
pub const SAVE_PARTNERS: &str = "save-partners";
/// Multi-agency meetings on the person page, the link to record one, and its form.
pub const PERSON_MEETINGS: &str = "person-multi-agency-meetings";
pub const ADD_MULTI_AGENCY_MEETING: &str = "add-multi-agency-meeting";
pub const MAM_DATE: &str = "multi-agency-meeting-date";
pub const MAM_DAY: &str = "multi-agency-meeting-date-day";
pub const MAM_AGENCIES: &str = "multi-agency-meeting-agencies";
pub const MAM_AGREED: &str = "multi-agency-meeting-agreed";
pub const SAVE_MULTI_AGENCY_MEETING: &str = "save-multi-agency-meeting";
/// "The family declined a keyworker referral today".
pub const KEYWORKER_DECLINED: &str = "keyworker-declined";
/// The notice that the person being added or accepted may already be on the register, with a link.
pub const POSSIBLE_DUPLICATE: &str = "possible-duplicate";
pub const DUPLICATE_LINK: &str = "duplicate-link";

/// The input of a policy setting (`reviews.report_within` is `policy-reviews-report_within`).
pub fn policy_field(field: &str) -> String {
    format!("policy-{}", field.replace('.', "-"))
}

/// The shown value of a policy setting.
pub fn policy_value(field: &str) -> String {
    format!("policy-value-{}", field.replace('.', "-"))
}

/// Where a policy setting's default comes from.
pub fn policy_source(field: &str) -> String {
    format!("policy-source-{}", field.replace('.', "-"))
}

/// The section showing a band's risk checklist (`under_18`, `adult`).
pub fn policy_risk_tool(band: &str) -> String {
    format!("policy-risk-{band}")
}

// Risk checklist
pub const ADD_RISK_ASSESSMENT: &str = "add-risk-assessment";
pub const RISK_SCORE: &str = "risk-score";
pub const RISK_CONFIRM: &str = "risk-confirm";
pub const RISK_REASON: &str = "risk-reason";
pub const SAVE_RISK: &str = "save-risk";

/// The yes or no answer to a checklist question.
pub fn risk_answer(key: &str, yes: bool) -> String {
    format!("risk-{key}-{}", if yes { "yes" } else { "no" })
}

/// The choice of a confirmed rating ("Red", "Amber", "Green").
pub fn risk_confirm(label: &str) -> String {
    format!("risk-confirm-{}", label.to_lowercase())
}

// Self-referral (public) and professional referral
pub const SELF_REFERRAL_LINK: &str = "self-referral-link";
pub const SELF_AREA: &str = "self-area";
pub const SELF_WHERE: &str = "self-where";
pub const SELF_REASON: &str = "self-reason";
pub const SELF_BY: &str = "self-by";
pub const SELF_RELATIONSHIP: &str = "self-relationship";
pub const SELF_CONTACT: &str = "self-contact";
pub const SELF_AGREED: &str = "self-agreed";
pub const SEND_SELF_REFERRAL: &str = "send-self-referral";
pub const SELF_REFERRAL_SENT: &str = "self-referral-sent";

/// The choice of an area on the self-referral form.
pub fn self_area(id: &str) -> String {
    format!("self-area-{id}")
}

// Referrals: the triage queue, a referral, a professional referral
pub const REFERRALS_LINK: &str = "referrals-link";
pub const TRIAGE_QUEUE: &str = "triage-queue";
pub const NEW_REFERRAL: &str = "new-referral";
pub const REFERRAL_DETAILS: &str = "referral-details";
pub const RECORD_CONTACT: &str = "record-contact";
pub const DECISION: &str = "decision";
pub const DECISION_ACCEPT: &str = "decision-accept";
pub const DECISION_DECLINE: &str = "decision-decline";
pub const DECLINE_REASON: &str = "decline-reason";
pub const FAMILY_TOLD: &str = "family-told";
pub const SAVE_DECISION: &str = "save-decision";
pub const RECORD_FAMILY_TOLD: &str = "record-family-told";
pub const REFERRER_NAME: &str = "referrer-name";
pub const REFERRER_ROLE: &str = "referrer-role";
pub const REFERRER_TEAM: &str = "referrer-team";
pub const REFERRER_CONTACT: &str = "referrer-contact";
pub const REFERRAL_REASON: &str = "referral-reason";
pub const REFERRAL_TRIED: &str = "referral-tried";
pub const REFERRAL_WHERE: &str = "referral-where";
pub const REFERRAL_CONSENT: &str = "referral-consent";
pub const SAVE_REFERRAL: &str = "save-referral";

/// A referral's row in the triage queue.
pub fn queue_row(referral_id: &str) -> String {
    format!("queue-{referral_id}")
}

// Leaving the register, erasure, keyworker referral
pub const PERSON_STATUS: &str = "person-status";
pub const LEAVE_REGISTER: &str = "leave-register";
pub const LEAVE_REASON: &str = "leave-reason";
pub const LEAVE_DATE: &str = "leave-date";
pub const LEAVE_DAY: &str = "leave-date-day";
pub const SAVE_LEAVE: &str = "save-leave";
pub const ERASE_PERSON: &str = "erase-person";
pub const ERASE_REASON: &str = "erase-reason";
pub const CONFIRM_ERASE: &str = "confirm-erase";
pub const KEYWORKER_OFFERED: &str = "keyworker-offered";

/// The choice of why someone leaves the register (`risk_gone`...).
pub fn leave_reason(name: &str) -> String {
    format!("leave-{name}")
}

// Reviews (C(E)TRs): arranging, the review page, the planner, family views, the meeting, the action
// plan, the report and the follow-up
pub const ARRANGE_REVIEW: &str = "arrange-review";
pub const REVIEW_KIND: &str = "review-kind";
pub const REVIEW_NAME: &str = "review-name";
pub const REVIEW_DATE: &str = "review-date";
pub const REVIEW_DAY: &str = "review-date-day";
pub const REVIEW_MONTH: &str = "review-date-month";
pub const REVIEW_YEAR: &str = "review-date-year";
pub const REVIEW_PLACE: &str = "review-place";
pub const REVIEW_FORMAT: &str = "review-format";
pub const REVIEW_CHAIR: &str = "review-chair";
pub const REVIEW_CLINICAL_EXPERT: &str = "review-clinical-expert";
pub const REVIEW_EXPERT_BY_EXPERIENCE: &str = "review-expert-by-experience";
pub const REVIEW_ATTENDEES: &str = "review-attendees";
pub const SAVE_REVIEW: &str = "save-review";
pub const REVIEW_DATES: &str = "review-dates";
pub const REVIEW_STATUS: &str = "review-status";
pub const REVIEW_CONSENT: &str = "review-consent";
pub const RECORD_REVIEW_CONSENT: &str = "record-review-consent";
pub const CHANGE_ARRANGEMENTS: &str = "change-arrangements";
pub const OPEN_PLANNER: &str = "open-planner";
pub const OPEN_FAMILY_VIEWS: &str = "open-family-views";
pub const OPEN_MEETING: &str = "open-meeting";
pub const OPEN_ACTION_PLAN: &str = "open-action-plan";
pub const OPEN_REPORT: &str = "open-report";
pub const PERSON_REVIEWS: &str = "person-reviews";
pub const PERSON_ACTIONS: &str = "person-actions";
pub const CONSENT_SCOPE_REVIEW: &str = "consent-scope-review";
pub const EASY_READ: &str = "easy-read";
pub const PLANNER_TAKE_PART: &str = "planner-take-part";
pub const PLANNER_WHO_WITH: &str = "planner-who-with";
pub const PLANNER_COMMUNICATION: &str = "planner-communication";
pub const PLANNER_INTRO: &str = "planner-intro";
pub const FAMILY_VIEWS_INTRO: &str = "family-views-intro";
pub const PLANNER_HELPER_NAME: &str = "planner-helper-name";
pub const PLANNER_HELPER_ROLE: &str = "planner-helper-role";
pub const DISAGREEMENT: &str = "disagreement";
pub const SAVE_PLANNER: &str = "save-planner";
pub const VIEWS_BY: &str = "views-by";
pub const VIEWS_RELATIONSHIP: &str = "views-relationship";
pub const VIEWS_ANYTHING_ELSE: &str = "views-anything-else";
pub const SAVE_FAMILY_VIEWS: &str = "save-family-views";
pub const VERBAL_FEEDBACK: &str = "verbal-feedback";
pub const MEETING_HELD: &str = "meeting-held";
pub const SAVE_MEETING: &str = "save-meeting";
pub const PAPERS_CLOSED: &str = "papers-closed";
/// The meeting page's summary of the lines of enquiry covered, question by question.
pub const KLOE_COVERAGE: &str = "kloe-coverage";
/// The policy page's key lines of enquiry.
pub const POLICY_KLOE: &str = "policy-kloe";
pub const NEXT_UNCOVERED: &str = "next-uncovered";
/// The review's papers: the link to them, the checklist, and a paper's parts (by its key).
pub const OPEN_PAPERS: &str = "open-papers";
pub const PAPERS: &str = "papers";
pub const SAVE_PAPERS: &str = "save-papers";
pub const RECOMMENDATION_TEXT: &str = "recommendation-text";
pub const ADD_RECOMMENDATION: &str = "add-recommendation";
pub const RECOMMENDATION_QUESTION: &str = "recommendation-question";
pub const RECOMMENDATION_RESPONSIBLE: &str = "recommendation-responsible";
pub const RECOMMENDATION_BY: &str = "recommendation-by";
pub const RECOMMENDATION_BY_DAY: &str = "recommendation-by-day";
pub const RECOMMENDATION_BY_MONTH: &str = "recommendation-by-month";
pub const RECOMMENDATION_BY_YEAR: &str = "recommendation-by-year";
pub const RECOMMENDATION_MEASURE: &str = "recommendation-measure";
pub const RECOMMENDATION_PROMPTS: &str = "recommendation-prompts";
/// Which recommendation an action is for.
pub const ACTION_RECOMMENDATION: &str = "action-recommendation";

/// The key question a recommendation answers (`is_the_person_safe`...).
pub fn recommendation_question(question: &str) -> String {
    format!("recommendation-question-{question}")
}

/// A line of enquiry a recommendation answers (`medication`...).
pub fn recommendation_prompt(key: &str) -> String {
    format!("recommendation-prompt-{key}")
}
pub const RECOMMENDATIONS: &str = "recommendations";
pub const ACTION_DESCRIPTION: &str = "action-description";
pub const ACTION_OWNER: &str = "action-owner";
pub const ACTION_DUE: &str = "action-due";
pub const ACTION_DUE_DAY: &str = "action-due-day";
pub const ACTION_DUE_MONTH: &str = "action-due-month";
pub const ACTION_DUE_YEAR: &str = "action-due-year";
pub const ADD_ACTION: &str = "add-action";
pub const ACTION_PLAN: &str = "action-plan";
pub const RERATE: &str = "rerate";
pub const RERATE_REASON: &str = "rerate-reason";
pub const SAVE_RERATE: &str = "save-rerate";
pub const ACTION_STATUS: &str = "action-status";
pub const ACTION_NOTE: &str = "action-note";
pub const SAVE_ACTION_UPDATE: &str = "save-action-update";
pub const ACTION_DISAGREEMENT: &str = "action-disagreement";
pub const SAVE_ACTION_DISAGREEMENT: &str = "save-action-disagreement";
pub const ACTION_UPDATES: &str = "action-updates";
pub const REPORT: &str = "report";
pub const REPORT_DUE: &str = "report-due";
pub const PRINT_REPORT: &str = "print-report";
pub const SHARED_WITH: &str = "shared-with";
pub const SAVE_SHARED: &str = "save-shared";
pub const REPORT_SHARED: &str = "report-shared";
pub const FOLLOW_UP_LINK: &str = "follow-up-link";
pub const FOLLOW_UP: &str = "follow-up";
pub const FOLLOW_UP_OVERDUE_ONLY: &str = "follow-up-overdue-only";

/// A review's row on the person page (a link to the review).
pub fn review_link(review_id: &str) -> String {
    format!("review-{review_id}")
}

/// The kind of review chosen on the arranging form (`community`...).
pub fn review_kind(name: &str) -> String {
    format!("review-kind-{name}")
}

/// The meeting format chosen on the arranging form (`in_person`...).
pub fn review_format(name: &str) -> String {
    format!("review-format-{name}")
}

/// The planner's (or family views') answer to a question (`are_you_safe`...).
pub fn planner_answer(question: &str) -> String {
    format!("answer-{question}")
}

/// How the young person wants to take part (`video`...).
pub fn take_part(name: &str) -> String {
    format!("take-part-{name}")
}

/// A line of enquiry on the meeting page (`medication`...): its part of the page.
pub fn prompt(key: &str) -> String {
    format!("prompt-{key}")
}

/// What this panel member makes of a line of enquiry (`concern`...).
pub fn prompt_mark(key: &str, mark: &str) -> String {
    format!("mark-{key}-{mark}")
}

/// What this panel member found on a line of enquiry, in their words.
pub fn prompt_words(key: &str) -> String {
    format!("words-{key}")
}

pub fn save_prompt(key: &str) -> String {
    format!("save-prompt-{key}")
}

/// What every panel member recorded on a line of enquiry.
pub fn prompt_recorded(key: &str) -> String {
    format!("recorded-{key}")
}

/// A paper of the review's checklist (`crisis_plan`...): its row, whether received, from whom, and
/// its link (a paper this app holds, once consent opens it).
pub fn paper(key: &str) -> String {
    format!("paper-{key}")
}

pub fn paper_received(key: &str) -> String {
    format!("paper-received-{key}")
}

pub fn paper_from(key: &str) -> String {
    format!("paper-from-{key}")
}

pub fn paper_open(key: &str) -> String {
    format!("paper-open-{key}")
}

/// How much of a key question is covered (`is_the_person_safe`...).
pub fn coverage(question: &str) -> String {
    format!("coverage-{question}")
}

/// Whether an attendee came (by their place in the list).
pub fn attended(index: usize) -> String {
    format!("attended-{index}")
}

/// An action's row (a link to the action's page).
pub fn action_link(action_id: &str) -> String {
    format!("action-{action_id}")
}

/// The new rating chosen on the action plan page (`amber`...).
pub fn rerate_to(rating: &str) -> String {
    format!("rerate-{rating}")
}

/// An action's status chosen on its page (`in_progress`...).
pub fn action_status(name: &str) -> String {
    format!("action-status-{name}")
}
pub const PAPERS_SENT: &str = "papers-sent";
pub const CANCEL_REVIEW: &str = "cancel-review";
pub const EASY_READ_STEP: &str = "easy-read-step";
pub const EASY_READ_BACK: &str = "easy-read-back";
pub const EASY_READ_NEXT: &str = "easy-read-next";
pub const EASY_READ_INTRO: &str = "easy-read-intro";
// Getting back in: a reset code (on the unlock page, the reset page and the accounts page).
pub const FORGOTTEN_PASSWORD: &str = "forgotten-password";
pub const FORGOTTEN_PASSWORD_LINK: &str = "forgotten-password-link";
pub const RESET_USERNAME: &str = "reset-username";
pub const RESET_CODE: &str = "reset-code";
pub const RESET_PASSWORD: &str = "reset-password";
pub const RESET_BUTTON: &str = "reset-button";
pub const RESET_CODE_SHOWN: &str = "reset-code-shown";
/// "Give a reset code" for a user on the accounts page.
pub fn reset_code_button(user: &str) -> String {
    format!("reset-code-{user}")
}
pub const PICTURES_CREDIT: &str = "pictures-credit";
/// "Read this to me" on the `index`th screen of an easy-read form.
pub fn read_aloud(index: usize) -> String {
    format!("read-aloud-{index}")
}
/// The easy-read report (`/people/{id}/reviews/{review}/report/easy-read`) and its link.
pub const EASY_READ_REPORT: &str = "easy-read-report";
pub const EASY_READ_REPORT_LINK: &str = "easy-read-report-link";
/// "Read this to me" on the `index`th part of the easy-read report.
pub fn read_aloud_section(index: usize) -> String {
    format!("read-aloud-section-{index}")
}
pub const REPORT_NOT_YET: &str = "report-not-yet";

// The DSR meetings (`/meetings`, `/meetings/{id}`).
pub const MEETINGS_LINK: &str = "meetings-link";
pub const SCHEDULE_NEXT_MEETING: &str = "schedule-next-meeting";
pub const UPCOMING_MEETINGS: &str = "upcoming-meetings";
pub const PAST_MEETINGS: &str = "past-meetings";
pub const DSR_MEETING_HEADING: &str = "dsr-meeting-heading";
pub const DSR_MEETING_TIME: &str = "dsr-meeting-time";
pub const DSR_MEETING_PLACE: &str = "dsr-meeting-place";
pub const DSR_MEETING_CHAIR: &str = "dsr-meeting-chair";
pub const SAVE_DSR_MEETING: &str = "save-dsr-meeting";
pub const DSR_MEETING_ATTENDEES: &str = "dsr-meeting-attendees";
pub const OPEN_DSR_MEETING: &str = "open-dsr-meeting";
pub const FINAL_DSR_MEETING: &str = "final-dsr-meeting";
pub const DSR_MEETING_AMENDMENTS: &str = "dsr-meeting-amendments";
pub const AGENDA: &str = "agenda";

/// A meeting's link on the meetings page.
pub fn dsr_meeting_link(id: &str) -> String {
    format!("dsr-meeting-{id}")
}

/// An agenda section (`agenda-red`).
pub fn agenda_section(section: &str) -> String {
    format!("agenda-{section}")
}
pub const DECISION_HEADING: &str = "decision-heading";
pub const DECISION_DISCUSSION: &str = "decision-discussion";
pub const DECISION_RATING: &str = "decision-rating";
pub const DECISION_RATING_REASON: &str = "decision-rating-reason";
pub const DECISION_REFERRAL: &str = "decision-referral";
pub const DECISION_REFERRAL_REASON: &str = "decision-referral-reason";
pub const DECISION_TELL_FAMILY: &str = "decision-tell-family";
pub const DECISION_TELL_FAMILY_DAY: &str = "decision-tell-family-day";
pub const DECISION_TELL_FAMILY_MONTH: &str = "decision-tell-family-month";
pub const DECISION_TELL_FAMILY_YEAR: &str = "decision-tell-family-year";
pub const DECISION_ACTIONS: &str = "decision-actions";
pub const DECISION_ACTION: &str = "decision-action";
pub const DECISION_ACTION_OWNER: &str = "decision-action-owner";
pub const DECISION_ACTION_DUE: &str = "decision-action-due";
pub const DECISION_ACTION_DUE_DAY: &str = "decision-action-due-day";
pub const DECISION_ACTION_DUE_MONTH: &str = "decision-action-due-month";
pub const DECISION_ACTION_DUE_YEAR: &str = "decision-action-due-year";
pub const DECISION_REVIEW_REQUESTED: &str = "decision-review-requested";
pub const DECISION_KEYWORKER_REQUESTED: &str = "decision-keyworker-requested";
pub const DECISION_DEFERRED: &str = "decision-deferred";
pub const DECISION_NOTE: &str = "decision-note";
pub const SAVE_MEETING_DECISION: &str = "save-meeting-decision";

/// The link from an agenda item to its decision.
pub fn decision_link(person: &str) -> String {
    format!("decision-link-{person}")
}

/// What was decided about a person, under their agenda item.
pub fn agenda_decision(person: &str) -> String {
    format!("agenda-decision-{person}")
}
pub const DSR_MINUTES_LINK: &str = "dsr-minutes-link";
pub const DSR_MEETING_ARRANGEMENTS: &str = "dsr-meeting-arrangements";
pub const MINUTES: &str = "minutes";
pub const PRINT_MINUTES: &str = "print-minutes";
pub const AGENDA_ADD_PERSON: &str = "agenda-add-person";
pub const AGENDA_ADD_REASON: &str = "agenda-add-reason";
pub const AGENDA_ADD: &str = "agenda-add";

/// Moves a person up (or down) the agenda within their section.
pub fn move_up(person: &str) -> String {
    format!("move-up-{person}")
}

pub fn move_down(person: &str) -> String {
    format!("move-down-{person}")
}

pub const FAMILY_HOME_HEADING: &str = "family-home-heading";
pub const FAMILY_HOME_EMPTY: &str = "family-home-empty";
pub const FAMILY_CONTACT: &str = "family-contact";

/// One person's part of a family's home page.
pub fn family_home(person: &str) -> String {
    format!("family-home-{person}")
}

/// A family home's link to do something now (`planner`, `family-views`, `report`).
pub fn family_task(page: &str) -> String {
    format!("family-task-{page}")
}

pub const STATUS_REFERENCE: &str = "status-reference";
pub const STATUS_DOB: &str = "status-dob";
pub const STATUS_DOB_DAY: &str = "status-dob-day";
pub const STATUS_DOB_MONTH: &str = "status-dob-month";
pub const STATUS_DOB_YEAR: &str = "status-dob-year";
pub const CHECK_SELF_REFERRAL: &str = "check-self-referral";
pub const SELF_REFERRAL_STATUS: &str = "self-referral-status";
pub const SELF_REFERRAL_REFERENCE: &str = "self-referral-reference";
pub const SELF_REFERRAL_STATUS_LINK: &str = "self-referral-status-link";

pub const LEAVE_EFFECTS: &str = "leave-effects";
pub const LEAVE_ASKED_BY: &str = "leave-asked-by";
pub const LEAVE_NOTE: &str = "leave-note";
pub const ERASE_EFFECTS: &str = "erase-effects";
pub const ERASE_ASKED_BY: &str = "erase-asked-by";
pub const WITHDRAWAL_ASKED: &str = "withdrawal-asked";
pub const REPORT_VERSION: &str = "report-version";
pub const REPORT_VERSIONS: &str = "report-versions";
pub const REPORT_CHANGED: &str = "report-changed";
pub const SHARED_HOW: &str = "shared-how";

/// How a report went to someone (`email`, `post`, `in_person`).
pub fn shared_how(how: &str) -> String {
    format!("shared-how-{how}")
}

// The dashboard (`/dashboard`).
pub const DASHBOARD_LINK: &str = "dashboard-link";
pub const DASHBOARD: &str = "dashboard";
pub const DASHBOARD_NOT_SHOWN: &str = "dashboard-not-shown";
pub const DASHBOARD_FILTERS: &str = "dashboard-filters";
pub const DASHBOARD_FROM: &str = "dashboard-from";
pub const DASHBOARD_TO: &str = "dashboard-to";
pub const DASHBOARD_AGE: &str = "dashboard-age";
pub const PRINT_DASHBOARD: &str = "print-dashboard";
pub const DASHBOARD_NOW: &str = "dashboard-now";
pub const DASHBOARD_INPATIENTS: &str = "dashboard-inpatients";
pub const DASHBOARD_REFERRALS: &str = "dashboard-referrals";
pub const DASHBOARD_ACTIONS: &str = "dashboard-actions";
pub const DOWNLOADS: &str = "downloads";
pub const DOWNLOAD_REGISTER_CSV: &str = "download-register-csv";
pub const DOWNLOAD_REGISTER_XLSX: &str = "download-register-xlsx";
pub const DOWNLOAD_FOLLOW_UP_CSV: &str = "download-follow-up-csv";
pub const DOWNLOAD_FOLLOW_UP_XLSX: &str = "download-follow-up-xlsx";
pub const DOWNLOAD_RETURN_CSV: &str = "download-return-csv";
pub const DOWNLOAD_RETURN_XLSX: &str = "download-return-xlsx";
pub const RETURN_MONTH_END: &str = "return-month-end";
pub const RETURN_PREVIEW: &str = "return-preview";

/// A figure's section on the dashboard (by the measure's name).
pub fn figure(measure: &str) -> String {
    format!("figure-{measure}")
}
