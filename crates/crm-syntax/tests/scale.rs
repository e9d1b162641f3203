//! A large configuration (1,000 primitives in 100 groups, 1,000 constraints) loads,
//! shows and loads back; the elapsed times are printed (`--nocapture`).

use std::fmt::Write;
use std::time::Instant;

#[test]
fn thousand_resources_load_show_and_reload() {
    let mut text = String::from("property stonith-enabled=false\n");
    for i in 0..1000 {
        writeln!(
            text,
            "primitive d{i} ocf:pacemaker:Dummy params state=/run/d{i} \\\n  op monitor interval=10s timeout=20s \\\n  op start timeout=20s"
        )
        .unwrap();
    }
    for g in 0..100 {
        let members: Vec<String> = (0..10).map(|k| format!("d{}", g * 10 + k)).collect();
        writeln!(text, "group g{g} {}", members.join(" ")).unwrap();
    }
    for i in 0..1000 {
        writeln!(text, "location l{i} d{i} {}: n{}", i % 7, i % 3).unwrap();
    }
    let start = Instant::now();
    let statements = crm_syntax::parse(&text, "big.crm").expect("parse");
    let parsed = start.elapsed();
    let mut cib = cib::xml::parse(crm_syntax::EMPTY_CIB).expect("empty");
    crm_syntax::load_update(&mut cib, &statements).expect("load");
    let loaded = start.elapsed();
    let shown = crm_syntax::show(&cib);
    let printed = start.elapsed();
    eprintln!(
        "{} statements: parse {parsed:?}, +load {:?}, +show {:?}",
        statements.len(),
        loaded - parsed,
        printed - loaded
    );
    let conf = cib.child("configuration").expect("configuration");
    let resources = conf.child("resources").expect("resources");
    assert_eq!(resources.children.len(), 100);
    assert!(resources
        .children
        .iter()
        .all(|g| g.name == "group" && g.children.len() == 10));
    assert_eq!(
        conf.child("constraints")
            .expect("constraints")
            .children
            .len(),
        1000
    );
    assert_eq!(
        shown.matches("\nprimitive d").count() + usize::from(shown.starts_with("primitive d")),
        1000
    );
    // What show printed loads into the same configuration.
    let again = crm_syntax::parse(&shown, "show").expect("show output parses");
    let mut cib2 = cib::xml::parse(crm_syntax::EMPTY_CIB).expect("empty");
    crm_syntax::load_update(&mut cib2, &again).expect("reload");
    assert_eq!(crm_syntax::show(&cib2), shown);
}
