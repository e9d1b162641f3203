//! The scanner (`cib::xml::parse`'s fast path) against the general parser: it reads everything
//! Tandem's writer produces, and whatever it accepts the general parser reads the same way,
//! line numbers included.

use cib::xml::{parse, parse_general, Element};
use cib::xml_scan::scan;

/// The shared Pacemaker regression CIBs, when the checkout sits beside `shared/`.
fn corpus() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/scheduler-cases/xml");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("no corpus at {}: generated documents only", dir.display());
        return Vec::new();
    };
    let mut docs: Vec<(String, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.display().to_string(), text))
        })
        .collect();
    docs.sort();
    docs
}

/// Documents built here, covering every escape, nesting, empty values and non-ASCII text.
fn generated() -> Vec<Element> {
    let mut docs = Vec::new();
    for n in 0..40u32 {
        let mut root = Element::new("cib");
        root.set_attr("epoch", &n.to_string());
        root.set_attr("validate-with", "pacemaker-3.9");
        let mut parent = Element::new("configuration");
        for i in 0..n {
            let mut p = Element::new("primitive");
            p.set_attr("id", &format!("r{i}"));
            p.set_attr(
                "description",
                &format!("a&b <{i}> \"q\" 'x'\nline caf\u{e9} \u{4e2d}"),
            );
            p.set_attr("empty", "");
            let mut nested = Element::new("instance_attributes");
            for d in 0..(i % 5) {
                let mut nv = Element::new("nvpair");
                nv.set_attr("name", &format!("n{d}"));
                nv.set_attr("value", &"&".repeat(d as usize));
                nested.children.push(nv);
            }
            p.children.push(nested);
            parent.children.push(p);
        }
        root.children.push(parent);
        docs.push(root);
    }
    docs
}

/// Same elements, attributes and line numbers.
fn same(a: &Element, b: &Element) -> bool {
    a.name == b.name
        && a.attrs == b.attrs
        && a.line == b.line
        && a.children.len() == b.children.len()
        && a.children.iter().zip(&b.children).all(|(x, y)| same(x, y))
}

#[test]
fn everything_the_writer_writes_is_scanned_and_read_as_the_general_parser_reads_it() {
    let mut docs: Vec<Element> = generated();
    for (name, text) in corpus() {
        docs.push(parse_general(&text).unwrap_or_else(|e| panic!("{name}: {e}")));
    }
    assert!(docs.len() >= 40);
    for doc in &docs {
        let text = doc.to_xml();
        assert!(
            scan(&text, 63).is_some(),
            "the writer's output was not scanned:\n{text}"
        );
        let fast = parse(&text).expect("fast path");
        let general = parse_general(&text).expect("general parser");
        assert!(same(&fast, &general), "differs:\n{text}");
        assert_eq!(fast.to_xml(), text);
    }
}

#[test]
fn documents_from_elsewhere_read_the_same_either_way() {
    let mut scanned = 0;
    let corpus = corpus();
    for (name, text) in &corpus {
        let general = parse_general(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let fast = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(same(&fast, &general), "{name} differs");
        scanned += usize::from(scan(text, 63).is_some());
    }
    println!(
        "{scanned} of {} shared CIBs in the scanner's grammar",
        corpus.len()
    );
    // Hand-written variants of the same content: declarations, comments, other quoting.
    for text in [
        "<?xml version=\"1.0\"?>\n<cib a=\"1\">\n  <x/>\n</cib>\n",
        "<cib a='1'><!-- c --><x/></cib>",
        "<cib a=\"1\">\r\n<x b=\"&#65;\"/>\r\n</cib>",
        "<cib a=\"tab\there\"/>",
        "<cib  a = \"1\" ><x/></cib >",
    ] {
        let general = parse_general(text).expect("well-formed");
        let fast = parse(text).expect("well-formed");
        assert!(same(&fast, &general), "{text:?} differs");
    }
}

/// A deterministic byte mutator (xorshift), so a failure replays.
struct Mutator(u64);

impl Mutator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn mangled_documents_the_scanner_accepts_read_the_same_in_the_general_parser() {
    let alphabet = b"<>/=\"'& \n\r\tabx;#10-_.:?!\x7f";
    let docs: Vec<String> = generated().iter().take(8).map(|d| d.to_xml()).collect();
    let mut m = Mutator(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut tried) = (0, 0);
    for round in 0..20_000 {
        let base = &docs[round % docs.len()];
        let mut bytes = base.as_bytes().to_vec();
        for _ in 0..(1 + m.next() % 3) {
            let at = (m.next() as usize) % bytes.len();
            match m.next() % 3 {
                0 => bytes[at] = alphabet[(m.next() as usize) % alphabet.len()],
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, alphabet[(m.next() as usize) % alphabet.len()]),
            }
            if bytes.is_empty() {
                break;
            }
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        tried += 1;
        if scan(&text, 63).is_some() {
            accepted += 1;
            let general = parse_general(&text).unwrap_or_else(|e| {
                panic!("round {round}: scanned but the general parser says {e}:\n{text}")
            });
            let fast = parse(&text).expect("scanned");
            assert!(same(&fast, &general), "round {round} differs:\n{text}");
        }
    }
    println!("{accepted} of {tried} mangled documents scanned");
    assert!(accepted > 100 && accepted < tried);
}
