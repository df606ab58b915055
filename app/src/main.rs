//! The app: every page, the register and sync. Started by the door (`src/bin/dsr-door.rs`) once it is
//! needed, in the same page.

fn main() {
    console_error_panic_hook::set_once();
    dsr_app::session::set_next(dsr_app::session::IN_THE_APP);
    dsr_app::door::remove_static_shell();
    leptos::mount::mount_to_body(dsr_app::App);
}
