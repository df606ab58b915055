//! The hazard log (`docs/clinical-safety/hazard-log.md`) cannot rot: every test it names as proof of a
//! control must exist in the workspace, every hazard must have at least one tested control, and the
//! rules table in `shared/src/lib.rs` may only point at hazards the log has (and every rule at one).

#![allow(clippy::panic, reason = "a failed check fails the test with a message")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `fn name` in the Rust files under the workspace's crates.
fn functions() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs: Vec<PathBuf> = ["shared", "server", "app", "tests"].iter().map(|d| root().join(d)).collect();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() && name != "target" && name != "node_modules" {
                dirs.push(path);
            } else if name.ends_with(".rs") {
                let text = read(&path);
                for part in text.split("fn ").skip(1) {
                    let name: String = part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            }
        }
    }
    found
}

/// `H1`, `H12`: a hazard's id.
fn is_hazard_id(text: &str) -> bool {
    text.strip_prefix('H').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn cells(line: &str) -> Vec<String> {
    line.trim().trim_matches('|').split('|').map(|c| c.trim().to_string()).collect()
}

fn backticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// Each hazard section (`## H1: ...`) with the tests named in its tables' "proved by" column.
fn proofs(log: &str) -> BTreeMap<String, Vec<String>> {
    let mut hazards: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut hazard: Option<String> = None;
    let mut column: Option<usize> = None;
    for line in log.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            hazard = heading.split(':').next().filter(|id| is_hazard_id(id)).map(str::to_string);
            if let Some(id) = &hazard {
                hazards.entry(id.clone()).or_default();
            }
            column = None;
        } else if line.trim_start().starts_with('|') {
            let row = cells(line);
            if let Some(i) = row.iter().position(|c| c.eq_ignore_ascii_case("proved by")) {
                column = Some(i);
            } else if let (Some(i), Some(id)) = (column, &hazard)
                && let Some(cell) = row.get(i).filter(|c| !c.starts_with("---"))
            {
                hazards.entry(id.clone()).or_default().extend(backticked(cell));
            }
        } else if line.trim().is_empty() {
            column = None;
        }
    }
    hazards
}

#[test]
fn every_test_the_hazard_log_names_exists_and_every_hazard_has_one() {
    let log = read(&root().join("docs/clinical-safety/hazard-log.md"));
    let hazards = proofs(&log);
    assert!(hazards.len() >= 11, "the log names fewer hazards than the issue lists: {:?}", hazards.keys());
    let functions = functions();
    let mut missing = Vec::new();
    for (hazard, tests) in &hazards {
        assert!(!tests.is_empty(), "{hazard} has no control proved by a test");
        for test in tests {
            if !functions.contains(test) {
                missing.push(format!("{hazard}: {test}"));
            }
        }
    }
    assert!(missing.is_empty(), "the hazard log names tests that do not exist:\n{}", missing.join("\n"));
    // The summary lists exactly the hazards that have sections.
    let summary: BTreeSet<String> = log
        .lines()
        .filter(|l| l.starts_with("| H"))
        .filter_map(|l| cells(l).first().cloned())
        .filter(|id| is_hazard_id(id))
        .collect();
    assert_eq!(summary, hazards.keys().cloned().collect::<BTreeSet<_>>(), "summary and sections differ");
}

#[test]
fn the_rules_table_points_at_hazards_the_log_has() {
    let log = read(&root().join("docs/clinical-safety/hazard-log.md"));
    let known: BTreeSet<String> = proofs(&log).into_keys().collect();
    let lib = read(&root().join("shared/src/lib.rs"));
    let rows: Vec<Vec<String>> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! |"))
        .map(|l| cells(&format!("|{l}")))
        .filter(|row| !row.first().is_some_and(|c| c.starts_with("---") || c == "rule"))
        .collect();
    assert!(rows.len() >= 20, "the rules table has {} rows", rows.len());
    for row in rows {
        let hazards = row.last().cloned().unwrap_or_default();
        let named: Vec<&str> = hazards.split(',').map(str::trim).filter(|h| !h.is_empty()).collect();
        assert!(!named.is_empty(), "rule without a hazard: {row:?}");
        for h in named {
            assert!(known.contains(h), "the rules table names {h}, which the hazard log does not have: {row:?}");
        }
    }
}
