//! What the CLI writes into a CIB, side by side with Debian's Pacemaker 2.1.5 tools: each
//! admin command runs once as Debian's tool and once as `tandem <tool>`, each on its own copy
//! of the same CIB file (`CIB_file`), and the resulting configuration sections must match.
//!
//! Normalised before comparing: only the `configuration` section is compared (so the `cib`
//! element's `epoch`/`num_updates`/`cib-last-written` and the status section drop out), and
//! attribute order is ignored. The one time-dependent value, a `--lifetime`'s
//! `date_expression end` (now + the duration, to the second), is compared to within a few
//! seconds and then dropped; every other generated value, the lifetime rules' ids included,
//! is deterministic and compared exactly.
//!
//! Skipped (printing why) when Debian's tools are not installed; when they are, every case
//! is asserted (CI installs pacemaker-cli-utils). `crm_resource --cleanup` only touches the
//! status section and is not covered.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use cib::xml::Element;

/// A two-node CIB with one resource active on node1 and nothing else configured.
const BARE: &str = include_str!("fixtures/two_nodes_d1_running.xml");

/// [`BARE`] with attributes and move/ban constraints already set (for deletes and clears).
fn furnished() -> String {
    BARE.replace(
        r#"<primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/>"#,
        r#"<primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <instance_attributes id="d1-instance_attributes">
          <nvpair id="d1-instance_attributes-fake" name="fake" value="1"/>
        </instance_attributes>
        <meta_attributes id="d1-meta_attributes">
          <nvpair id="d1-meta_attributes-target-role" name="target-role" value="Stopped"/>
        </meta_attributes>
      </primitive>"#,
    )
    .replace(
        r#"<node id="1" uname="node1"/>"#,
        r#"<node id="1" uname="node1">
        <instance_attributes id="nodes-1">
          <nvpair id="nodes-1-foo" name="foo" value="bar"/>
        </instance_attributes>
      </node>"#,
    )
    .replace(
        "<constraints/>",
        r#"<constraints>
      <rsc_location id="cli-prefer-d1" rsc="d1" role="Started" node="node1" score="INFINITY"/>
      <rsc_location id="cli-ban-d1-on-node2" rsc="d1" role="Started" node="node2" score="-INFINITY"/>
    </constraints>"#,
    )
}

/// [`furnished`] with sets whose ids are not the ones the tools would choose.
fn renamed_sets() -> String {
    furnished()
        .replace("d1-instance_attributes", "d1-params")
        .replace("d1-meta_attributes", "d1-meta")
        .replace("nodes-1", "node1-attrs")
        .replace("cib-bootstrap-options", "my-options")
}

/// [`BARE`] with d1 active nowhere.
fn stopped() -> String {
    let start = BARE.find(r#"<lrm id="1">"#).expect("lrm start");
    let end = BARE.find("</lrm>").expect("lrm end") + "</lrm>".len();
    format!("{}{}", &BARE[..start], &BARE[end..])
}

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tandem-cli-vs-pcmk-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Debian's tool `tool` on PATH, if installed.
fn debian_tool(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

/// Runs `program args` with `CIB_file=file` (and no shadow copy selected).
fn run_on(program: &mut Command, file: &Path) -> Output {
    program
        .env("CIB_file", file)
        .env_remove("CIB_shadow")
        .env_remove("CIB_shadow_dir")
        .output()
        .expect("run tool")
}

/// The configuration section of the CIB in `file`.
fn configuration(file: &Path) -> Element {
    let text = std::fs::read_to_string(file).expect("read CIB");
    let cib = cib::xml::parse(&text).expect("the tool left a well-formed CIB");
    cib.child("configuration")
        .cloned()
        .expect("configuration section")
}

/// The `end` of every `date_expression`, in document order, as seconds since the epoch.
fn lifetime_ends(e: &Element, out: &mut Vec<i64>) {
    if e.name == "date_expression" {
        if let Some(end) = e.attr("end") {
            out.push(cib::rule::parse_datetime(end).expect("end is an ISO 8601 time"));
        }
    }
    for c in &e.children {
        lifetime_ends(c, out);
    }
}

/// `e` as text with attributes sorted and `date_expression end` dropped.
fn canonical(e: &Element, out: &mut String, depth: usize) {
    let mut attrs: Vec<&(String, String)> = e
        .attrs
        .iter()
        .filter(|(k, _)| !(e.name == "date_expression" && k == "end"))
        .collect();
    attrs.sort();
    out.push_str(&"  ".repeat(depth));
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in attrs {
        out.push_str(&format!(" {k}=\"{v}\""));
    }
    out.push_str(">\n");
    for c in &e.children {
        canonical(c, out, depth + 1);
    }
}

fn normalised(e: &Element) -> String {
    let mut out = String::new();
    canonical(e, &mut out, 0);
    out
}

/// What one command did to each copy.
struct Outcome {
    debian_code: Option<i32>,
    tandem_code: Option<i32>,
    debian: Element,
    tandem: Element,
    start: Element,
    debian_output: String,
    tandem_output: String,
}

/// Runs `tool args` as Debian's tool and as `tandem tool`, each on a copy of `cib`.
fn both(debian: &Path, cib: &str, tool: &str, args: &[&str]) -> Outcome {
    let dir = TempDir::new();
    let (deb_file, tan_file) = (dir.0.join("debian.xml"), dir.0.join("tandem.xml"));
    std::fs::write(&deb_file, cib).expect("write CIB");
    std::fs::write(&tan_file, cib).expect("write CIB");
    let d = run_on(Command::new(debian).args(args), &deb_file);
    let t = run_on(
        Command::new(env!("CARGO_BIN_EXE_tandem"))
            .arg(tool)
            .args(args),
        &tan_file,
    );
    let text = |o: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    Outcome {
        debian_code: d.status.code(),
        tandem_code: t.status.code(),
        debian: configuration(&deb_file),
        tandem: configuration(&tan_file),
        start: cib::xml::parse(cib)
            .expect("test CIB")
            .child("configuration")
            .cloned()
            .expect("configuration"),
        debian_output: text(&d),
        tandem_output: text(&t),
    }
}

/// Asserts that both tools exit alike and leave the same configuration (see the module
/// doc for what is normalised).
fn assert_same(debian: &Path, cib: &str, tool: &str, args: &[&str]) {
    let what = format!("{tool} {}", args.join(" "));
    let o = both(debian, cib, tool, args);
    assert_eq!(
        o.debian_code, o.tandem_code,
        "{what}: exit codes differ\nDebian's said: {}\nours said: {}",
        o.debian_output, o.tandem_output
    );
    let (mut deb_ends, mut tan_ends) = (Vec::new(), Vec::new());
    lifetime_ends(&o.debian, &mut deb_ends);
    lifetime_ends(&o.tandem, &mut tan_ends);
    assert_eq!(deb_ends.len(), tan_ends.len(), "{what}: lifetimes differ");
    for (d, t) in deb_ends.iter().zip(&tan_ends) {
        assert!(
            (d - t).abs() <= 5,
            "{what}: lifetime ends {d} (Debian's) and {t} (ours) differ"
        );
    }
    assert_eq!(
        normalised(&o.debian),
        normalised(&o.tandem),
        "{what}: the configurations differ (left Debian's, right ours)\nDebian's said: {}\nours said: {}",
        o.debian_output,
        o.tandem_output
    );
    if o.debian_code == Some(0) && cib == BARE {
        assert_ne!(
            normalised(&o.start),
            normalised(&o.tandem),
            "{what}: a case that changes nothing proves nothing"
        );
    }
}

#[test]
fn admin_commands_write_what_pacemakers_tools_write() {
    let (Some(crm_resource), Some(crm_attribute)) =
        (debian_tool("crm_resource"), debian_tool("crm_attribute"))
    else {
        eprintln!("admin_commands_write_what_pacemakers_tools_write: skipped (Debian's crm_resource/crm_attribute not installed; apt install pacemaker-cli-utils)");
        return;
    };
    let bare = BARE.to_string();
    let furnished = furnished();
    let stopped = stopped();
    let res = |cib: &str, args: &[&str]| assert_same(&crm_resource, cib, "crm_resource", args);
    let attr = |cib: &str, args: &[&str]| assert_same(&crm_attribute, cib, "crm_attribute", args);

    // Moves and bans, with and without a node and a lifetime (role="Started" as 2.1.5 writes).
    for cib in [&bare, &furnished] {
        res(cib, &["--move", "-r", "d1", "--node", "node2"]);
        res(cib, &["--ban", "-r", "d1", "--node", "node2"]);
        res(cib, &["--ban", "-r", "d1", "--node", "node1"]);
        // Without a node: a ban from the node where d1 is active.
        res(cib, &["--move", "-r", "d1"]);
        res(cib, &["--ban", "-r", "d1"]);
        res(cib, &["--ban", "-r", "d1", "--lifetime", "P1D"]);
        res(
            cib,
            &[
                "-r",
                "d1",
                "--meta",
                "--set-parameter",
                "target-role",
                "--parameter-value",
                "Started",
            ],
        );
        res(
            cib,
            &[
                "-r",
                "d1",
                "--set-parameter",
                "fake",
                "--parameter-value",
                "42",
            ],
        );
        res(
            cib,
            &[
                "-r",
                "d1",
                "--set-parameter=ip",
                "--parameter-value=10.0.0.1",
            ],
        );
        res(
            cib,
            &[
                "-r",
                "d1",
                "--meta",
                "--set-parameter",
                "is-managed",
                "-v",
                "false",
            ],
        );
        attr(
            cib,
            &[
                "--type",
                "crm_config",
                "--name",
                "no-quorum-policy",
                "--update",
                "ignore",
            ],
        );
        attr(
            cib,
            &[
                "--type",
                "crm_config",
                "--name",
                "stonith-enabled",
                "--update",
                "true",
            ],
        );
        attr(
            cib,
            &[
                "--type",
                "crm_config",
                "--name",
                "stonith-enabled",
                "--delete",
            ],
        );
        attr(
            cib,
            &[
                "--node", "node1", "--name", "foo", "--update", "baz", "-l", "forever",
            ],
        );
        attr(
            cib,
            &[
                "--type", "nodes", "--node", "node2", "--name", "foo", "--update", "x",
            ],
        );
    }
    res(
        &bare,
        &[
            "--move",
            "-r",
            "d1",
            "--node",
            "node2",
            "--lifetime",
            "PT1H",
        ],
    );
    res(
        &bare,
        &["--ban", "-r", "d1", "--node", "node2", "--lifetime", "PT1H"],
    );
    // A move to where d1 is already active is refused (108) unless forced.
    res(&bare, &["--move", "-r", "d1", "--node", "node1"]);
    res(&bare, &["--move", "-r", "d1", "--node", "node1", "--force"]);
    res(&furnished, &["-r", "d1", "--clear"]);
    res(&furnished, &["-r", "d1", "--clear", "--node", "node2"]);
    res(&furnished, &["-r", "d1", "--clear", "--node", "node1"]);
    // Moving to a node from which d1 is banned lifts that ban.
    res(&furnished, &["--move", "-r", "d1", "--node", "node2"]);
    // Deletes empty a set and leave it in place.
    res(&furnished, &["-r", "d1", "--delete-parameter", "fake"]);
    res(
        &furnished,
        &["-r", "d1", "--meta", "--delete-parameter", "target-role"],
    );
    attr(
        &furnished,
        &[
            "--type", "nodes", "--node", "node1", "--name", "foo", "--delete",
        ],
    );
    attr(
        &furnished,
        &[
            "--node",
            "node1",
            "--name",
            "foo",
            "--delete",
            "--lifetime",
            "forever",
        ],
    );
    // An attribute already set in a set of another id is updated where it is.
    let renamed = renamed_sets();
    res(
        &renamed,
        &["-r", "d1", "--set-parameter", "fake", "-v", "2"],
    );
    res(
        &renamed,
        &["-r", "d1", "--set-parameter", "other", "-v", "2"],
    );
    res(
        &renamed,
        &[
            "-r",
            "d1",
            "--meta",
            "--set-parameter",
            "target-role",
            "-v",
            "Started",
        ],
    );
    res(&renamed, &["-r", "d1", "--delete-parameter", "fake"]);
    attr(
        &renamed,
        &["--node", "node1", "--name", "foo", "--update", "baz"],
    );
    attr(&renamed, &["--name", "stonith-enabled", "--update", "true"]);
    attr(
        &renamed,
        &["--name", "no-quorum-policy", "--update", "ignore"],
    );
    attr(&renamed, &["--name", "stonith-enabled", "--delete"]);
    // --set-name: that set only (created when missing).
    for set in ["newset", "d1-params"] {
        res(
            &renamed,
            &[
                "-r",
                "d1",
                "--set-parameter",
                "fake",
                "-v",
                "3",
                "--set-name",
                set,
            ],
        );
        res(
            &renamed,
            &["-r", "d1", "--delete-parameter", "fake", "--set-name", set],
        );
    }
    res(
        &renamed,
        &[
            "-r",
            "d1",
            "--meta",
            "-p",
            "target-role",
            "-v",
            "Started",
            "-s",
            "m2",
        ],
    );
    // Nowhere active and no node: refused alike (exit 64), nothing written.
    res(&stopped, &["--move", "-r", "d1"]);
    res(&stopped, &["--ban", "-r", "d1"]);
}

/// [`BARE`] with a move to node2 and a ban from node1, both with a lifetime (ending in 2099).
fn lifetimed() -> String {
    BARE.replace(
        "<constraints/>",
        r##"<constraints>
      <rsc_location id="cli-prefer-d1" rsc="d1" role="Started">
        <rule id="cli-prefer-rule-d1" score="INFINITY" boolean-op="and">
          <expression id="cli-prefer-expr-d1" attribute="#uname" operation="eq" value="node2" type="string"/>
          <date_expression id="cli-prefer-lifetime-end-d1" operation="lt" end="2099-01-01 00:00:00Z"/>
        </rule>
      </rsc_location>
      <rsc_location id="cli-ban-d1-on-node1" rsc="d1" role="Started">
        <rule id="cli-ban-d1-on-node1-rule" score="-INFINITY" boolean-op="and">
          <expression id="cli-ban-d1-on-node1-expr" attribute="#uname" operation="eq" value="node1" type="string"/>
          <date_expression id="cli-ban-d1-on-node1-lifetime" operation="lt" end="2099-01-01 00:00:00Z"/>
        </rule>
      </rsc_location>
    </constraints>"##,
    )
}

#[test]
fn moves_and_clears_over_constraints_with_a_lifetime() {
    let Some(crm_resource) = debian_tool("crm_resource") else {
        eprintln!("moves_and_clears_over_constraints_with_a_lifetime: skipped (Debian's crm_resource not installed; apt install pacemaker-cli-utils)");
        return;
    };
    let lifetimed = lifetimed();
    let furnished = furnished();
    let res = |cib: &str, args: &[&str]| assert_same(&crm_resource, cib, "crm_resource", args);
    res(&lifetimed, &["-r", "d1", "--clear", "--node", "node2"]);
    res(&lifetimed, &["-r", "d1", "--clear", "--node", "node1"]);
    res(&lifetimed, &["-r", "d1", "--clear"]);
    // A move replaces the earlier move whatever its form.
    res(&lifetimed, &["-r", "d1", "--move", "--node", "node2"]);
    res(
        &furnished,
        &[
            "-r",
            "d1",
            "--move",
            "--node",
            "node2",
            "--lifetime",
            "PT1H",
        ],
    );
}

/// A deliberate difference: a ban over an earlier ban of the other form (plain, or with a
/// lifetime): Debian's 2.1.5 merges the new constraint into the old one and refuses the
/// result (exit 78, invalid configuration), leaving the file alone, so the only way through
/// is `--clear` first. We replace the earlier ban: the administrator asked for this ban,
/// and what we write is exactly what Debian's writes where no earlier ban is in the way.
#[test]
fn a_ban_replaces_an_earlier_ban_of_the_other_form() {
    let Some(crm_resource) = debian_tool("crm_resource") else {
        eprintln!("a_ban_replaces_an_earlier_ban_of_the_other_form: skipped (Debian's crm_resource not installed; apt install pacemaker-cli-utils)");
        return;
    };
    for (cib, args, id) in [
        (
            furnished(),
            vec!["--ban", "-r", "d1", "--node", "node2", "--lifetime", "PT1H"],
            "cli-ban-d1-on-node2",
        ),
        (
            lifetimed(),
            vec!["--ban", "-r", "d1", "--node", "node1"],
            "cli-ban-d1-on-node1",
        ),
    ] {
        let o = both(&crm_resource, &cib, "crm_resource", &args);
        assert_ne!(o.debian_code, Some(0), "Debian's now accepts {args:?}");
        assert_eq!(normalised(&o.debian), normalised(&o.start));
        assert_eq!(o.tandem_code, Some(0), "{args:?}: {}", o.tandem_output);
        // Ours equals what Debian's writes when no earlier ban is in the way.
        let fresh = both(&crm_resource, BARE, "crm_resource", &args);
        assert_eq!(fresh.debian_code, Some(0), "{}", fresh.debian_output);
        let pick = |config: &Element| {
            let c = config
                .child("constraints")
                .and_then(|c| c.children.iter().find(|c| c.id() == id))
                .expect("the ban");
            let mut ends = Vec::new();
            lifetime_ends(c, &mut ends);
            (normalised(c), ends)
        };
        let ((ours, our_ends), (theirs, their_ends)) = (pick(&o.tandem), pick(&fresh.debian));
        assert_eq!(ours, theirs, "{args:?}");
        assert_eq!(our_ends.len(), their_ends.len());
        for (a, b) in our_ends.iter().zip(&their_ends) {
            assert!((a - b).abs() <= 5, "{args:?}: ends {a} and {b}");
        }
    }
}
