//! Compares our XML and `show` output with what real crmsh 4.4 produced for each
//! fixture (`tests/fixtures/NAME.crm` → `NAME.xml`, `NAME.show`; see `regen.sh`).

use std::fs;
use std::path::{Path, PathBuf};

use cib::xml::Element;

mod common;
use common::canonical;

/// Fixtures whose `show` output we knowingly print differently from crmsh:
/// - `ops`: crmsh 4.4 prints an op's `description=` twice (a crmsh bug we do not copy);
/// - `property-id`: crmsh keeps comments (as XML comments in the CIB) and shows them;
///   FIXME: `cib::xml` drops comments, so ours are lost.
const SHOW_DIFFERS: &[&str] = &["ops", "property-id"];

/// Like [`canonical`], with resources and constraints also sorted by id (`show`
/// prints them by kind and id, so their document order does not round-trip).
fn canonical_unordered(e: &Element) -> Element {
    let mut c = canonical(e);
    // Empty optional sections carry nothing `show` could print.
    c.children.retain(|s| {
        !s.children.is_empty()
            || matches!(
                s.name.as_str(),
                "crm_config" | "nodes" | "resources" | "constraints"
            )
    });
    for s in c.children.iter_mut() {
        if matches!(s.name.as_str(), "resources" | "constraints" | "nodes") {
            s.children.sort_by(|a, b| a.id().cmp(b.id()));
        }
    }
    c
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn ours(text: &str, name: &str) -> Element {
    common::ours(text, name).unwrap_or_else(|e| panic!("{e}"))
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "crm"))
        .collect();
    v.sort();
    v
}

#[test]
fn xml_matches_crmsh() {
    let mut failures = Vec::new();
    let all = fixtures();
    assert!(
        all.len() >= 20,
        "expected the recorded fixtures, found {}",
        all.len()
    );
    for path in all {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let text = fs::read_to_string(&path).expect("read fixture");
        let want =
            cib::xml::parse(&fs::read_to_string(path.with_extension("xml")).expect("read xml"))
                .expect("fixture xml parses");
        let got = ours(&text, &name);
        if canonical(&got) != canonical(&want) {
            failures.push(format!(
                "=== {name}\n--- crmsh\n{}--- ours\n{}",
                want.to_xml(),
                got.to_xml()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn show_matches_crmsh() {
    let mut failures = Vec::new();
    for path in fixtures() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        if SHOW_DIFFERS.contains(&name.as_str()) {
            continue;
        }
        let want = fs::read_to_string(path.with_extension("show")).expect("read show");
        // Show what crmsh stored, so a difference in building is not counted twice.
        let stored =
            cib::xml::parse(&fs::read_to_string(path.with_extension("xml")).expect("read xml"))
                .expect("fixture xml parses");
        let got = crm_syntax::show(&stored);
        if got != want {
            failures.push(format!("=== {name}\n--- crmsh\n{want}--- ours\n{got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn show_output_parses_back_to_the_same_xml() {
    for path in fixtures() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("?")
            .to_string();
        let stored =
            cib::xml::parse(&fs::read_to_string(path.with_extension("xml")).expect("read xml"))
                .expect("fixture xml parses");
        let text = crm_syntax::show(&stored);
        // Hidden passwords cannot round-trip; crmsh's `show` drops an expression's
        // type="string" (location-more) and the ids given with $id= (location, misc).
        if text.contains("******") || ["location-more", "location", "misc"].contains(&name.as_str())
        {
            continue;
        }
        let again = ours(&text, &name);
        assert_eq!(
            canonical_unordered(&again).to_xml(),
            canonical_unordered(&stored).to_xml(),
            "{name}: show → parse round trip"
        );
    }
}
