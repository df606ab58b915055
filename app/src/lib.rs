//! The Dynamic Support Register's browser app: Leptos, client-side rendered to WebAssembly.
//! Works against its own IndexedDB first; the sync loop exchanges changes with the server.

pub mod api;
pub mod app;
pub mod components;
pub mod crypto;
pub mod door;
pub mod element_ids;
pub mod install;
pub mod local_store;
pub mod pages;
pub mod read_model;
pub mod record_forms;
pub mod session;
pub mod speech;
pub mod state;
pub mod sync;
pub mod timing;

pub use app::App;
