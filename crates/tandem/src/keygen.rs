//! `tandem keygen`: write a random cluster authkey, as corosync-keygen.
//!
//! Reads `-s` bytes (default 256) from the random source (`-r`, default
//! /dev/urandom) and writes them to `-k` (default /etc/corosync/authkey)
//! atomically: a temporary file created with mode 0400 in the same
//! directory, written, fsynced, renamed over the target, then the directory
//! is fsynced. An existing key is replaced.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

/// Exit status of a bad command line, as corosync-keygen.
const EXIT_USAGE: u8 = 1;
/// Exit status when the key file cannot be written, as corosync-keygen.
const EXIT_WRITE: u8 = 2;

/// Default key file, as corosync.
const DEFAULT_KEYFILE: &str = "/etc/corosync/authkey";
/// Default random source.
const DEFAULT_RANDOM: &str = "/dev/urandom";
/// Default key size in bytes.
const DEFAULT_SIZE: usize = 256;
/// Smallest and largest key size accepted by `-s`.
const SIZE_RANGE: std::ops::RangeInclusive<usize> = 128..=4096;

const USAGE: &str = "usage: tandem keygen [-k <filename>] [-r <randomfile>] [-s size] [-l] [-h]
  -k <filename>   key file to write (default /etc/corosync/authkey)
  -r <randomfile> random number source (default /dev/urandom); -m is accepted too
  -s size         key size in bytes, 128..4096 (default 256)
  -l              accepted for compatibility, ignored
  -h              print this help
";

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    keyfile: PathBuf,
    random: PathBuf,
    size: usize,
    help: bool,
}

/// Parses the flags; no IO.
fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        keyfile: PathBuf::from(DEFAULT_KEYFILE),
        random: PathBuf::from(DEFAULT_RANDOM),
        size: DEFAULT_SIZE,
        help: false,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.as_str() {
            a if a.starts_with('-') && a.len() > 2 && !a.starts_with("--") => {
                (&a[..2], Some(&a[2..]))
            }
            a => (a, None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline {
                Some(v) => Ok(v.to_string()),
                None => it
                    .next()
                    .cloned()
                    .ok_or_else(|| format!("option {name} needs a value")),
            }
        };
        match flag {
            "-k" => options.keyfile = PathBuf::from(value("-k")?),
            "-r" | "-m" => options.random = PathBuf::from(value(flag)?),
            "-s" => {
                let v = value("-s")?;
                options.size = match v.parse::<usize>() {
                    Ok(n) if SIZE_RANGE.contains(&n) => n,
                    _ => {
                        return Err(format!(
                            "Unsupported key size {v} (supported <{},{}>)",
                            SIZE_RANGE.start(),
                            SIZE_RANGE.end()
                        ))
                    }
                }
            }
            "-l" if inline.is_none() => {}
            "-h" | "--help" if inline.is_none() => options.help = true,
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    Ok(options)
}

/// Reads exactly `size` bytes from `source`.
pub(crate) fn gather(source: &Path, size: usize) -> anyhow::Result<Vec<u8>> {
    let mut file =
        File::open(source).with_context(|| format!("cannot open {}", source.display()))?;
    let mut key = vec![0u8; size];
    file.read_exact(&mut key)
        .with_context(|| format!("cannot read {size} bytes from {}", source.display()))?;
    if key.iter().all(|b| *b == key[0]) {
        bail!("random source {} returned constant bytes", source.display());
    }
    Ok(key)
}

/// Runs the tool on its arguments.
pub fn run(args: &[String]) -> anyhow::Result<ExitCode> {
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("corosync-keygen: {message}\n{USAGE}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
    };
    if options.help {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("Corosync Cluster Engine Authentication key generator.");
    println!(
        "Gathering {} bits for key from {}.",
        options.size * 8,
        options.random.display()
    );
    let key = gather(&options.random, options.size)?;
    if let Err(error) = crate::atomic_file::write(&options.keyfile, &key, 0o400) {
        eprintln!(
            "corosync-keygen: Could not create {}: {error:#}",
            options.keyfile.display()
        );
        return Ok(ExitCode::from(EXIT_WRITE));
    }
    println!("Writing corosync key to {}.", options.keyfile.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tandem-keygen-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn flags_parse_like_corosync_keygen() {
        let o = parse_args(&args(&[])).expect("defaults");
        assert_eq!(
            (o.keyfile.to_str(), o.random.to_str(), o.size),
            (Some(DEFAULT_KEYFILE), Some(DEFAULT_RANDOM), 256)
        );
        let o = parse_args(&args(&[
            "-s",
            "2048",
            "-k",
            "/tmp/authkey",
            "-l",
            "-r",
            "/dev/random",
        ]))
        .expect("ok");
        assert_eq!(
            (o.keyfile.to_str(), o.random.to_str(), o.size),
            (Some("/tmp/authkey"), Some("/dev/random"), 2048)
        );
        let o = parse_args(&args(&["-k/tmp/k", "-s128"])).expect("inline values");
        assert_eq!((o.keyfile.to_str(), o.size), (Some("/tmp/k"), 128));
        assert!(parse_args(&args(&["-h"])).expect("help").help);
        assert!(parse_args(&args(&["-s", "127"]))
            .unwrap_err()
            .contains("supported <128,4096>"));
        assert!(parse_args(&args(&["-s", "4097"])).is_err());
        assert!(parse_args(&args(&["-k"]))
            .unwrap_err()
            .contains("needs a value"));
        assert!(parse_args(&args(&["-x"]))
            .unwrap_err()
            .contains("unknown option -x"));
    }

    #[test]
    fn writes_random_key_with_mode_0400_and_replaces_atomically() {
        let dir = temp_dir("write");
        let path = dir.join("authkey");
        run(&args(&["-k", path.to_str().expect("utf-8 path")])).expect("first key");
        let first = std::fs::read(&path).expect("key readable by root/owner");
        assert_eq!(first.len(), 256);
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o400);
        run(&args(&[
            "-k",
            path.to_str().expect("utf-8 path"),
            "-s",
            "1024",
        ]))
        .expect("second key");
        let second = std::fs::read(&path).expect("key");
        assert_eq!(second.len(), 1024);
        assert_ne!(&first[..], &second[..256], "fresh randomness");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn bad_source_or_directory_is_an_error_and_leaves_nothing() {
        let dir = temp_dir("bad");
        let short = dir.join("short");
        std::fs::write(&short, [1u8, 2, 3]).expect("write");
        let key = dir.join("authkey");
        let e = run(&args(&[
            "-k",
            key.to_str().expect("utf-8"),
            "-r",
            short.to_str().expect("utf-8"),
        ]))
        .expect_err("short source");
        assert!(format!("{e:#}").contains("cannot read 256 bytes"), "{e:#}");
        assert!(!key.exists());
        let code = run(&args(&[
            "-k",
            dir.join("missing/authkey").to_str().expect("utf-8"),
        ]))
        .expect("reported, not an error");
        assert_eq!(code, ExitCode::from(EXIT_WRITE), "as corosync-keygen");
        assert_eq!(
            std::fs::read_dir(&dir).expect("dir").count(),
            1,
            "only the source file remains"
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn usage_error_exits_1_like_corosync_keygen() {
        let code = run(&args(&["-s", "1"])).expect("usage is not an error");
        assert_eq!(code, ExitCode::from(EXIT_USAGE));
    }
}
