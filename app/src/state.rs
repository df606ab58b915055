//! What every page can reach: the device's copy of the register and the sync state.

use chrono::{DateTime, Local};
use dsr_shared::api::PolicyDocument;
use dsr_shared::policy::AreaPolicy;
use leptos::prelude::*;

use crate::local_store::{self, Counts, Lock, PersonRow};

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
    pub people: RwSignal<Vec<PersonRow>, LocalStorage>,
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
}

impl AppState {
    pub fn new() -> Self {
        Self {
            people: RwSignal::new_local(Vec::new()),
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
        }
    }

    /// Refreshes only the people with these ids (after a sync that touched a few of many).
    pub async fn refresh(self, ids: &[dsr_shared::RecordId]) {
        let policy = self.area_policy();
        let role = self.role();
        match local_store::people_with_ids(ids, &policy, role).await {
            Ok(Some((rows, counts))) => {
                let today = chrono::Local::now().date_naive();
                self.people.update(|people| {
                    // Only people's own records changed: their other records are as they were.
                    let rows: Vec<PersonRow> = rows
                        .into_iter()
                        .map(|mut row| {
                            if let Some(before) = people.iter().find(|p| p.id == row.id) {
                                if let (Some(file), Some(old)) = (row.file.as_mut(), before.file.clone()) {
                                    *file = dsr_shared::due::PersonFile { person: file.person.clone(), ..old };
                                }
                                row.visit_notes = before.visit_notes.clone();
                                row.papers = before.papers.clone();
                            }
                            row.with_register(&policy, today, role)
                        })
                        .collect();
                    people.retain(|p| !ids.contains(&p.id));
                    people.extend(rows);
                    people.sort_by_key(PersonRow::sort_key);
                });
                self.counts.set(counts);
            }
            Ok(None) => self.reload().await,
            Err(error) => self.storage_problem.set(Some(error.to_string())),
        }
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
        self.reload().await;
    }

    /// The person with this record id as this device holds them (tracked: pages follow changes).
    pub fn person(self, id: dsr_shared::RecordId) -> Option<PersonRow> {
        self.people.with(|people| people.iter().find(|p| p.id == id).cloned())
    }

    /// After a save on this device: the message for the next page, the list reloaded, a sync asked for.
    pub async fn saved(self, notice: impl Into<String>) {
        self.notice.set(Some(notice.into()));
        self.reload().await;
        crate::sync::request(self);
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

    /// Reloads the list and counts from IndexedDB.
    pub async fn reload(self) {
        match local_store::people(&self.area_policy(), self.role()).await {
            Ok((people, counts, meetings)) => {
                self.people.set(people);
                self.counts.set(counts);
                self.meetings.set(Some(meetings));
                self.storage_problem.set(None);
            }
            Err(error) => self.storage_problem.set(Some(error.to_string())),
        }
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn browser_online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}
