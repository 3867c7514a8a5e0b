//! insta snapshots stored in the case folder (`<case>/<name>.snap`).
//!
//! insta reports a mismatch by panicking; the harness catches that and turns it into a failed
//! stage, so one bad case does not stop the run. `INSTA_UPDATE=always` (set by `--update`)
//! accepts new snapshots; on CI (`CI` set) nothing is written and a mismatch fails.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Compares `text` with the snapshot `name` of the case in `case_dir`.
pub fn check(case_dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case_dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let result = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name, text));
    }));
    result.map_err(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "snapshot assertion failed".to_owned());
        format!("snapshot `{name}` does not match (run `cargo xtask conform --update` to accept): {why}")
    })
}
