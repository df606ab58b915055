//! Writes a person is waiting for first: while a draft or a save is being written, the sync's heavy
//! background work (parsing a large pulled page, sealing and writing its parts, building many rows)
//! gives way at its next step, so a keystroke's draft is not queued behind a first sync of 10,000
//! records. Small syncs (another tablet's decision in a meeting) never wait: they are what someone is
//! waiting for on this tablet.

use std::cell::Cell;

thread_local! {
    /// Writes a person is waiting for, under way.
    static UNDER_WAY: Cell<u32> = const { Cell::new(0) };
    /// A task that does nothing, for [`next_task`].
    static NOTHING: wasm_bindgen::closure::Closure<dyn Fn()> = wasm_bindgen::closure::Closure::new(|| {});
}

/// A write a person is waiting for, under way until dropped.
pub struct Foreground(());

/// Marks a write a person is waiting for as under way (until the value is dropped).
pub fn foreground() -> Foreground {
    UNDER_WAY.with(|n| n.set(n.get() + 1));
    Foreground(())
}

impl Drop for Foreground {
    fn drop(&mut self) {
        UNDER_WAY.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// Whether such a write is under way.
pub fn busy() -> bool {
    UNDER_WAY.with(Cell::get) > 0
}

/// Heavy background work's step: waits while a write a person is waiting for is under way (at most
/// 50 ms: background work is slowed, never stopped, however fast someone types).
pub async fn give_way() {
    let mut waited = 0;
    while busy() && waited < 50 {
        gloo_timers::future::TimeoutFuture::new(2).await;
        waited += 2;
    }
}

/// Lets the browser run what waits (a keystroke, a paint, a draft's write) before background work's
/// next step: the step is a new task (`scheduler.postTask`, at the normal priority, where the browser
/// has it; otherwise a zero timer), queued behind every task already waiting. Not `scheduler.yield()`:
/// its continuation runs ahead of tasks already waiting, a draft's write among them, so steps ran back
/// to back for 20 ms and more. Nor the background priority: anything busy at the normal priority
/// (another tab's work, a page that keeps posting tasks) would starve the sync.
pub async fn next_task() {
    use wasm_bindgen::JsCast;
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into()).ok().filter(|s| s.is_object());
    let promise = scheduler.and_then(|scheduler| {
        let post = js_sys::Reflect::get(&scheduler, &"postTask".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"priority".into(), &"user-visible".into()).ok()?;
        // The task itself does nothing: the step follows it (a closure, as the content security policy
        // refuses functions made from text).
        let nothing = NOTHING.with(|n| n.as_ref().unchecked_ref::<js_sys::Function>().clone());
        post.call2(&scheduler, &nothing, &options).ok()?.dyn_into::<js_sys::Promise>().ok()
    });
    match promise {
        Some(promise) => {
            wasm_bindgen_futures::JsFuture::from(promise).await.ok();
        }
        None => gloo_timers::future::TimeoutFuture::new(0).await,
    }
}
