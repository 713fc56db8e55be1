//! Native benches of the password KDFs: `cargo bench --bench kdf`.
//!
//! The same functions `scripts/bench.sh` measures in V8: our PBKDF2-HMAC-SHA256, the `pbkdf2` crate's, and
//! the bound both are held to — SHA-256's single-block compression rate divided by 2 (a PBKDF2 iteration
//! is two compressions). Throughput is printed as elements/s: PBKDF2 iterations, or compressions for the
//! bound. Plus one Argon2id hash at OWASP parameters for scale.
//!
//! Native numbers use SHA-NI where the CPU has it, so they show the physical limit, not Workers speed.

#![allow(clippy::unwrap_used)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use edge_auth::password::{Algorithm, Hasher, pbkdf2_hmac_sha256};
use sha2::Sha256;
use sha2::block_api::compress256;
use std::hint::black_box;

const PASSWORD: &[u8] = b"correct horse battery staple";
const SALT: &[u8] = b"edge-auth-salt16";
const ITERATIONS: u32 = 100_000;

fn pbkdf2(c: &mut Criterion) {
    let mut group = c.benchmark_group("pbkdf2-hmac-sha256");
    group.throughput(Throughput::Elements(u64::from(ITERATIONS)));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("ours", ITERATIONS), |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            pbkdf2_hmac_sha256(black_box(PASSWORD), black_box(SALT), ITERATIONS, &mut out);
            out
        });
    });
    group.bench_function(BenchmarkId::new("pbkdf2-crate", ITERATIONS), |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(
                black_box(PASSWORD),
                black_box(SALT),
                ITERATIONS,
                &mut out,
            );
            out
        });
    });
    group.finish();
}

fn compression_bound(c: &mut Criterion) {
    const BLOCKS: u64 = 2 * ITERATIONS as u64;
    let mut group = c.benchmark_group("sha256-compress");
    group.throughput(Throughput::Elements(BLOCKS));
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("single-block", BLOCKS), |b| {
        b.iter(|| {
            let mut state = [0x6a09_e667u32; 8];
            let block = black_box([0x5au8; 64]);
            for _ in 0..BLOCKS {
                compress256(&mut state, core::slice::from_ref(&block));
            }
            state
        });
    });
    group.finish();
}

fn argon2id(c: &mut Criterion) {
    let hasher =
        Hasher::with_algorithm(Algorithm::Argon2id, 1_000, None).expect("argon2id feature");
    let mut group = c.benchmark_group("argon2id");
    group.sample_size(10);
    group.bench_function("owasp-m19456-t2-p1", |b| {
        b.iter(|| hasher.hash(black_box("correct horse battery staple")));
    });
    group.finish();
}

criterion_group!(benches, pbkdf2, compression_bound, argon2id);
criterion_main!(benches);
