//! "Read this to me": the browser's own speech synthesis (no network: the device's voices), in English
//! (UK) where the device has such a voice (`easy_read::choose_voice`).

use dsr_shared::easy_read::{SPEECH_LANGUAGE, Voice, choose_voice};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

fn synthesis() -> Option<SpeechSynthesis> {
    web_sys::window().and_then(|w| w.speech_synthesis().ok())
}

/// Whether this browser can read aloud (the button is shown only then).
pub fn available() -> bool {
    synthesis().is_some()
}

/// Reads `text` aloud, stopping whatever was being read; `done` runs when it ends or is stopped.
/// False when the browser cannot.
pub fn speak(text: &str, done: impl Fn() + 'static) -> bool {
    let Some(synthesis) = synthesis() else { return false };
    let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(text) else { return false };
    synthesis.cancel();
    utterance.set_lang(SPEECH_LANGUAGE);
    let voices: Vec<SpeechSynthesisVoice> =
        synthesis.get_voices().iter().filter_map(|v| v.dyn_into::<SpeechSynthesisVoice>().ok()).collect();
    let described: Vec<Voice> = voices.iter().map(|v| Voice { lang: v.lang(), on_device: v.local_service() }).collect();
    if let Some(voice) = choose_voice(&described).and_then(|i| voices.get(i)) {
        utterance.set_voice(Some(voice));
    }
    // Ends (or is stopped, or fails): either way the button goes back. Kept for the page's life.
    let ended = Closure::<dyn Fn()>::new(done).into_js_value();
    utterance.set_onend(Some(ended.unchecked_ref()));
    utterance.set_onerror(Some(ended.unchecked_ref()));
    synthesis.speak(&utterance);
    true
}

/// Stops reading.
pub fn stop() {
    if let Some(synthesis) = synthesis() {
        synthesis.cancel();
    }
}
