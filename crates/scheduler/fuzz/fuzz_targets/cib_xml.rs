//! Fuzz target: any text given to the CIB parser returns (a CIB or an error naming the place),
//! never panics; an accepted document validates and writes back to XML that parses again;
//! a document the fast scanner reads, the general parser reads the same way.
//! Run with `cargo +nightly fuzz run cib_xml` from crates/scheduler.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = cib::xml::parse(text);
    if cib::xml_scan::scan(text, cib::limits::MAX_DEPTH - 1).is_some() {
        let general = cib::xml::parse_general(text);
        match (&parsed, &general) {
            (Ok(fast), Ok(general)) => assert_eq!(fast, general, "scanner and parser differ"),
            _ => panic!("scanned, but the general parser says {general:?}"),
        }
    }
    let Ok(root) = parsed else {
        return;
    };
    let written = root.to_xml();
    if let Err(e) = cib::xml::parse(&written) {
        panic!("written XML does not parse again: {e}\n{written}");
    }
    if let Ok(doc) = cib::Cib::from_element(root) {
        let _ = cib::validate::check(&doc);
    }
});
