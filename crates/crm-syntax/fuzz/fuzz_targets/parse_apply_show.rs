//! Any text: parse, apply (both modes) and show must return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(statements) = crm_syntax::parse(text, "fuzz") else {
        return;
    };
    let Ok(mut cib) = cib::xml::parse(crm_syntax::EMPTY_CIB) else {
        return;
    };
    let mut interactive = cib.clone();
    let _ = crm_syntax::load_update(&mut cib, &statements);
    for st in &statements {
        let _ = crm_syntax::apply(&mut interactive, st);
        let _ = st.to_cib_xml();
    }
    let shown = crm_syntax::show(&cib);
    // What show prints must parse again.
    if let Err(e) = crm_syntax::parse(&shown, "show") {
        panic!("show output does not parse: {e}\n{shown}");
    }
});
