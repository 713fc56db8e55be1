//! Known vs unknown emails after a work-factor change, side by side: `cargo bench --bench cost_change`.
//!
//! Users registered at 20,000 PBKDF2 iterations, then the work factor raised to 400,000 (the stored
//! hashes keep 20,000 until each user's next login). A wrong-password sign-in of a known email costs its
//! stored hash; an unknown email costs what `meta:hash-costs` draws for it — or, with no tally (as
//! before it existed), today's 400,000. Wall time of the whole `authenticate` over a memory store,
//! native (SHA-NI where the CPU has it: about 3x V8's speed, same proportions). A table, not a test.

use edge_auth::model::AuthenticationInput;
use edge_auth::password::Hasher;
use edge_auth::ports::clock::SystemClock;
use edge_auth::providers::emailpass::{EMAILPASS, EmailPass};
use edge_auth::service::AuthModuleService;
use edge_auth::store::{KvStore, MemoryStore, keys};
use futures::executor::block_on;
use std::rc::Rc;
use std::time::Instant;

const OLD: u32 = 20_000;
const NEW: u32 = 400_000;
const SAMPLES: usize = 40;

fn service(store: &Rc<MemoryStore>, iterations: u32) -> AuthModuleService {
    let hasher = Rc::new(Hasher::new(iterations, None).expect("valid work factor"));
    AuthModuleService::new(store.clone(), Rc::new(SystemClock))
        .with_provider(Rc::new(EmailPass::new(hasher).with_draw_key([9; 32])))
}

fn input(email: &str, password: &str) -> AuthenticationInput {
    let body = serde_json::json!({ "email": email, "password": password });
    AuthenticationInput {
        body: body.as_object().cloned().expect("an object"),
        ..AuthenticationInput::default()
    }
}

/// Milliseconds of one wrong-password sign-in per email.
fn times(svc: &AuthModuleService, emails: &[String]) -> Vec<f64> {
    emails.iter().map(|email| time(svc, email)).collect()
}

fn time(svc: &AuthModuleService, email: &str) -> f64 {
    let started = Instant::now();
    let r = block_on(svc.authenticate(EMAILPASS, &input(email, "wrong horse!")));
    assert!(!r.success);
    started.elapsed().as_secs_f64() * 1000.0
}

/// Both lists timed alternately, so a busy moment of the machine falls on both alike.
fn paired(svc: &AuthModuleService, a: &[String], b: &[String]) -> (Vec<f64>, Vec<f64>) {
    a.iter()
        .zip(b)
        .map(|(x, y)| (time(svc, x), time(svc, y)))
        .unzip()
}

fn row(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    let (min, max) = (ms[0], ms[ms.len() - 1]);
    println!(
        "| {label} | {} | {median:.1} | {min:.1} | {max:.1} |",
        ms.len()
    );
}

fn emails(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}@example.com")).collect()
}

fn main() {
    let store = Rc::new(MemoryStore::new());
    let before = service(&store, OLD);
    let known = emails("user", SAMPLES);
    for email in &known {
        let r = block_on(before.register(EMAILPASS, &input(email, "correct horse")));
        assert!(r.success);
    }
    let after = service(&store, NEW);
    let unknown = emails("nobody", SAMPLES);

    println!(
        "PBKDF2 {OLD} -> {NEW} iterations; {SAMPLES} users, all stored at {OLD}; wrong-password sign-ins"
    );
    println!();
    println!("| emails | n | median ms | min ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    let (known_ms, unknown_ms) = paired(&after, &known, &unknown);
    row("known (stored at 20k)", known_ms);
    row("unknown, tally in use", unknown_ms);
    let tally = block_on(store.get(keys::HASH_COSTS)).expect("memory store");
    block_on(store.delete(keys::HASH_COSTS)).expect("memory store");
    row("unknown, no tally (as before)", times(&after, &unknown));
    if let Some(tally) = tally {
        block_on(store.put(keys::HASH_COSTS, &tally, None)).expect("memory store");
    }

    // A mixed population: a quarter of the users have signed in since and carry the new cost.
    for email in known.iter().take(SAMPLES / 4) {
        let r = block_on(after.authenticate(EMAILPASS, &input(email, "correct horse")));
        assert!(r.success);
    }
    let threshold = {
        // Halfway between the two costs, in ms, from one of each.
        let old = times(&after, &known[SAMPLES / 4..SAMPLES / 4 + 1])[0];
        let new = times(&after, &known[..1])[0];
        (old + new) / 2.0
    };
    let slow = |ms: &[f64]| ms.iter().filter(|t| **t > threshold).count();
    let known_ms = times(&after, &known);
    let unknown_ms = times(&after, &emails("stranger", 4 * SAMPLES));
    println!();
    println!(
        "Mixed: {} of {SAMPLES} users re-hashed at {NEW} (a sign-in slower than {threshold:.1} ms counts as {NEW})",
        SAMPLES / 4
    );
    println!();
    println!("| emails | n | at {NEW} | share |");
    println!("|---|---:|---:|---:|");
    for (label, ms) in [("known", &known_ms), ("unknown", &unknown_ms)] {
        let n = slow(ms);
        println!(
            "| {label} | {} | {n} | {:.0} % |",
            ms.len(),
            100.0 * n as f64 / ms.len() as f64
        );
    }
}
