//! What every page can reach: the device's copy of the register and the sync state.

use chrono::{DateTime, Local};
use leptos::prelude::*;

use crate::local_store::{self, StoredPerson};

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
    /// Why the last attempt failed, in plain words.
    pub problem: Option<String>,
}

/// Shared through context; every field is a signal, so the whole thing is `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct AppState {
    pub people: RwSignal<Vec<StoredPerson>>,
    pub sync: RwSignal<SyncState>,
    /// The server is running with fictional demo data.
    pub demo: RwSignal<bool>,
    /// A message for the next page shown ("Alex Example was saved on this device").
    pub notice: RwSignal<Option<String>>,
    /// Problems reading this device's storage.
    pub storage_problem: RwSignal<Option<String>>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            people: RwSignal::new(Vec::new()),
            sync: RwSignal::new(SyncState {
                connection: if browser_online() { Connection::Online } else { Connection::Offline },
                running: false,
                last_sync: None,
                problem: None,
            }),
            demo: RwSignal::new(false),
            notice: RwSignal::new(None),
            storage_problem: RwSignal::new(None),
        }
    }

    /// Reloads the list from IndexedDB.
    pub async fn reload_people(self) {
        match local_store::all_people().await {
            Ok(people) => {
                self.people.set(people);
                self.storage_problem.set(None);
            }
            Err(error) => self.storage_problem.set(Some(error.to_string())),
        }
    }

    /// People saved on this device that the server does not have yet.
    pub fn unsent_count(&self) -> Memo<usize> {
        let people = self.people;
        Memo::new(move |_| people.with(|p| p.iter().filter(|p| !p.on_server).count()))
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
