//! Passwords: argon2id (the crate's defaults: 19 MiB, 2 passes) within a memory budget.
//!
//! Each check needs 19 MiB. Allocated per check, the allocator kept those megabytes per thread and
//! arena: 60 sign-ins, even one after another, left the server at 415 MB. So checks run on a few
//! dedicated threads ([`PasswordWork`]), each reusing one 19 MiB block of memory for every check it
//! does; at most as many checks run as there are threads, and a request that cannot get a turn within
//! [`PasswordWork::WAIT`] is answered 503 with `Retry-After`.

use std::cell::RefCell;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::AppError;

thread_local! {
    /// This thread's argon2 memory, reused by every check it runs.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 with `params` into `out`, on this thread's reused memory.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..count])
    })
}

/// A new argon2id hash of `password` as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), the
/// same as `argon2::PasswordHasher::hash_password` makes.
fn hash_on_this_thread(password: &str) -> Result<String, AppError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Corrupt(format!("cannot hash a password: {e}"));
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| fail(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(Algorithm::Argon2id, Version::V0x13, params.clone(), password.as_bytes(), salt_raw, &mut out)
        .map_err(|e| fail(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| fail(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| fail(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`; with none (an unknown user, an invitation not
/// yet accepted) it does the work of one check anyway, so a wrong username takes as long as a wrong
/// password.
fn check_on_this_thread(stored: Option<&str>, password: &str) -> bool {
    let Some(Ok(hash)) = stored.map(PasswordHash::new) else {
        let _ = hash_on_this_thread(password);
        return false;
    };
    let parts = (
        Algorithm::try_from(hash.algorithm),
        hash.version.map_or(Ok(Version::V0x13), Version::try_from),
        Params::try_from(&hash),
        hash.salt,
        hash.hash,
    );
    let (Ok(algorithm), Ok(version), Ok(params), Some(salt), Some(expected)) = parts else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    if argon2_into(algorithm, version, params, password.as_bytes(), salt_raw, &mut out).is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|got| got == expected)
}

/// Hashes a password off the async threads (administration commands and the demo, one at a time;
/// requests use [`PasswordWork`]).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_on_this_thread(&password))
        .await
        .map_err(|e| AppError::Corrupt(format!("password hashing stopped: {e}")))?
}

/// Password checks within a memory budget (see the module's documentation).
#[derive(Debug, Clone)]
pub struct PasswordWork {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// `None` only when the system could not start the threads: tokio's blocking tasks then (the turns
    /// still bound how many run at once).
    threads: Option<std::sync::Arc<rayon::ThreadPool>>,
    wait: std::time::Duration,
}

impl PasswordWork {
    /// How long a request waits for a turn before being told to come back.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

    /// At most `at_once` checks at a time (at least one), on as many threads.
    pub fn new(at_once: usize) -> Self {
        let at_once = at_once.max(1);
        let threads = rayon::ThreadPoolBuilder::new()
            .num_threads(at_once)
            .thread_name(|i| format!("password-{i}"))
            .build()
            .map_err(|error| tracing::error!(%error, "cannot start the password threads: using blocking tasks"))
            .ok()
            .map(std::sync::Arc::new);
        Self { permits: std::sync::Arc::new(tokio::sync::Semaphore::new(at_once)), threads, wait: Self::WAIT }
    }

    /// One check per processor, between 2 and 4: the budget is then at most 76 MiB.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from).clamp(2, 4))
    }

    /// Waits at most `wait` for a turn.
    pub fn with_wait(mut self, wait: std::time::Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Takes every turn at once, while the permit is held (tests: the server made as busy as it gets).
    pub fn take_every_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let all = u32::try_from(self.permits.available_permits()).ok()?;
        self.permits.clone().try_acquire_many_owned(all).ok()
    }

    /// Runs `work` on a password thread when a turn is free.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let _turn = match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(AppError::Busy { retry_after_secs: 2 }),
        };
        let stopped = || AppError::Corrupt("a password check stopped".into());
        let Some(threads) = &self.threads else {
            return tokio::task::spawn_blocking(work).await.map_err(|_| stopped());
        };
        let (done, answer) = tokio::sync::oneshot::channel();
        threads.spawn(move || {
            // The request may have gone: nobody to tell then.
            let _ = done.send(work());
        });
        answer.await.map_err(|_| stopped())
    }

    /// A new hash of `password`.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_on_this_thread(&password)).await?
    }

    /// Whether `password` matches `stored` (see [`check_on_this_thread`]).
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool, AppError> {
        self.run(move || check_on_this_thread(stored.as_deref(), &password)).await
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[tokio::test]
    async fn a_password_checks_against_its_hash_and_nothing_else() {
        let work = PasswordWork::new(2);
        let hash = work.hash("correct horse battery".into()).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        let check = |stored: Option<String>, password: &str| work.verify(stored, password.into());
        assert_eq!(check(Some(hash.clone()), "correct horse battery").await.ok(), Some(true));
        assert_eq!(check(Some(hash), "correct horse batterY").await.ok(), Some(false));
        assert_eq!(check(None, "anything at all").await.ok(), Some(false));
        assert_eq!(check(Some("not a hash".into()), "anything at all").await.ok(), Some(false));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own() {
        // Made by the crate (as every stored hash before the budget was): checked here.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"a long test password", &salt).map(|h| h.to_string());
        let theirs = theirs.unwrap_or_else(|e| panic!("{e}"));
        assert!(check_on_this_thread(Some(&theirs), "a long test password"));
        assert!(!check_on_this_thread(Some(&theirs), "a long test passworD"));
        // Made here: checked by the crate.
        let ours = hash_on_this_thread("a long test password").unwrap_or_else(|e| panic!("{e}"));
        let parsed = PasswordHash::new(&ours).unwrap_or_else(|e| panic!("{e}"));
        assert!(Argon2::default().verify_password(b"a long test password", &parsed).is_ok());
        // The memory is this thread's, reused: one block set however many checks.
        let before = BLOCKS.with_borrow(|b| b.capacity());
        assert!(check_on_this_thread(Some(&ours), "a long test password"));
        assert_eq!(BLOCKS.with_borrow(|b| b.capacity()), before);
    }
}
