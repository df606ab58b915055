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
//! # The rules, where they come from, the tests that cover them, and the hazards they control
//!
//! Hazards are those of the hazard log, `docs/clinical-safety/hazard-log.md` (checked by `tests/hazard_log.rs`).
//!
//! | rule | function | source | tests | hazards |
//! | --- | --- | --- | --- | --- |
//! | NHS number: Modulus 11 check digit, shown 3-3-4 | [`NhsNumber::parse`], its `Display` | handbook (information governance) | `nhs_number::tests::*` (incl. property tests: every single-digit change and neighbour swap is caught) | H3 |
//! | Age on a date (29 February birthdays count from 1 March); the day someone turns an age | [`person::age_on`], [`person::birthday`] | handbook (consent and review rules depend on age) | `person::tests::leap_day_birthdays_count_from_the_first_of_march`, `age_is_never_negative_and_grows_by_one_each_birthday` | H3, H9 |
//! | Dates typed in three fields; date of birth not in the future | [`person::date_from_parts`], [`person::check_date_of_birth`] | handbook ux (NHS design system) | `person::tests::date_parts_get_the_design_system_messages`, `date_of_birth_cannot_be_in_the_future_or_too_long_ago` | H3 |
//! | The same person twice: same NHS number, or same names and date of birth; stopped when adding, changing who someone is, or accepting a referral | [`person::find_duplicates`], `sync::push` (`duplicate_of`) | issue 12; handbook (the register) | `person::tests::the_same_person_is_found_by_nhs_number_or_by_name_and_date_of_birth`, `sync::push::tests::the_same_person_cannot_be_added_twice_nor_accepted_twice` | H4 |
//! | Working days in England: bank holidays 2020-2035 with substitute days and one-offs; a deadline on a day nobody works moves to the working day before | [`calendar::bank_holidays`], [`calendar::Calendar`] (`working_day_on_or_before`) | handbook; published lists; issue 12 | `calendar::tests::bank_holidays_match_the_published_lists`, `easter_dates_2028_to_2035`, `substitute_days_for_christmas_and_new_year_at_a_weekend`, `a_deadline_on_a_day_nobody_works_moves_to_the_working_day_before`, properties `adding_working_days_never_lands_on_a_weekend_or_holiday`, `counting_back_inverts_adding`, `moved_deadlines_are_working_days_and_never_later` | H1, H2 |
//! | CTR for adults not in education, CETR otherwise (and for 18-25s whose placement broke down) | [`review::review_name`] | seed 000 | `review::tests::adults_not_in_education_have_a_ctr_and_everyone_else_a_cetr` | H2 |
//! | Who may consent on a date, with separate ages for the register (from 14 the child must agree) and a review (16 consents themselves); under 16 a parent or a Gillick-competent child; best interests when capacity is lacking | [`consent::who_may_consent`], [`policy::ConsentPolicy::ages`], [`consent::Consent::check_giver`] | seeds 000, 001, 002; handbook | `consent::tests::*` | H9 |
//! | A parent's consent outgrown: a due item when the child reaches the age to agree or to consent themselves | [`consent::consent_outgrown`] | seeds 000, 002; issue 12 | `consent::tests::a_parents_consent_is_outgrown_at_fourteen_for_the_register_and_sixteen_for_a_review`, `due::tests::a_parents_register_consent_asks_for_the_childs_agreement_at_fourteen`, `a_review_consent_given_by_a_parent_needs_the_young_persons_own_at_sixteen` | H9 |
//! | Consent in force on a day; withdrawal at any time | [`consent::has_consent`], [`consent::register_consent_withdrawn`] | seed 001, handbook | `consent::tests::withdrawn_consent_stops_counting_from_that_day` | H9, H10 |
//! | What withdrawing a consent does, said before anyone confirms (who asked and why kept on it) | [`consent::withdrawal_effects`], [`consent::withdrawal`] | handbook; issue 16 | `consent::tests::withdrawing_says_what_it_does_for_each_kind_of_consent`, `a_withdrawal_needs_who_asked_and_may_say_why` | H9 |
//! | A family's withdrawal is a request the coordinator confirms (unless the area's policy says it takes effect), due at once | [`consent::withdrawal_request_effects`], [`policy::FamilyPolicy`] (`withdrawal_takes_effect`), [`due::DueRule::WithdrawalRequested`], `sync::push` (`family_withdrawal_refused`) | seed 001; issue 16 | `due::tests::a_familys_request_to_withdraw_is_due_at_once_until_the_coordinator_withdraws`, `sync::push::tests::a_familys_withdrawal_is_a_request_unless_the_areas_policy_says_it_takes_effect` | H9 |
//! | The panel opens the papers only once consent (or best interests) for that review is recorded | [`review::Review::panel_may_open_papers`] | handbook | `review::tests::the_panel_opens_the_papers_only_with_consent_for_this_review` | H7 |
//! | Need-to-know: what each role may read and write; what a role may not read is said to be not shown, never shown as absent | [`access::person_access`], [`register::RegisterRow::seen_with`], [`due::due_shown_with`] | handbook (information governance); issue 12 | `access::tests::*`, `register::tests::a_rating_a_role_may_not_see_is_never_shown_as_not_rated` | H7, H8 |
//! | Rating suggested by a risk assessment: score bands and "all of these = Red" rules; override needs a reason; Blue is never scored | [`risk::RiskTool::suggest`], [`risk::RiskAssessment::complete`] | seed 002 (0-4 Green, 5-7 Amber, 8+ Red), handbook | `risk::tests::*` (incl. property `more_yes_answers_never_lower_the_suggestion`) | H1 |
//! | Actions a rating requires, each reaching a due rule | [`rating::Rating::required_actions`], [`rating::RequiredAction::rule`] | seed 002 (NHS England's table) | `rating::tests::red_requires_a_review_and_a_keyworker_referral`, `due::tests::every_required_action_of_a_rating_reaches_a_rule` | H1 |
//! | Blue follows an admission and ends with a discharge; history keeps every change | [`rating::RatingChange`] (validate), [`rating::current_rating`] | handbook, seed 002 | `rating::tests::*` | H2 |
//! | Review dates: arrangements 2 weeks before, papers 24 hours before, report 2 weeks after, each moved off a day nobody works | [`review::Review::arrangements_start`], `papers_due`, `report_due` | seed 000, handbook | `review::tests::dates_follow_from_the_meeting`, `papers_due_on_a_day_nobody_works_move_to_the_working_day_before` | H2 |
//! | LAEP meetings have no independent experts; held reviews name the full panel | [`review::Review`] (validate) | handbook, seed 000 | `review::tests::a_held_review_names_its_panel_but_an_laep_has_no_independent_experts` | H2 |
//! | Self-referrals decided at the next DSR meeting (moved off a bank holiday as the policy says); contact deadline; triage deadline | [`referral::Referral::triage_due`], `contact_due`, [`meeting::MeetingCadence::next_meeting_on_or_after`] | seed 001, handbook | `referral::tests::*`, `meeting::tests::*` | H1 |
//! | Key lines of enquiry: the four questions, child/adult and community/inpatient wording | [`kloe::KeyQuestion::text`] | seeds 000, 001 | `kloe::tests::*` | H8 |
//! | Planner questions in plain and easy-read words; the family's own questions; the area's wording; "before the meeting" only before it; one planner and one family-views record per review (ids from the review's; older ones read merged) | [`planner::PlannerQuestion`], [`planner::FamilyQuestion`], [`planner::MeetingTime`], [`planner::Planner::one_for`] | seed 003; handbook; issue 16 | `planner::tests::*`, `sync::push::tests::a_reviews_planner_started_on_two_devices_offline_is_one_record_with_both_their_words` | H6, H8 |
//! | A family's home: what is happening with their review and next, dates in plain words, what they can do now, who to contact | [`family_home::FamilyHome::of`], [`family_home::plain_day`] | issue 16; seed 003 | `family_home::tests::*` | H8 |
//! | Actions: overdue when open past the due date; dropping needs a reason | [`action::Action::is_overdue`], [`action::Action::update`] | seed 001 | `action::tests::*` | H1 |
//! | A multi-agency meeting names at least two agencies and has happened | [`multi_agency_meeting::MultiAgencyMeeting`] (validate, `check_date`) | seed 002 | `multi_agency_meeting::tests::a_multi_agency_meeting_names_two_agencies_and_has_happened` | H1 |
//! | **Due items**: Red needs a community C(E)TR held (one arranged in the window is on track; a request with no date, a later date, an LAEP or a cancelled review keep it due); Amber a multi-agency meeting or a C(E)TR; Green the C(E)TR partners; keyworker referral offered again on a rise; post-admission review (5 working days children, 4 weeks adults) unless a community review was held before (worked out, never ticked); inpatient repeats; oversight visits; arrangements, consent, papers and report for each review; referral triage and self-referral contact; family told; register consent missing, withdrawn or outgrown; retention purge (12 months); open actions | [`due::due_items`] (each [`due::DueRule`] names its source) | seeds 000, 001, 002; handbook; issue 12 | `due::tests::*` (one or more per rule, with dates around bank holidays, Christmas and leap days), properties `on_every_day_a_red_person_had_a_held_community_review_or_has_the_item_due`, `nothing_is_due_before_the_event_it_follows_and_overdue_means_before_today`, `person_files_round_trip_through_json` | H1, H2, H9, H10 |
//! | Area policy: defaults from the handbook (the strictest source where they differ, each named), loaded from TOML, checked | [`policy::AreaPolicy::from_toml`], [`policy::AreaPolicy::default_source`] | handbook (every "configurable") | `policy::tests::*` | H1, H2 |
//! | DSR meeting agenda: from the register as of the meeting date, in sections; every Red and Blue person on every agenda; each person once with every reason; Amber and Green back as policy says; deferred first; the chair's order and hand-added people | [`agenda::agenda`], [`meeting::DsrMeeting::arrange`] | issue 14; seeds 000, 001, 002 | `agenda::tests::*` (incl. property `every_red_person_is_on_every_agenda_and_nobody_appears_twice`) | H1 |
//! | A meeting's decision about a person: one record per person per meeting (same id on every device); a re-rating enters the history with source "DSR meeting" dated by the meeting; a declined referral says why | [`meeting::MeetingDecision`] | issue 14 | `meeting::tests::a_decision_about_a_person_has_one_id_per_meeting_on_every_device`, `a_decision_re_rates_with_the_meetings_source_and_date_and_decides_referrals_with_reasons` | H1, H8 |
//! | A meeting's agenda is the register at the start of its day (its own decisions move nobody); what it decides is made: a C(E)TR asked for is requested, dated by the meeting; its actions join the follow-up | [`agenda::agenda`], [`meeting::MeetingDecision::requested_review`], [`meeting::MeetingDecision::new_action`] | issue 14 | `agenda::tests::the_meetings_own_decisions_do_not_move_anyone_on_its_agenda`, `meeting::tests::a_review_asked_for_at_the_meeting_is_requested_on_its_date_unless_one_is_under_way`, `an_action_the_meeting_agrees_joins_the_follow_up_naming_the_meeting`, `action::tests::an_action_comes_from_one_review_or_one_meeting` | H1 |
//! | Minutes from the recorded decisions, holding only the people the reader's device holds | [`minutes::minutes`] | issue 14 | `minutes::tests::the_minutes_give_each_decision_in_the_agendas_order_and_leave_out_who_the_reader_cannot_see` | H7, H8 |
//! | The DSR panel (a role): reads what the agenda needs of everyone but those who withdrew consent; writes the meeting's decisions and what follows; a meeting's action is read as its decisions are | [`access::person_access`], [`access::View`] (`Register`), [`access::read_as`], [`access::writes_only_meeting_actions`] | issue 14 | `access::tests::the_dsr_panel_reads_what_the_agenda_needs_of_everyone_and_records_decisions`, `a_register_view_holds_its_kinds_of_everyone_but_those_who_withdrew`, `a_meetings_action_is_held_only_where_its_decisions_are` | H7 |
//! | The register: every due item, filters by what is due, keyworker and age group ([`register::AgeGroup`]: under 13, 13-17, 18+), any column sorted | [`register::RegisterFilter::apply`], [`due::DueRule::label`] | issue 14 | `register::tests::*` | H1, H8 |
//! | Area policy periods bounded (5 years; retention 30); working days counted a week at a time | [`policy::AreaPolicy`] (validate), [`period::Period::longer_than_years`], [`calendar::Calendar::add_working_days`] | issue 13 | `policy::tests::bad_policies_are_refused_with_the_field_named`, `calendar::tests::working_days_by_weeks_agree_with_counting_each_day`, `a_period_of_billions_of_working_days_is_worked_out_at_once` | H12 |
//! | A review's outcome (findings, recommendations, actions) is withheld from a family until the report is shared with them: not sent, not only not shown | [`access::outcome_withheld`], [`access::View::holds`] | issue 13; handbook (information governance) | `access::tests::a_family_is_not_sent_a_reviews_outcome_until_the_report_is_shared`, `applying_a_view_change_gives_the_new_view` | H7 |
//! | Each role changes only its own part of a record (advocate: an action's family disagreement; panel: a review's day; family and referrer: a consent's withdrawal) | [`access::write_rule`] | issue 13 | `access::tests::each_role_writes_only_its_own_part_of_a_record` | H7 |
//! | Texts: hidden control characters refused wherever they are; export cells a spreadsheet would run neutralised | [`text::stray_control_in`], [`text::spreadsheet_cell`] | issue 13 (OWASP CSV injection) | `text::tests::*` | H13 |
//!
//! Not settled by the handbook, so made configurable with a stated default: how soon a Red needs its
//! review (`reviews.red_review_within`, 2 weeks), whether keyworkers are offered at every rating
//! (`keyworker.ratings`, all), the meeting day (`meetings`, second Tuesday), and the risk tools (the
//! example tools use the seeds' factors with illustrative weights; they are not any area's official tool).

pub mod access;
pub mod accounts;
pub mod action;
pub mod admission;
pub mod agenda;
pub mod api;
pub mod calendar;
pub mod consent;
pub mod due;
pub mod easy_read;
pub mod family_home;
pub mod ids;
pub mod kloe;
pub mod measures;
pub mod meeting;
pub mod minutes;
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
