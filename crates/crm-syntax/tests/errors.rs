//! Bad input: errors name the line, column and word; interactive redefinition and
//! missing references are refused; nothing panics on mangled text.

use crm_syntax::{apply, load_update, parse, ApplyError, EMPTY_CIB};

fn empty() -> cib::xml::Element {
    cib::xml::parse(EMPTY_CIB).expect("empty CIB parses")
}

#[test]
fn parse_errors_name_line_column_and_word() {
    let text = "property a=b\nprimitive p ocf:heartbeat:Dummy \\\n  params x=1 \\\n  bogus y=2\n";
    let e = parse(text, "cmds.crm").unwrap_err();
    assert_eq!((e.line, e.column, e.word.as_str()), (4, 3, "bogus"));
    assert_eq!(
        e.to_string(),
        "cmds.crm:4:3: expected params, meta, utilization or op (near 'bogus')"
    );

    let e = parse("colocation c inf: a\n", "f").unwrap_err();
    assert!(e.message.contains("at least 2"), "{e}");
    let e = parse("order o Sometimes: a b\n", "f").unwrap_err();
    assert_eq!(e.word, "Sometimes:");
    let e = parse("primitive 9p Dummy\n", "f").unwrap_err();
    assert_eq!((e.word.as_str(), e.column), ("9p", 11));
    let e = parse("location l a rule inf: x in_range y\n", "f").unwrap_err();
    assert_eq!(e.word, "in_range");
    let e = parse("frobnicate x\n", "f").unwrap_err();
    assert_eq!(
        (e.line, e.word.as_str(), e.message.as_str()),
        (1, "frobnicate", "unknown command")
    );
    // crmsh has no trailing comments: `#` after words is a word, and an error here.
    let e = parse("property a=b # note\n", "f").unwrap_err();
    assert_eq!(e.word, "#");
    let e = parse("group g a ( b\n", "f").unwrap_err();
    assert_eq!(e.word, "(");
    let e = parse("primitive p ocf:Dummy\n", "f").unwrap_err();
    assert!(e.message.contains("provider"), "{e}");
}

#[test]
fn interactive_apply_refuses_existing_ids_load_update_replaces() {
    let mut cib = empty();
    let st = parse("primitive a Dummy\nprimitive a Dummy params fake=1\n", "f").unwrap();
    apply(&mut cib, &st[0]).unwrap();
    let e = apply(&mut cib, &st[1]).unwrap_err();
    assert_eq!(
        e,
        ApplyError::Exists {
            line: 2,
            kind: "primitive".into(),
            id: "a".into()
        }
    );
    load_update(&mut cib, &st[1..]).unwrap();
    let xml = cib.to_xml();
    assert!(
        xml.contains(r#"<nvpair name="fake" value="1" id="a-instance_attributes-fake"/>"#),
        "{xml}"
    );
}

#[test]
fn missing_references_and_bad_members_are_errors() {
    let mut cib = empty();
    let st = parse("primitive a Dummy\ncolocation c inf: a nothere\n", "f").unwrap();
    let e = load_update(&mut cib, &st).unwrap_err();
    assert_eq!(
        e,
        ApplyError::Missing {
            line: 2,
            what: "resource",
            id: "nothere".into()
        }
    );
    let mut cib = empty();
    let st = parse(
        "primitive a Dummy\nprimitive b Dummy\ngroup g1 a\ngroup g2 a b\n",
        "f",
    )
    .unwrap();
    let e = load_update(&mut cib, &st).unwrap_err();
    assert!(
        matches!(e, ApplyError::BadMember { ref id, .. } if id == "a"),
        "{e}"
    );
    // A failed statement leaves the document as it was before it.
    let conf = cib
        .child("configuration")
        .unwrap()
        .child("resources")
        .unwrap();
    assert_eq!(
        conf.children.iter().map(|c| c.id()).collect::<Vec<_>>(),
        ["b", "g1"]
    );
    // One load may not define an id twice (crmsh: "Duplicate resource").
    let st = parse("primitive c2 Dummy\ncolocation c2 inf: b b\n", "f").unwrap();
    let e = load_update(&mut cib, &st).unwrap_err();
    assert_eq!(
        e,
        ApplyError::Duplicate {
            line: 2,
            id: "c2".into()
        }
    );
    // An id held by another kind of object.
    load_update(&mut cib, &st[..1]).unwrap();
    let e = load_update(&mut cib, &st[1..]).unwrap_err();
    assert!(
        matches!(e, ApplyError::IdTaken { ref existing, .. } if existing == "primitive"),
        "{e}"
    );
}

#[test]
fn delete_of_missing_object_is_an_error() {
    let mut cib = empty();
    let st = parse("delete ghost\n", "f").unwrap();
    let e = apply(&mut cib, &st[0]).unwrap_err();
    assert_eq!(e.to_string(), "line 1: object 'ghost' does not exist");
}

/// Every prefix and many single-character mutations of every fixture: parse, apply and
/// show must return (Ok or Err), never panic.
#[test]
fn mangled_fixtures_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0usize;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "crm") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let mut variants: Vec<String> = (0..chars.len())
            .map(|i| chars[..i].iter().collect())
            .collect();
        for (i, _) in chars.iter().enumerate().step_by(7) {
            for rep in ['"', '\'', '\\', ':', '=', '(', ' ', '\n'] {
                let mut v = chars.clone();
                v[i] = rep;
                variants.push(v.into_iter().collect());
            }
        }
        for v in variants {
            if let Ok(st) = parse(&v, "m") {
                let mut cib = empty();
                let _ = load_update(&mut cib, &st);
                let mut cib2 = empty();
                for s in &st {
                    let _ = apply(&mut cib2, s);
                }
                let shown = crm_syntax::show(&cib);
                if let Err(e) = parse(&shown, "show") {
                    panic!("show output does not parse again: {e}\n{shown}\nfrom:\n{v}");
                }
                for s in &st {
                    let _ = s.to_cib_xml();
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 5_000, "only {checked} variants checked");
}

/// Found by the fuzz target: a `$id=` among op attributes used to become a parameter
/// named `$id`, which `show` printed as a set id.
#[test]
fn dollar_names_are_not_parameters() {
    let e = parse("primitive p Dummy op monitor interval=1 $id=x\n", "f").unwrap_err();
    assert_eq!(e.word, "$id=x");
}
