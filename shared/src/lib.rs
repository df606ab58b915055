//! The Dynamic Support Register's domain: types, rules and the wire shapes shared by the app and the server.
//!
//! Pure Rust: no I/O and no clock. Anything that depends on "now" or "today" takes it as an argument.
//! Every number the handbook marks configurable is in [`policy::AreaPolicy`] (data, loaded from TOML),
//! never in code. Every type checks its own rules ([`Validate`]); deserialising runs the same checks,
//! so invalid JSON cannot produce an invalid value (see [`validated!`]).
//!
//! Sources: the seeds in the team handbook (`../shared/seeds/`): 000 Sussex, 001 North East London,
//! 002 Cambridgeshire & Peterborough, 003 a CAMHS page, 004 Berkshire; and the handbook's domain page.
//!
//! # The rules, where they come from, and the tests that cover them
//!
//! | rule | function | source | tests |
//! | --- | --- | --- | --- |
//! | NHS number: Modulus 11 check digit, shown 3-3-4 | [`NhsNumber::parse`], its `Display` | handbook (information governance) | `nhs_number::tests::*` (incl. property tests: every single-digit change and neighbour swap is caught) |
//! | Age on a date (29 February birthdays count from 1 March) | [`person::age_on`] | handbook (consent and review rules depend on age) | `person::tests::leap_day_birthdays_count_from_the_first_of_march`, `age_is_never_negative_and_grows_by_one_each_birthday` |
//! | Dates typed in three fields; date of birth not in the future | [`person::date_from_parts`], [`person::check_date_of_birth`] | handbook ux (NHS design system) | `person::tests::date_parts_get_the_design_system_messages`, `date_of_birth_cannot_be_in_the_future_or_too_long_ago` |
//! | Working days in England: bank holidays 2020-2035 with substitute days and one-offs | [`calendar::bank_holidays`], [`calendar::Calendar`] | handbook; published lists | `calendar::tests::bank_holidays_match_the_published_lists`, `easter_dates_2028_to_2035`, `substitute_days_for_christmas_and_new_year_at_a_weekend`, properties `adding_working_days_never_lands_on_a_weekend_or_holiday`, `counting_back_inverts_adding` |
//! | CTR for adults not in education, CETR otherwise (and for 18-25s whose placement broke down) | [`review::review_name`] | seed 000 | `review::tests::adults_not_in_education_have_a_ctr_and_everyone_else_a_cetr` |
//! | Who may consent on a date (16+ themselves; under 16 a parent or a Gillick-competent child; optional "from 14 the child must agree"; best interests when capacity is lacking) | [`consent::who_may_consent`], [`consent::Consent::check_giver`] | seeds 000, 001, 002; handbook | `consent::tests::*` |
//! | Consent in force on a day; withdrawal at any time | [`consent::has_consent`], [`consent::register_consent_withdrawn`] | seed 001, handbook | `consent::tests::withdrawn_consent_stops_counting_from_that_day` |
//! | The panel opens the papers only once consent (or best interests) for that review is recorded | [`review::Review::panel_may_open_papers`] | handbook | `review::tests::the_panel_opens_the_papers_only_with_consent_for_this_review` |
//! | Rating suggested by a risk assessment: score bands and "all of these = Red" rules; override needs a reason; Blue is never scored | [`risk::RiskTool::suggest`], [`risk::RiskAssessment::complete`] | seed 002 (0-4 Green, 5-7 Amber, 8+ Red), handbook | `risk::tests::*` (incl. property `more_yes_answers_never_lower_the_suggestion`) |
//! | Actions a rating requires | [`rating::Rating::required_actions`] | seed 002 (NHS England's table) | `rating::tests::red_requires_a_review_and_a_keyworker_referral` |
//! | Blue follows an admission and ends with a discharge; history keeps every change | [`rating::RatingChange`] (validate), [`rating::current_rating`] | handbook, seed 002 | `rating::tests::*` |
//! | Review dates: arrangements 2 weeks before, papers 24 hours before, report 2 weeks after | [`review::Review::arrangements_start`], `papers_due`, `report_due` | seed 000, handbook | `review::tests::dates_follow_from_the_meeting` |
//! | LAEP meetings have no independent experts; held reviews name the full panel | [`review::Review`] (validate) | handbook, seed 000 | `review::tests::a_held_review_names_its_panel_but_an_laep_has_no_independent_experts` |
//! | Self-referrals decided at the next DSR meeting; contact deadline; triage deadline | [`referral::Referral::triage_due`], `contact_due`, [`meeting::MeetingCadence`] | seed 001, handbook | `referral::tests::*`, `meeting::tests::*` |
//! | Key lines of enquiry: the four questions, child/adult and community/inpatient wording | [`kloe::KeyQuestion::text`] | seeds 000, 001 | `kloe::tests::*` |
//! | Planner questions in plain and easy-read words | [`planner::PlannerQuestion`] | seed 003 | `planner::tests::*` |
//! | Actions: overdue when open past the due date; dropping needs a reason | [`action::Action::is_overdue`], [`action::Action::update`] | seed 001 | `action::tests::*` |
//! | **Due items**: Red needs a C(E)TR; keyworker referral offered; post-admission review (10 working days children, 4 weeks adults); inpatient repeats (3 months children, 6 weeks after a community review, 6 or 12 months adults); oversight visits (6 or 8 weeks, out of area); arrangements, consent, papers and report for each review; referral triage and self-referral contact; family told; register consent missing or withdrawn; retention purge (12 months); open actions | [`due::due_items`] (each [`due::DueRule`] names its source) | seeds 000, 001, 002; handbook | `due::tests::*` (one or more per rule, with dates from the seeds), properties `nothing_is_due_before_the_event_it_follows_and_overdue_means_before_today`, `person_files_round_trip_through_json` |
//! | Area policy: defaults from the handbook, loaded from TOML, checked | [`policy::AreaPolicy::from_toml`] | handbook (every "configurable") | `policy::tests::*` |
//!
//! Not settled by the handbook, so made configurable with a stated default: how soon a Red needs its
//! review (`reviews.red_review_within`, 2 weeks), whether keyworkers are offered at every rating
//! (`keyworker.ratings`, all), the meeting day (`meetings`, second Tuesday), and the risk tools (the
//! example tools use the seeds' factors with illustrative weights; they are not any area's official tool).

pub mod access;
pub mod accounts;
pub mod action;
pub mod admission;
pub mod api;
pub mod calendar;
pub mod consent;
pub mod due;
pub mod ids;
pub mod kloe;
pub mod meeting;
pub mod multi_agency_meeting;
pub mod nhs_number;
pub mod period;
pub mod person;
pub mod planner;
pub mod policy;
pub mod policy_form;
pub mod rating;
pub mod referral;
pub mod register;
pub mod report;
pub mod review;
pub mod risk;
pub mod sync;
#[cfg(test)]
mod test_support;
pub mod text;
pub mod validation;
pub mod visit_note;

pub use ids::*;
pub use nhs_number::NhsNumber;
pub use person::{Person, PersonForm, PersonName};
pub use validation::{FieldError, Validate, ValidationErrors};
