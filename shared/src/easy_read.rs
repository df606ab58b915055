//! Easy read, for a young person with a learning disability (and anyone who wants it): short
//! sentences with one idea each, a picture beside every question, and words the device can read aloud.
//! The planner, the family's views and the report each have an easy-read version built here, so every
//! device and the tests agree on what it says.
//!
//! Pictures are OpenMoji (CC BY-SA 4.0), installed from the npm registry (`style/package.json`) and
//! copied into the build by `scripts/copy-pictures.sh` from the list in `style/pictures.txt`;
//! `docs/licences/openmoji.md` records the licence and the attribution the app shows.
//! Sources: handbook ux page (families and young people), seed 000 (easy-read booklet and planner),
//! NHS England's "Make it easy" guidance on easy read (one idea a sentence, a picture to the left).

use chrono::NaiveDate;

use crate::planner::{FamilyQuestion, MeetingTime, PlannerQuestion};
use crate::policy::FamilyPolicy;
use crate::report::ReportContent;

/// A picture from OpenMoji, by what it shows. Its file is named by the emoji's code points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Picture {
    HouseWithGarden,
    Smile,
    Shield,
    HealthWorker,
    School,
    ThumbsUp,
    Handshake,
    Speaking,
    Family,
    SpeechBubble,
    Writing,
    RaisedHand,
    House,
    LightBulb,
    Worried,
    Target,
    Memo,
    Clipboard,
    Speaker,
    MagnifyingGlass,
    Tick,
    Telephone,
    Calendar,
}

impl Picture {
    pub const ALL: [Picture; 23] = [
        Picture::HouseWithGarden,
        Picture::Smile,
        Picture::Shield,
        Picture::HealthWorker,
        Picture::School,
        Picture::ThumbsUp,
        Picture::Handshake,
        Picture::Speaking,
        Picture::Family,
        Picture::SpeechBubble,
        Picture::Writing,
        Picture::RaisedHand,
        Picture::House,
        Picture::LightBulb,
        Picture::Worried,
        Picture::Target,
        Picture::Memo,
        Picture::Clipboard,
        Picture::Speaker,
        Picture::MagnifyingGlass,
        Picture::Tick,
        Picture::Telephone,
        Picture::Calendar,
    ];

    /// OpenMoji's name for it: the emoji's code points (its file is this and `.svg`).
    pub const fn code(self) -> &'static str {
        match self {
            Picture::HouseWithGarden => "1F3E1",
            Picture::Smile => "1F642",
            Picture::Shield => "1F6E1",
            Picture::HealthWorker => "1F9D1-200D-2695-FE0F",
            Picture::School => "1F3EB",
            Picture::ThumbsUp => "1F44D",
            Picture::Handshake => "1F91D",
            Picture::Speaking => "1F5E3",
            Picture::Family => "1F46A",
            Picture::SpeechBubble => "1F4AC",
            Picture::Writing => "270D",
            Picture::RaisedHand => "270B",
            Picture::House => "1F3E0",
            Picture::LightBulb => "1F4A1",
            Picture::Worried => "1F61F",
            Picture::Target => "1F3AF",
            Picture::Memo => "1F4DD",
            Picture::Clipboard => "1F4CB",
            Picture::Speaker => "1F50A",
            Picture::MagnifyingGlass => "1F50E",
            Picture::Tick => "2705",
            Picture::Telephone => "1F4DE",
            Picture::Calendar => "1F4C5",
        }
    }

    /// Where the built app serves it.
    pub fn path(self) -> String {
        format!("/pictures/{}.svg", self.code())
    }
}

/// The attribution OpenMoji's licence asks for, shown wherever its pictures are.
pub const PICTURES_CREDIT: &str =
    "Pictures: OpenMoji, the open-source emoji and icon project (openmoji.org), licence CC BY-SA 4.0.";

/// One question in easy read: its picture, what to know first (a sentence to an idea), and the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EasyQuestion {
    pub picture: Picture,
    pub says: &'static [&'static str],
    pub asks: &'static str,
}

impl EasyQuestion {
    /// Everything it says, in order, the question last.
    pub fn lines(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.says.iter().copied().chain(std::iter::once(self.asks))
    }
}

/// A question of the young person's planner in easy read.
pub const fn planner_question(question: PlannerQuestion) -> EasyQuestion {
    let (picture, says): (Picture, &'static [&'static str]) = match question {
        PlannerQuestion::CurrentSituation => {
            (Picture::HouseWithGarden, &["This is about your life now.", "Where do you live? What do you do each day?"])
        }
        PlannerQuestion::HowYouAndYourFamilyFeel => (
            Picture::Smile,
            &["This is about feelings.", "You can say how you feel.", "You can say how your family feels."],
        ),
        PlannerQuestion::AreYouSafe => {
            (Picture::Shield, &["Safe means nobody hurts you.", "Safe means you are not scared."])
        }
        PlannerQuestion::CareAndTreatment => (
            Picture::HealthWorker,
            &[
                "This is about the people who help you.",
                "They might be doctors, nurses or support workers.",
                "It is about any medicine you take too.",
            ],
        ),
        PlannerQuestion::Education => (Picture::School, &["This is about school, college or work."]),
        PlannerQuestion::WhatIsWorking => {
            (Picture::ThumbsUp, &["Some things in your life might be good.", "Some things might not be good."])
        }
        PlannerQuestion::OtherSupport => {
            (Picture::Handshake, &["We want you to live at home if you can.", "Think about what would help."])
        }
    };
    EasyQuestion { picture, says, asks: question.easy_read() }
}

/// A question of the family's views in easy read.
pub const fn family_question(question: FamilyQuestion) -> EasyQuestion {
    let (picture, says): (Picture, &'static [&'static str]) = match question {
        FamilyQuestion::AtHome => {
            (Picture::House, &["This is about life at home.", "Tell us how things are each day."])
        }
        FamilyQuestion::WhatHelps => (Picture::LightBulb, &["Think about what makes things better."]),
        FamilyQuestion::Worries => (Picture::Worried, &["You can tell us what worries you."]),
        FamilyQuestion::FromTheReview => {
            (Picture::Target, &["The meeting is there to help.", "Tell us what you hope it will do."])
        }
    };
    EasyQuestion { picture, says, asks: question.easy_read() }
}

/// The rest of the young person's planner, after the questions: each a screen of its own in easy read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlannerPart {
    TakePart,
    WhoWith,
    Communication,
    HelpedBy,
    Disagreement,
}

impl PlannerPart {
    pub const ALL: [PlannerPart; 5] = [
        PlannerPart::TakePart,
        PlannerPart::WhoWith,
        PlannerPart::Communication,
        PlannerPart::HelpedBy,
        PlannerPart::Disagreement,
    ];

    pub const fn easy_read(self) -> EasyQuestion {
        match self {
            PlannerPart::TakePart => EasyQuestion {
                picture: Picture::Speaking,
                says: &["There will be a meeting about you.", "You can choose how to join in."],
                asks: "How do you want to take part?",
            },
            PlannerPart::WhoWith => EasyQuestion {
                picture: Picture::Family,
                says: &["You can bring people you trust to the meeting."],
                asks: "Who do you want with you?",
            },
            PlannerPart::Communication => EasyQuestion {
                picture: Picture::SpeechBubble,
                says: &[
                    "Tell us the best way to talk with you.",
                    "For example: pictures, short sentences or more time.",
                ],
                asks: "How should people talk with you?",
            },
            PlannerPart::HelpedBy => EasyQuestion {
                picture: Picture::Writing,
                says: &["Someone may have helped you fill this in.", "That is fine."],
                asks: "Who helped you?",
            },
            PlannerPart::Disagreement => EasyQuestion {
                picture: Picture::RaisedHand,
                says: &[
                    "You might not agree with a plan for you.",
                    "You can say so here.",
                    "Your words go in the report.",
                ],
                asks: "Is there anything you do not agree with?",
            },
        }
    }
}

/// The rest of the family's views, after their questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FamilyPart {
    AnythingElse,
    Disagreement,
}

impl FamilyPart {
    pub const ALL: [FamilyPart; 2] = [FamilyPart::AnythingElse, FamilyPart::Disagreement];

    pub const fn easy_read(self) -> EasyQuestion {
        match self {
            FamilyPart::AnythingElse => EasyQuestion {
                picture: Picture::Memo,
                says: &["You can tell the people at the meeting anything else."],
                asks: "Is there anything else?",
            },
            FamilyPart::Disagreement => EasyQuestion {
                picture: Picture::RaisedHand,
                says: &["You might not agree with a plan.", "You can say so here.", "Your words go in the report."],
                asks: "Is there anything you do not agree with?",
            },
        }
    }
}

/// A day as easy read says it: "Tuesday 8 December 2026".
pub fn day(on: NaiveDate) -> String {
    on.format("%A %-d %B %Y").to_string()
}

/// The sentence about the meeting's day.
fn meeting_day(time: MeetingTime) -> String {
    match time {
        MeetingTime::NotSet => "We do not know the day of your meeting yet.".to_string(),
        MeetingTime::Before(on) => format!("Your meeting is on {}.", day(on)),
        MeetingTime::Today => "Your meeting is today.".to_string(),
        MeetingTime::After(on) => format!("Your meeting was on {}.", day(on)),
    }
}

/// The young person's planner's introduction in easy read, a sentence to a line.
pub fn planner_intro(time: MeetingTime) -> Vec<String> {
    let mut lines = vec![
        "This is your planner.".to_string(),
        "It is your chance to say what matters to you.".to_string(),
        meeting_day(time),
    ];
    if matches!(time, MeetingTime::After(_)) {
        lines.push("You can still add to your planner.".into());
    }
    lines.extend(
        [
            "You can answer some questions or all of them.",
            "You can stop and come back later.",
            "Someone can help you if you want.",
        ]
        .map(String::from),
    );
    lines
}

/// The family's views' introduction in easy read.
pub fn family_intro(time: MeetingTime) -> Vec<String> {
    let reads = if matches!(time, MeetingTime::After(_)) {
        "The person who runs the review will read what you write."
    } else {
        "The people at the meeting will read what you write."
    };
    vec![
        "This is for your family to say what you think.".to_string(),
        meeting_day(time),
        reads.to_string(),
        "You can answer some questions or all of them.".to_string(),
    ]
}

/// What "Read this to me" says for a question: what it says, the question, then what has been written.
pub fn read_aloud(question: &EasyQuestion, written: &str) -> String {
    let mut words: Vec<String> = question.lines().map(String::from).collect();
    let written = written.trim();
    if written.is_empty() {
        words.push("You have not written anything yet.".into());
    } else {
        words.push(format!("You wrote: {written}"));
    }
    words.join(" ")
}

/// Lines read aloud as one: sentences joined by a space.
pub fn read_lines<S: AsRef<str>>(lines: &[S]) -> String {
    lines.iter().map(|l| l.as_ref().trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A voice the device offers: its language tag and whether it works with no connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    pub lang: String,
    pub on_device: bool,
}

/// The voice to read with: English (UK) if the device has one, one that works offline first; else
/// any English voice; else none (the browser's default voice, told to speak en-GB).
pub fn choose_voice(voices: &[Voice]) -> Option<usize> {
    let is = |v: &Voice, lang: &str| v.lang.replace('_', "-").eq_ignore_ascii_case(lang);
    let english = |v: &Voice| v.lang.to_ascii_lowercase().starts_with("en");
    let rank = |v: &Voice| match (is(v, "en-GB"), english(v), v.on_device) {
        (true, _, true) => Some(0),
        (true, _, false) => Some(1),
        (false, true, true) => Some(2),
        (false, true, false) => Some(3),
        _ => None,
    };
    voices.iter().enumerate().filter_map(|(i, v)| rank(v).map(|r| (r, i))).min().map(|(_, i)| i)
}

/// The language "Read this to me" asks the device to speak.
pub const SPEECH_LANGUAGE: &str = "en-GB";

/// Who reads the easy-read report: the young person (or staff printing it for them), or their family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReader<'a> {
    YoungPerson,
    Family { first_name: &'a str },
}

/// One part of the easy-read report: a picture, a heading, and its lines (each maybe with a label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasySection {
    pub picture: Picture,
    pub heading: String,
    pub lines: Vec<EasyLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasyLine {
    /// A short label in bold before the words ("Who", "What", a question), if any.
    pub label: Option<String>,
    pub words: String,
}

impl EasyLine {
    fn plain(words: impl Into<String>) -> EasyLine {
        EasyLine { label: None, words: words.into() }
    }

    fn labelled(label: impl Into<String>, words: impl Into<String>) -> EasyLine {
        EasyLine { label: Some(label.into()), words: words.into() }
    }
}

impl EasySection {
    /// What "Read this to me" says for the section.
    pub fn read_aloud(&self) -> String {
        let mut words = vec![self.heading.clone()];
        for line in &self.lines {
            match &line.label {
                Some(label) => words.push(format!("{}: {}", label.trim_end_matches(':'), line.words)),
                None => words.push(line.words.clone()),
            }
        }
        read_lines(&words)
    }
}

/// The easy-read version of a report: what it says, in the order a young person would want it, as
/// short parts with a picture each. Built from the words of the report (the version shared, so it never
/// changes either). The panel's findings and the agreed actions are the panel's own words; the easy-read
/// report says who to ask if they are hard to understand.
pub fn report(content: &ReportContent, reader: ReportReader<'_>, families: &FamilyPolicy) -> Vec<EasySection> {
    let (you, your) = match reader {
        ReportReader::YoungPerson => ("you".to_string(), "your".to_string()),
        ReportReader::Family { first_name } => (first_name.to_string(), format!("{first_name}'s")),
    };
    let meeting = |what: &str| content.meeting.iter().find(|(w, _)| w == what).map(|(_, v)| v.clone());
    let mut about = vec![
        EasyLine::plain(format!("This is the report from {your} review meeting.")),
        EasyLine::plain("It says what people talked about."),
        EasyLine::plain("It says what will happen next."),
    ];
    if let Some(date) = meeting(crate::report::MEETING_DATE).filter(|d| d != crate::report::DATE_NOT_SET) {
        about.push(EasyLine::plain(format!("The meeting was on {date}.")));
    }
    if let Some(people) = meeting(crate::report::WHO_TOOK_PART) {
        about.push(EasyLine::labelled("These people were there", people));
    }
    let mut sections =
        vec![EasySection { picture: Picture::Clipboard, heading: "About this report".into(), lines: about }];
    let said = |saids: &[crate::report::Said]| -> Vec<EasyLine> {
        saids.iter().flat_map(|s| s.words.iter().map(|w| EasyLine::labelled(s.heading.clone(), w.clone()))).collect()
    };
    let told = said(&content.young_person);
    if !told.is_empty() {
        let heading = match reader {
            ReportReader::YoungPerson => "What you told us".to_string(),
            ReportReader::Family { .. } => format!("What {you} told us"),
        };
        sections.push(EasySection { picture: Picture::Speaking, heading, lines: told });
    }
    let family: Vec<EasyLine> = content
        .family
        .iter()
        .flat_map(|s| s.words.iter().map(|w| EasyLine::labelled(s.heading.clone(), w.clone())))
        .collect();
    if !family.is_empty() {
        let heading = match reader {
            ReportReader::YoungPerson => "What your family told us",
            ReportReader::Family { .. } => "What you told us",
        };
        sections.push(EasySection { picture: Picture::Family, heading: heading.into(), lines: family });
    }
    // Each line of enquiry by its easy-read wording; findings on a whole question by the question.
    let found: Vec<EasyLine> = content
        .findings
        .iter()
        .flat_map(|q| {
            let by_prompt = q.prompts.iter().flat_map(|p| {
                p.found.iter().map(|m| {
                    let words = match m.mark {
                        crate::kloe::FindingMark::Finding => m.words.clone(),
                        mark => format!("{}. {}", mark.easy_read(), m.words),
                    };
                    EasyLine::labelled(p.easy_read.clone(), words)
                })
            });
            let whole = q.words.iter().map(|w| EasyLine::labelled(q.heading.clone(), w.clone()));
            by_prompt.chain(whole).collect::<Vec<_>>()
        })
        .collect();
    if !found.is_empty() {
        let mut lines = vec![EasyLine::plain("The people on the panel listened and read about you.")];
        if let ReportReader::Family { .. } = reader {
            lines[0] = EasyLine::plain(format!("The people on the panel listened and read about {you}."));
        }
        lines.extend(found);
        // The report lists what was not covered: the easy-read version says there was some.
        if content.findings.iter().any(|q| !q.not_covered.is_empty()) {
            lines.push(EasyLine::plain("The panel did not talk about everything this time."));
        }
        sections.push(EasySection { picture: Picture::MagnifyingGlass, heading: "What the panel found".into(), lines });
    }
    if !content.recommendations.is_empty() {
        let mut lines = vec![EasyLine::plain("The panel says these things should happen.")];
        for r in &content.recommendations {
            lines.push(EasyLine::plain(r.what.clone()));
            lines.extend(r.responsible.clone().map(|who| EasyLine::labelled("Who", who)));
            lines.extend(r.by_when.map(|d| EasyLine::labelled("By when", day(d))));
        }
        sections.push(EasySection { picture: Picture::LightBulb, heading: "What should happen next".into(), lines });
    }
    if !content.actions.is_empty() {
        let lines = content
            .actions
            .iter()
            .flat_map(|a| {
                [
                    EasyLine::labelled("What", a.description.clone()),
                    EasyLine::labelled("Who", a.owner.clone()),
                    EasyLine::labelled("By when", day(a.due_on)),
                ]
            })
            .collect();
        sections.push(EasySection { picture: Picture::Tick, heading: "Who will do what".into(), lines });
    }
    if !content.disagreements.is_empty() {
        let mut lines = vec![EasyLine::plain("Some people did not agree with part of the plan.")];
        lines.push(EasyLine::plain("What they said is written here."));
        lines.extend(content.disagreements.iter().map(EasyLine::plain));
        sections.push(EasySection {
            picture: Picture::RaisedHand,
            heading: "Things people did not agree with".into(),
            lines,
        });
    }
    let mut ask = vec![EasyLine::plain("Some words in this report may be hard.")];
    match crate::family_home::contact(families) {
        Some((name, phone, email)) => {
            ask.push(EasyLine::plain(format!("You can ask {name} to explain them.")));
            ask.extend(phone.map(|p| EasyLine::labelled("Phone", p)));
            ask.extend(email.map(|e| EasyLine::labelled("Email", e)));
        }
        None => ask.push(EasyLine::plain("You can ask the people who came to the meeting to explain them.")),
    }
    sections.push(EasySection { picture: Picture::Telephone, heading: "If you have questions".into(), lines: ask });
    sections
}

/// What is wrong with `line` as easy read, if anything: easy read's rules for a line are at most 15
/// words, no word longer than 11 letters, no brackets or semicolons (one idea a sentence), and a
/// whole sentence or question.
pub fn not_easy_read(line: &str) -> Option<String> {
    let words = line.split_whitespace().count();
    if words > 15 {
        return Some(format!("It has {words} words: easy read keeps to 15 or fewer"));
    }
    if line.contains([';', '(', ')']) {
        return Some("Say one thing a sentence, with no brackets or semicolons".into());
    }
    if !line.trim_end().ends_with(['.', '?']) {
        return Some("End it as a sentence or a question ends".into());
    }
    line.split(|c: char| !c.is_alphabetic())
        .find(|word| word.chars().count() > 11)
        .map(|word| format!("Use a shorter word than '{word}'"))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed check fails the test")]
mod tests {
    use super::*;
    use crate::kloe::FindingMark;
    use crate::report::{AgreedAction, Marked, PromptFindings, QuestionFindings, RecommendationLine, Said};

    fn assert_easy(line: &str) {
        if let Some(problem) = not_easy_read(line) {
            panic!("not easy read: {problem}: {line}");
        }
    }

    #[test]
    fn easy_read_rules_find_what_is_hard() {
        assert_eq!(not_easy_read("Do you feel safe?"), None);
        assert!(
            not_easy_read(
                "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen."
            )
            .is_some()
        );
        assert!(not_easy_read("Medication (reviewed).").is_some());
        assert!(not_easy_read("No ending").is_some());
        assert!(not_easy_read("Psychotropic medicine.").is_some_and(|p| p.contains("Psychotropic")));
    }

    fn every_question() -> Vec<EasyQuestion> {
        let mut all: Vec<EasyQuestion> = PlannerQuestion::ALL.into_iter().map(planner_question).collect();
        all.extend(PlannerPart::ALL.map(PlannerPart::easy_read));
        all.extend(FamilyQuestion::ALL.map(family_question));
        all.extend(FamilyPart::ALL.map(FamilyPart::easy_read));
        all
    }

    #[test]
    fn every_question_is_in_easy_read_with_a_picture() {
        for question in every_question() {
            assert!(!question.says.is_empty(), "{question:?} says what it is about first");
            question.lines().for_each(assert_easy);
            assert!(question.asks.ends_with('?'), "{question:?}");
        }
        // Each question of a form has its own picture, so a young person can find it again.
        let planner: Vec<Picture> = PlannerQuestion::ALL
            .into_iter()
            .map(|q| planner_question(q).picture)
            .chain(PlannerPart::ALL.map(|p| p.easy_read().picture))
            .collect();
        let family: Vec<Picture> = FamilyQuestion::ALL
            .into_iter()
            .map(|q| family_question(q).picture)
            .chain(FamilyPart::ALL.map(|p| p.easy_read().picture))
            .collect();
        for form in [planner, family] {
            let unique: std::collections::BTreeSet<_> = form.iter().collect();
            assert_eq!(unique.len(), form.len(), "{form:?}");
        }
    }

    #[test]
    fn the_introductions_are_easy_read_and_follow_the_meeting_day() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
        for time in [MeetingTime::NotSet, MeetingTime::Before(on), MeetingTime::Today, MeetingTime::After(on)] {
            planner_intro(time).iter().chain(family_intro(time).iter()).for_each(|l| assert_easy(l));
        }
        assert!(
            planner_intro(MeetingTime::Before(on)).contains(&"Your meeting is on Tuesday 8 December 2026.".to_string())
        );
        let after = planner_intro(MeetingTime::After(on));
        assert!(after.contains(&"Your meeting was on Tuesday 8 December 2026.".to_string()), "{after:?}");
        assert!(!after.iter().any(|l| l.contains("is on")), "{after:?}");
        assert!(planner_intro(MeetingTime::NotSet).iter().any(|l| l.contains("do not know the day")));
    }

    #[test]
    fn every_picture_is_copied_into_the_build() {
        // The build copies the pictures listed in style/pictures.txt: the same as Picture::ALL.
        let listed: std::collections::BTreeSet<&str> = include_str!("../../style/pictures.txt")
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|code| !code.starts_with('#'))
            .collect();
        let used: std::collections::BTreeSet<&str> = Picture::ALL.iter().map(|p| p.code()).collect();
        assert_eq!(listed, used);
        assert!(Picture::School.path().starts_with("/pictures/") && Picture::School.path().ends_with(".svg"));
    }

    #[test]
    fn read_aloud_says_the_question_and_what_was_written() {
        let q = planner_question(PlannerQuestion::AreYouSafe);
        let said = read_aloud(&q, "  Mostly, at home.  ");
        assert!(said.starts_with("Safe means nobody hurts you."), "{said}");
        assert!(said.contains("Do you feel safe? You wrote: Mostly, at home."), "{said}");
        assert!(read_aloud(&q, " ").ends_with("You have not written anything yet."));
        assert_eq!(read_lines(&["One.", " ", "Two."]), "One. Two.");
    }

    #[test]
    fn the_voice_is_english_uk_and_on_the_device_where_there_is_one() {
        let v = |lang: &str, on_device| Voice { lang: lang.into(), on_device };
        assert_eq!(choose_voice(&[v("en-US", true), v("en-GB", false), v("en_GB", true)]), Some(2));
        assert_eq!(choose_voice(&[v("en-US", false), v("en-GB", false)]), Some(1));
        assert_eq!(choose_voice(&[v("fr-FR", true), v("en-AU", true)]), Some(1));
        assert_eq!(choose_voice(&[v("fr-FR", true)]), None);
        assert_eq!(choose_voice(&[]), None);
    }

    fn content() -> ReportContent {
        ReportContent {
            title: "CETR for Alex Example".into(),
            meeting: vec![
                (crate::report::MEETING_DATE.into(), "8 December 2026".into()),
                (crate::report::WHO_TOOK_PART.into(), "Sam Parent (mother), Jo Chair (chair)".into()),
            ],
            young_person: vec![Said { heading: "Are you safe?".into(), words: vec!["Yes, at home.".into()] }],
            family: vec![Said { heading: "Sam Parent (mother)".into(), words: vec!["He sleeps badly.".into()] }],
            findings: vec![
                QuestionFindings {
                    heading: "Is the person safe?".into(),
                    words: vec!["Safe at home.".into()],
                    prompts: vec![PromptFindings {
                        title: "Restrictive practices".into(),
                        easy_read: "Has anyone held you or kept you apart from others? Why?".into(),
                        found: vec![
                            Marked { mark: FindingMark::Concern, words: "Held twice in a week.".into() },
                            Marked { mark: FindingMark::GoodPractice, words: "Every hold was reviewed.".into() },
                        ],
                    }],
                    not_covered: vec!["Medication".into()],
                },
                QuestionFindings {
                    heading: "Is the person getting good care?".into(),
                    words: vec![],
                    prompts: vec![],
                    not_covered: vec![],
                },
            ],
            recommendations: vec![RecommendationLine {
                responsible: Some("Pat Keyworker".into()),
                by_when: NaiveDate::from_ymd_opt(2027, 1, 15),
                ..RecommendationLine::words("A sleep assessment.")
            }],
            actions: vec![AgreedAction {
                description: "Refer to the sleep clinic".into(),
                owner: "Pat Keyworker".into(),
                due_on: NaiveDate::from_ymd_opt(2027, 1, 8).unwrap_or_default(),
            }],
            disagreements: vec![],
        }
    }

    #[test]
    fn the_easy_read_report_says_what_the_report_says_in_parts_with_pictures() {
        let families = FamilyPolicy {
            contact_name: "Dee Coordinator".into(),
            contact_phone: "0300 123 4567".into(),
            ..FamilyPolicy::default()
        };
        let sections = report(&content(), ReportReader::YoungPerson, &families);
        let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            [
                "About this report",
                "What you told us",
                "What your family told us",
                "What the panel found",
                "What should happen next",
                "Who will do what",
                "If you have questions"
            ]
        );
        let about = sections[0].read_aloud();
        assert!(about.contains("The meeting was on 8 December 2026."), "{about}");
        assert!(about.contains("These people were there: Sam Parent (mother), Jo Chair (chair)"), "{about}");
        let actions = sections[5].read_aloud();
        assert!(
            actions.contains("What: Refer to the sleep clinic Who: Pat Keyworker By when: Friday 8 January 2027"),
            "{actions}"
        );
        // A finding with nothing said under it is left out; a line of enquiry reads as its easy-read
        // wording, a concern and good practice each said as such.
        let found = sections[3].read_aloud();
        assert!(!found.contains("good care"));
        assert!(
            found.contains(
                "Has anyone held you or kept you apart from others? Why?: The panel is worried about this. Held twice in a week."
            ),
            "{found}"
        );
        assert!(found.contains("This is going well. Every hold was reviewed."), "{found}");
        assert!(found.contains("Is the person safe?: Safe at home."), "{found}");
        assert!(!found.contains("Medication"), "{found}");
        assert!(found.ends_with("The panel did not talk about everything this time."), "{found}");
        let next = sections[4].read_aloud();
        assert!(next.contains("A sleep assessment. Who: Pat Keyworker By when: Friday 15 January 2027"), "{next}");
        assert!(sections[6].read_aloud().contains("You can ask Dee Coordinator to explain them. Phone: 0300 123 4567"));
        // Every section has its own picture.
        let pictures: std::collections::BTreeSet<_> = sections.iter().map(|s| s.picture).collect();
        assert_eq!(pictures.len(), sections.len());
        // Our own sentences are easy read (the panel's and the family's words are theirs).
        for s in &sections {
            s.lines.iter().filter(|l| l.label.is_none()).take(1).for_each(|l| {
                if !content().recommendations.iter().any(|r| r.what == l.words) {
                    assert_easy(&l.words)
                }
            });
        }
    }

    #[test]
    fn a_family_reads_the_easy_read_report_about_their_child() {
        let sections = report(&content(), ReportReader::Family { first_name: "Alex" }, &FamilyPolicy::default());
        assert_eq!(sections[0].lines[0].words, "This is the report from Alex's review meeting.");
        assert_eq!(sections[1].heading, "What Alex told us");
        assert_eq!(sections[2].heading, "What you told us");
        let last = sections.last().map(EasySection::read_aloud).unwrap_or_default();
        assert!(last.contains("ask the people who came to the meeting"), "{last}");
    }

    #[test]
    fn a_report_with_nothing_yet_still_says_what_it_is_and_who_to_ask() {
        let empty = ReportContent {
            meeting: vec![(crate::report::MEETING_DATE.into(), crate::report::DATE_NOT_SET.into())],
            ..content()
        };
        let empty = ReportContent {
            young_person: vec![],
            family: vec![],
            findings: vec![],
            recommendations: vec![],
            actions: vec![],
            ..empty
        };
        let sections = report(&empty, ReportReader::YoungPerson, &FamilyPolicy::default());
        let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings, ["About this report", "If you have questions"]);
        assert!(!sections[0].read_aloud().contains("was on"), "no date is said when none is set");
    }
}
