//! What every page can reach: the device's copy of the register and the sync state.

use std::cell::Cell;
use std::sync::Arc;

use chrono::{DateTime, Local};
use dsr_shared::api::PolicyDocument;
use dsr_shared::policy::AreaPolicy;
use leptos::prelude::*;

use crate::local_store::{self, Lock, Writes};
use crate::read_model::{Counts, DeviceCopy, PeopleRows, PersonRow};

/// Rows waiting to be built again after writes (see [`AppState::written`]).
#[derive(Default)]
struct Pending {
    people: std::collections::BTreeSet<dsr_shared::PersonId>,
    meetings: bool,
    all: bool,
    scheduled: bool,
}

/// From this many people touched, building their rows waits for a pause (see [`AppState::written`]).
const MANY_ROWS: usize = 50;
/// The shortest pause between two builds of many rows (ms), and how many times the last build's cost
/// the pause is at least: the register's upkeep takes at most a fifth of the page's time during a long
/// first sync, however long the register has grown.
const MANY_ROWS_PAUSE: f64 = 150.0;
const MANY_ROWS_COST_TIMES: f64 = 4.0;

thread_local! {
    static PENDING: std::cell::RefCell<Pending> = std::cell::RefCell::new(Pending::default());
    /// When rows were last built again and redrawn (page time, ms).
    static LAST_ROWS: Cell<f64> = const { Cell::new(f64::NEG_INFINITY) };
    /// How long that took, the redraw it caused included (ms).
    static LAST_COST: Cell<f64> = const { Cell::new(0.0) };
    /// Many rows are being built, a step at a time.
    static BUILDING: Cell<bool> = const { Cell::new(false) };
    /// How many times every row was built again (a build of many started before is then out of date).
    static REBUILDS: Cell<u64> = const { Cell::new(0) };
}

/// A step of a build of many rows ends once it has taken this long (ms), so a draft's write waits at
/// most about this long behind it, however fast the device (the browser runs the app's code slowly at
/// first, until it has optimised it: a fixed count of rows took 20 ms then, 1 ms later).
const STEP_MS: f64 = 3.0;
/// Rows built between two looks at the clock within a step.
const ROWS_A_LOOK: usize = 16;

/// Who is using this device, and whether their data is open.
#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    /// Reading the device's storage.
    Starting,
    /// Nobody's data is on this device: sign in (or accept an invitation).
    SignedOut,
    /// Someone's data is here, locked: their password opens it (works offline).
    Locked(Lock),
    /// Open for this user.
    Open(Lock),
}

impl Session {
    pub fn user(&self) -> Option<&Lock> {
        match self {
            Session::Open(lock) => Some(lock),
            _ => None,
        }
    }
}

/// Whether this device can reach the server, as far as it knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// The browser says it is online and the last exchange with the server worked (or none yet).
    Online,
    /// The browser says it has no network.
    Offline,
    /// The browser has a network but the server did not answer.
    ServerUnreachable,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyncState {
    pub connection: Connection,
    pub running: bool,
    pub last_sync: Option<DateTime<Local>>,
    /// Changes received so far in the sync that is running (shown during a long first sync).
    pub received: Option<usize>,
    /// Why the last attempt failed, in plain words.
    pub problem: Option<String>,
}

/// Shared through context; every field is a signal, so the whole thing is `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    /// Everyone's row, in the register's order, and its last changes; shared, so a page or a redraw
    /// copies a pointer, not a row.
    pub people: RwSignal<PeopleRows, LocalStorage>,
    pub counts: RwSignal<Counts>,
    pub sync: RwSignal<SyncState>,
    /// The server is running with fictional demo data.
    pub demo: RwSignal<bool>,
    /// A message for the next page shown ("Alex Example was saved on this device").
    pub notice: RwSignal<Option<String>>,
    /// Problems reading this device's storage.
    pub storage_problem: RwSignal<Option<String>>,
    /// The browser refused persistent storage: it may clear saved data when space runs low.
    pub storage_not_persistent: RwSignal<bool>,
    pub session: RwSignal<Session>,
    /// The server wants the user to sign in again before it takes or gives changes (nothing is lost).
    pub needs_sign_in: RwSignal<bool>,
    /// The area's policy as this device last fetched it (the handbook's defaults before the first sync).
    pub policy: RwSignal<PolicyDocument>,
    /// The area's DSR meetings on this device (a coordinator's), earliest first; `None` until read.
    pub meetings: RwSignal<Option<Vec<dsr_shared::meeting::DsrMeeting>>>,
    /// The device's copy, opened, in memory: read from storage once, then following every write.
    pub copy: StoredValue<DeviceCopy, LocalStorage>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            people: RwSignal::new_local(PeopleRows::default()),
            counts: RwSignal::new(Counts::default()),
            sync: RwSignal::new(SyncState {
                connection: if browser_online() { Connection::Online } else { Connection::Offline },
                running: false,
                last_sync: None,
                received: None,
                problem: None,
            }),
            demo: RwSignal::new(false),
            notice: RwSignal::new(None),
            storage_problem: RwSignal::new(None),
            storage_not_persistent: RwSignal::new(false),
            session: RwSignal::new(Session::Starting),
            needs_sign_in: RwSignal::new(false),
            policy: RwSignal::new(PolicyDocument {
                version: 0,
                policy: AreaPolicy::default(),
                changed_at: None,
                changed_by: None,
            }),
            meetings: RwSignal::new(None),
            copy: StoredValue::new_local(DeviceCopy::default()),
        }
    }

    /// Follows every write to this device's storage: the copy in memory takes it and the rows of the
    /// people it touched are built again (a save or a pulled page shows without reading storage). When
    /// another tab writes, this one reads storage again.
    pub fn follow_storage(self) {
        local_store::on_written(move |writes| self.written(writes));
        // Another tab's initial sync writes many times a second: one read after it pauses.
        let pending = StoredValue::new_local(None::<gloo_timers::callback::Timeout>);
        local_store::on_other_tab(move || {
            let later = gloo_timers::callback::Timeout::new(300, move || {
                leptos::task::spawn_local(async move { self.reload().await });
            });
            pending.set_value(Some(later));
        });
    }

    /// A committed write, applied to the copy in memory at once; the rows it touched are built again
    /// right after (a few rows) or, when a write touched many people, after a pause since the last
    /// build (150 ms, or four times what that build and its redraw took when longer) with whatever
    /// else came meanwhile: a first sync writing a part every few milliseconds redraws the register a
    /// few times a second, not forty, and a register of 100,000 less often still.
    pub fn written(self, writes: Writes) {
        let started = crate::timing::now();
        let touched = self.copy.try_update_value(|copy| copy.apply(writes)).unwrap_or_default();
        let counts = self.copy.with_value(DeviceCopy::counts);
        if self.counts.get_untracked() != counts {
            self.counts.set(counts);
        }
        let (schedule, many) = PENDING.with(|p| {
            let mut p = p.borrow_mut();
            p.people.extend(touched.people);
            p.meetings |= touched.meetings;
            p.all |= touched.all;
            (!std::mem::replace(&mut p.scheduled, true), p.all || p.people.len() >= MANY_ROWS)
        });
        if schedule {
            // A few rows are built at once; many (a part of a first sync) after the pause.
            let since = crate::timing::now() - LAST_ROWS.with(Cell::get);
            let pause = MANY_ROWS_PAUSE.max(MANY_ROWS_COST_TIMES * LAST_COST.with(Cell::get));
            let wait = if !many || since > pause { 0 } else { (pause - since).ceil() as u32 };
            gloo_timers::callback::Timeout::new(wait, move || self.rows_touched()).forget();
        }
        crate::timing::record("dsr-written", started);
    }

    /// Builds the rows waiting for a pause now (the last page of a pull is stored: nothing more is
    /// coming to wait for).
    pub fn rows_now(self) {
        if PENDING.with(|p| p.borrow().scheduled) {
            self.rows_touched();
        }
    }

    /// Builds again the rows the writes since the last time touched.
    fn rows_touched(self) {
        // Many rows wait while a draft or a save is being written (a person is waiting for that).
        let many = PENDING.with(|p| {
            let p = p.borrow();
            p.all || p.people.len() >= MANY_ROWS
        });
        if (many && local_store::foreground::busy()) || BUILDING.with(Cell::get) {
            gloo_timers::callback::Timeout::new(4, move || self.rows_touched()).forget();
            return;
        }
        let started = crate::timing::now();
        let touched = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
        if !touched.all && touched.people.is_empty() && !touched.meetings {
            // Built already (by rows_now).
            return;
        }
        if touched.all {
            self.rebuild();
        } else if touched.people.len() >= MANY_ROWS {
            // Many rows (a part of a first sync) are built a step at a time, so no one task is long,
            // then shown together; writes meanwhile wait for the next build.
            BUILDING.with(|b| b.set(true));
            let rebuilds = REBUILDS.with(Cell::get);
            leptos::task::spawn_local(async move {
                let people: Vec<dsr_shared::PersonId> = touched.people.iter().copied().collect();
                let mut fresh: Vec<Arc<PersonRow>> = Vec::with_capacity(people.len());
                // The time the steps took (not the time between them, when other work ran).
                let mut spent = 0.0;
                let built_with = (self.area_policy(), self.role(), today());
                let mut left = people.as_slice();
                while !left.is_empty() {
                    local_store::foreground::give_way().await;
                    let step_started = crate::timing::now();
                    loop {
                        let (some, rest) = left.split_at(ROWS_A_LOOK.min(left.len()));
                        self.add_rows(some, &built_with, &mut fresh);
                        left = rest;
                        if left.is_empty() || crate::timing::now() - step_started >= STEP_MS {
                            break;
                        }
                    }
                    crate::timing::record("dsr-rows-step", step_started);
                    spent += crate::timing::now() - step_started;
                    local_store::foreground::next_task().await;
                }
                let shown = crate::timing::now();
                // Every row built again meanwhile (another tab wrote: the copy was read again), some
                // from a newer copy than these: they are not shown.
                if REBUILDS.with(Cell::get) == rebuilds {
                    self.show_rows(&touched, fresh);
                    crate::timing::record("dsr-rows-show", shown);
                    self.rows_built(started, shown - spent);
                }
                BUILDING.with(|b| b.set(false));
            });
            return;
        } else {
            let people: Vec<dsr_shared::PersonId> = touched.people.iter().copied().collect();
            let fresh = self.fresh_rows(&people);
            self.show_rows(&touched, fresh);
        }
        self.rows_built(started, started);
    }

    /// The rows of `people` built from the copy in memory (none for someone it no longer holds).
    fn fresh_rows(self, people: &[dsr_shared::PersonId]) -> Vec<Arc<PersonRow>> {
        let mut rows = Vec::with_capacity(people.len());
        self.add_rows(people, &(self.area_policy(), self.role(), today()), &mut rows);
        rows
    }

    /// Adds the rows of `people` to `rows`, built with this (policy, role, today).
    fn add_rows(
        self,
        people: &[dsr_shared::PersonId],
        (policy, role, today): &(AreaPolicy, Option<dsr_shared::access::Role>, chrono::NaiveDate),
        rows: &mut Vec<Arc<PersonRow>>,
    ) {
        self.copy.with_value(|copy| {
            rows.extend(people.iter().filter_map(|p| copy.row(*p, policy, *today, *role)).map(Arc::new))
        });
    }

    /// Shows rows built again: they replace the touched people's rows, and the meetings are read again
    /// when a write touched them.
    fn show_rows(self, touched: &Pending, fresh: Vec<Arc<PersonRow>>) {
        self.people.update(|rows| rows.replace(&touched.people, fresh));
        if touched.meetings {
            self.meetings.set(Some(self.copy.with_value(DeviceCopy::meetings)));
        }
    }

    /// Times a build of rows (from `started`; its cost counted from `counted_from`, later when the
    /// build waited between steps) once the redraw it caused has run (the page's effects run before the
    /// next task): the pause before the next build of many follows its cost.
    fn rows_built(self, started: f64, counted_from: f64) {
        gloo_timers::callback::Timeout::new(0, move || {
            let now = crate::timing::now();
            LAST_ROWS.with(|l| l.set(now));
            LAST_COST.with(|c| c.set(now - counted_from));
            crate::timing::record("dsr-list-reload", started);
        })
        .forget();
    }

    /// Builds every row again from the copy in memory (the policy changed, or everything did).
    pub fn rebuild(self) {
        REBUILDS.with(|r| r.set(r.get() + 1));
        let policy = self.area_policy();
        let (role, today) = (self.role(), today());
        let (rows, counts, meetings) =
            self.copy.with_value(|copy| (copy.rows(&policy, today, role), copy.counts(), copy.meetings()));
        self.people.update(|people| people.reset(rows));
        self.counts.set(counts);
        self.meetings.set(Some(meetings));
    }

    /// The area's policy, untracked (for work done once: a reload, a save).
    pub fn area_policy(self) -> AreaPolicy {
        self.policy.with_untracked(|d| d.policy.clone())
    }

    /// Uses the policy this device keeps (at start) or the server just sent; the list follows it.
    pub async fn use_policy(self, document: PolicyDocument) {
        if self.policy.with_untracked(|d| *d == document) {
            return;
        }
        self.policy.set(document);
        self.rebuild();
    }

    /// The person with this record id as this device holds them (tracked: pages follow changes).
    pub fn person(self, id: dsr_shared::RecordId) -> Option<PersonRow> {
        self.people.with(|people| people.get(id).map(|p| PersonRow::clone(p)))
    }

    /// After a save on this device (already shown: the copy in memory follows every write): the message
    /// for the next page, and a sync asked for as soon as that page is painted (another tablet in the
    /// same meeting is waiting for it; the person who saved, for the page, first).
    pub async fn saved(self, notice: impl Into<String>) {
        self.notice.set(Some(notice.into()));
        // After the next paint; or in 100 ms when no frame comes (a hidden tab paints none).
        let asked = std::rc::Rc::new(Cell::new(false));
        let ask = move |asked: std::rc::Rc<Cell<bool>>| {
            if !asked.replace(true) {
                crate::sync::request(self);
            }
        };
        let after_paint = asked.clone();
        request_animation_frame(move || set_timeout(move || ask(after_paint), std::time::Duration::ZERO));
        set_timeout(move || ask(asked), std::time::Duration::from_millis(100));
    }

    /// Notes that a person's record was opened on `screen`, for the audit trail (kept on the device,
    /// even offline, and sent by the sync loop).
    pub fn record_read(self, id: dsr_shared::RecordId, screen: dsr_shared::accounts::Screen) {
        self.record_reads(vec![dsr_shared::PersonId::from_uuid(id.as_uuid())], screen);
    }

    /// Records for the audit trail that `people` were read here on `screen` (everyone on an agenda).
    pub fn record_reads(self, people: Vec<dsr_shared::PersonId>, screen: dsr_shared::accounts::Screen) {
        if people.is_empty() {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Err(error) = local_store::record_views(&people, screen).await {
                self.storage_problem.set(Some(error.to_string()));
            }
        });
    }

    /// The signed-in user's role (untracked).
    pub fn role(self) -> Option<dsr_shared::access::Role> {
        self.session.with_untracked(|s| s.user().map(|u| u.role))
    }

    /// Reads everything from this device's storage into memory and builds every row (when the data is
    /// opened, and when another tab wrote).
    pub async fn reload(self) {
        let started = crate::timing::now();
        match local_store::load_all().await {
            Ok(store) => {
                self.copy.set_value(DeviceCopy::new(store));
                self.rebuild();
                self.storage_problem.set(None);
            }
            Err(error) => self.storage_problem.set(Some(error.to_string())),
        }
        crate::timing::record("dsr-list-reload", started);
    }
}

/// Today, on this device's clock.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn browser_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}
