//! crm_simulate's command line, parsed by hand (short and long forms).

/// Usage text.
pub const USAGE: &str = "Usage: crm_simulate -x FILE [options]
  -x, --xml-file=FILE      read the CIB from FILE (- for stdin)
  -L, --live-check         read the live cluster's CIB, or the file $CIB_file or the
                           shadow copy $CIB_shadow names (--crm-socket PATH: admin socket)
  -R, --run                run the scheduler and show the transition summary
  -S, --simulate           also simulate the transition and show the revised status
  -s, --show-scores        show allocation scores
  -Q, --quiet              do not print the cluster status
  -G, --save-graph=FILE    write the transition graph XML to FILE
  -D, --save-dotfile=FILE  write the transition graph as dot to FILE
  -t, --set-datetime=TIME  evaluate rules at TIME (ISO 8601)
  -u, --node-up=NODE       bring NODE online first
  -d, --node-down=NODE     take NODE offline first
  -f, -F, --node-fail=NODE mark NODE failed first
  -i, --op-inject=OPSPEC   record an operation result first (rsc_op_interval@node=rc)
  -O, --save-output=FILE   write the (modified) CIB to FILE
";

/// Parsed options.
#[derive(Debug, Default)]
pub struct SimArgs {
    /// -x.
    pub xml_file: Option<String>,
    /// -L: the live cluster's CIB (or the one `CIB_file` / `CIB_shadow` names).
    pub live: bool,
    /// -R.
    pub run: bool,
    /// -S.
    pub simulate: bool,
    /// -s.
    pub show_scores: bool,
    /// -Q.
    pub quiet: bool,
    /// -G.
    pub graph_file: Option<String>,
    /// -D.
    pub dot_file: Option<String>,
    /// -t.
    pub time: Option<String>,
    /// -u.
    pub node_up: Vec<String>,
    /// -d.
    pub node_down: Vec<String>,
    /// -F.
    pub node_fail: Vec<String>,
    /// -i.
    pub inject: Vec<String>,
    /// -O.
    pub output_file: Option<String>,
    /// -h.
    pub help: bool,
}

enum Kind {
    Flag(fn(&mut SimArgs)),
    Value(fn(&mut SimArgs, String)),
}

fn table() -> Vec<(char, &'static str, Kind)> {
    vec![
        ('x', "xml-file", Kind::Value(|a, v| a.xml_file = Some(v))),
        ('L', "live-check", Kind::Flag(|a| a.live = true)),
        ('R', "run", Kind::Flag(|a| a.run = true)),
        ('S', "simulate", Kind::Flag(|a| a.simulate = true)),
        ('s', "show-scores", Kind::Flag(|a| a.show_scores = true)),
        ('Q', "quiet", Kind::Flag(|a| a.quiet = true)),
        (
            'G',
            "save-graph",
            Kind::Value(|a, v| a.graph_file = Some(v)),
        ),
        (
            'D',
            "save-dotfile",
            Kind::Value(|a, v| a.dot_file = Some(v)),
        ),
        ('t', "set-datetime", Kind::Value(|a, v| a.time = Some(v))),
        ('u', "node-up", Kind::Value(|a, v| a.node_up.push(v))),
        ('d', "node-down", Kind::Value(|a, v| a.node_down.push(v))),
        ('F', "node-fail", Kind::Value(|a, v| a.node_fail.push(v))),
        ('f', "node-fail", Kind::Value(|a, v| a.node_fail.push(v))),
        ('i', "op-inject", Kind::Value(|a, v| a.inject.push(v))),
        (
            'O',
            "save-output",
            Kind::Value(|a, v| a.output_file = Some(v)),
        ),
        ('h', "help", Kind::Flag(|a| a.help = true)),
    ]
}

impl SimArgs {
    /// Parses the arguments (without the program name).
    pub fn parse(argv: &[String]) -> Result<SimArgs, String> {
        let t = table();
        let mut a = SimArgs::default();
        let mut i = 0;
        while i < argv.len() {
            let arg = &argv[i];
            i += 1;
            if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let Some((_, _, kind)) = t.iter().find(|(_, l, _)| *l == name) else {
                    return Err(format!("unknown option '--{name}'"));
                };
                match kind {
                    Kind::Flag(f) => f(&mut a),
                    Kind::Value(f) => {
                        let v = match inline {
                            Some(v) => v,
                            None => {
                                let v = argv
                                    .get(i)
                                    .cloned()
                                    .ok_or(format!("--{name} needs a value"))?;
                                i += 1;
                                v
                            }
                        };
                        f(&mut a, v);
                    }
                }
            } else if let Some(shorts) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
                let chars: Vec<char> = shorts.chars().collect();
                let mut j = 0;
                while j < chars.len() {
                    let ch = chars[j];
                    j += 1;
                    let Some((_, _, kind)) = t.iter().find(|(s, _, _)| *s == ch) else {
                        return Err(format!("unknown option '-{ch}'"));
                    };
                    match kind {
                        Kind::Flag(f) => f(&mut a),
                        Kind::Value(f) => {
                            let rest: String = chars[j..].iter().collect();
                            let v = if !rest.is_empty() {
                                j = chars.len();
                                rest
                            } else {
                                let v =
                                    argv.get(i).cloned().ok_or(format!("-{ch} needs a value"))?;
                                i += 1;
                                v
                            };
                            f(&mut a, v);
                        }
                    }
                }
            } else {
                return Err(format!("unexpected argument '{arg}'"));
            }
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn short_and_long_forms() {
        let a = SimArgs::parse(&v(&["-x", "f.xml", "-SQ", "--save-graph=g.xml", "-ufoo"]))
            .expect("valid");
        assert_eq!(a.xml_file.as_deref(), Some("f.xml"));
        assert!(a.simulate && a.quiet);
        assert_eq!(a.graph_file.as_deref(), Some("g.xml"));
        assert_eq!(a.node_up, vec!["foo".to_string()]);
        assert!(SimArgs::parse(&v(&["-z"])).is_err());
        assert!(SimArgs::parse(&v(&["-x"])).is_err());
    }
}
