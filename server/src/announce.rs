//! Announcing new changes, so that devices showing something (a DSR meeting under way) pull at once
//! instead of polling: after every commit that adds to an area's change log, or changes who may see
//! what there, the area's listeners are told the newest change number. An announcement carries no
//! record and no name: a device that hears one pulls, and the pull decides what it may see.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::broadcast;

/// How many announcements a slow listener may fall behind before it is told "something changed" once
/// for all it missed.
const BACKLOG: usize = 256;

/// Something changed in an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub area_id: Arc<str>,
    /// The newest change number after the commit (0 when only access changed).
    pub change_seq: u64,
}

/// One per server: every listener subscribes, every commit that changes an area announces.
#[derive(Debug, Clone)]
pub struct Announcer {
    sender: broadcast::Sender<Announcement>,
    /// `true` once the server is stopping: every stream ends, so a graceful shutdown does not wait on them.
    stopping: tokio::sync::watch::Sender<bool>,
    /// The newest change number announced in any area (0 before the first since the server started).
    newest: Arc<AtomicU64>,
}

impl Default for Announcer {
    fn default() -> Self {
        Self::new()
    }
}

impl Announcer {
    pub fn new() -> Self {
        Announcer {
            sender: broadcast::channel(BACKLOG).0,
            stopping: tokio::sync::watch::channel(false).0,
            newest: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Tells every listener that `area_id` changed (nobody listening is not an error).
    pub fn announce(&self, area_id: &str, change_seq: u64) {
        self.newest.fetch_max(change_seq, Ordering::Relaxed);
        let _nobody_listening = self.sender.send(Announcement { area_id: area_id.into(), change_seq });
    }

    /// The newest change number announced since the server started, in any area: a hint only (a
    /// change may be committed and not yet announced, or never announced), for skipping work that is
    /// useless when there are changes.
    pub fn newest(&self) -> u64 {
        self.newest.load(Ordering::Relaxed)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Announcement> {
        self.sender.subscribe()
    }

    /// Ends every stream (the server is stopping).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Completes when the server starts stopping.
    pub fn stopping(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut stopping = self.stopping.subscribe();
        async move {
            // An error means the sender is gone: the server is gone too.
            let _ = stopping.wait_for(|stop| *stop).await;
        }
    }
}
