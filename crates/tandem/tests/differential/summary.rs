//! The Transition Summary comparison of shared/tools/sched-conformance
//! ("decisions" level): upstream's rewrites, the section's lines with
//! whitespace squashed and any trailing "due to ..." dropped, as a multiset.

/// Upstream's rewrites, each applied once per line.
fn rewrite(line: &str) -> String {
    let mut l = line.replacen("ocf::", "ocf:", 1);
    l = l.replacen("Masters:", "Promoted:", 1);
    l = l.replacen("Slaves:", "Unpromoted:", 1);
    // " Master( |\[|$)" -> " Promoted\1", first match only.
    let mut from = 0;
    while let Some(pos) = l[from..].find(" Master").map(|p| p + from) {
        let after = pos + " Master".len();
        let next = l[after..].chars().next();
        if matches!(next, None | Some(' ') | Some('[')) {
            l.replace_range(pos..after, " Promoted");
            break;
        }
        from = after;
    }
    l.replacen(" Slave ", " Unpromoted ", 1)
}

/// One line with runs of whitespace squashed to one space, trimmed.
fn squash(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sorted decision lines of a `-S` output's Transition Summary; `None`
/// when the output has no such section at all.
pub fn decisions(output: &str) -> Option<Vec<String>> {
    let lines: Vec<String> = output.lines().map(rewrite).collect();
    let mut inside = false;
    let mut seen = false;
    let mut got = Vec::new();
    for line in &lines {
        if line.trim() == "Transition Summary:" {
            inside = true;
            seen = true;
            continue;
        }
        if !inside {
            continue;
        }
        if line.trim().is_empty() {
            if !got.is_empty() {
                break;
            }
            continue;
        }
        if !line.starts_with(' ') {
            break;
        }
        let mut l = squash(line);
        if let Some(p) = l.find(") due to ") {
            l.truncate(p + 1);
        } else if let Some(p) = l.find(" due to ") {
            l.truncate(p);
        }
        got.push(l.replace("( ", "(").replace(" )", ")"));
    }
    got.sort();
    seen.then_some(got)
}
