//! The door: the signed-out pages, what a first visit downloads; it loads the rest of the app when
//! it is needed (see `dsr_app::door`).

fn main() {
    console_error_panic_hook::set_once();
    dsr_app::session::set_next(dsr_app::door::IN_THE_DOOR);
    // The page's static "Opening…" shell gives way to the door's own view.
    dsr_app::door::remove_static_shell();
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
    // Kept, so the door can leave the page to the app (dropping it unmounts the door's view).
    let mounted = leptos::mount::mount_to(body, dsr_app::door::Door);
    dsr_app::door::keep_mounted(Box::new(mounted));
}
