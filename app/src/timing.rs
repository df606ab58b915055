//! User Timing measures (`performance.measure`) around the app's own work, so the benchmarks and
//! the browser's performance tools can see how long it takes.

use wasm_bindgen::JsCast;

/// Milliseconds since the page started.
pub fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or(0.0)
}

/// Records `name` as having run from `started` until now.
pub fn record(name: &str, started: f64) {
    record_between(name, started, now());
}

/// Records `name` as having run from `start` to `end` (milliseconds since the page started).
pub fn record_between(name: &str, start: f64, end: f64) {
    record_detailed(name, start, end, None);
}

/// [`record_between`], saying where it ran (the measure's `detail`), for the tests and profile tools.
pub fn record_detailed(name: &str, start: f64, end: f64, detail: Option<&str>) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else { return };
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"start".into(), &start.into()).ok();
    js_sys::Reflect::set(&options, &"end".into(), &end.into()).ok();
    if let Some(detail) = detail {
        js_sys::Reflect::set(&options, &"detail".into(), &detail.into()).ok();
    }
    if let Some(measure) =
        js_sys::Reflect::get(&performance, &"measure".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        measure.call2(&performance, &name.into(), &options).ok();
    }
}
