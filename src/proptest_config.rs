//! One configuration for every property test: an explicit number of cases per property (so the whole set
//! stays within its time budget), and failing cases saved where git never sees them.

use proptest::test_runner::{Config, FileFailurePersistence};

/// Failing seeds are saved here and replayed first by the next run. Under `target/` (git-ignored), not
/// beside the sources: proptest prints the seed (`cc <hex>`) and the shrunk input when a property fails,
/// which is what to copy into a report or a regression test.
const REGRESSIONS: &str = "target/proptest-regressions.txt";

/// `cases` random cases, failures persisted in [`REGRESSIONS`].
pub fn with_cases(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..Config::default()
    }
}
