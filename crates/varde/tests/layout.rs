//! The shape of the code, checked: no source file over 800 lines, and the map (`ARCHITECTURE.md`,
//! `README.md`) names only paths and modules that exist. `.ci/run` checks the line limit too,
//! before it builds anything.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// The most lines a source file under `crates/*/src` may have.
const MAX_LINES: usize = 800;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_is_over_the_limit() {
    let root = root();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(files.len() > 50, "found only {} source files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES)
                .then(|| format!("{} ({n} lines)", f.strip_prefix(&root).unwrap().display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "source files over {MAX_LINES} lines (split them along what changes together): {long:?}"
    );
}

/// The `code` spans of a Markdown text.
fn code_spans(text: &str) -> Vec<&str> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else { break };
        spans.push(&after[..end]);
        rest = &after[end + 1..];
    }
    spans
}

/// Whether a module path (`varde_web::pathways::lar`) names a module that exists: its first
/// segment must be a module of the crate; the segments after it are followed as long as they
/// are modules (what follows may be an item: a function, a type).
fn module_exists(root: &Path, path: &str) -> bool {
    let mut segments = path.split("::");
    let Some(krate) = segments.next() else {
        return false;
    };
    let mut dir = root
        .join("crates")
        .join(krate.replace('_', "-"))
        .join("src");
    let mut first = true;
    for seg in segments {
        let seg = seg.trim_end_matches("()");
        let file = dir.join(format!("{seg}.rs"));
        let folder = dir.join(seg);
        if !(folder.join("mod.rs").exists() || file.exists()) {
            return !first;
        }
        dir = folder;
        first = false;
    }
    true
}

fn check_map(file: &str) -> Vec<String> {
    let root = root();
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    let mut missing = Vec::new();
    for span in code_spans(&text) {
        let span = span.trim();
        let is_path = ["crates/", "web/", "docs/", ".ci/"]
            .iter()
            .any(|p| span.starts_with(p));
        if is_path && !span.contains(['{', '*', ' ', '…']) {
            if !root.join(span.trim_end_matches('/')).exists() {
                missing.push(span.to_owned());
            }
        } else if span.starts_with("varde")
            && span.contains("::")
            && span
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
            && !module_exists(&root, &span.replace('-', "_"))
        {
            missing.push(span.to_owned());
        }
    }
    missing
}

#[test]
fn the_architecture_names_only_what_exists() {
    let missing = check_map("ARCHITECTURE.md");
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names what does not exist: {missing:?}"
    );
}

#[test]
fn the_security_page_names_only_what_exists() {
    let missing = check_map("SECURITY.md");
    assert!(
        missing.is_empty(),
        "SECURITY.md names what does not exist: {missing:?}"
    );
}

#[test]
fn the_readme_names_only_what_exists() {
    let missing = check_map("README.md");
    assert!(
        missing.is_empty(),
        "README.md names what does not exist: {missing:?}"
    );
}
