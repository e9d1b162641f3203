//! Where the tools read and write the CIB, chosen as Pacemaker's tools choose it: a shadow
//! copy when `CIB_shadow` names one, else the file `CIB_file` names, else the live cluster
//! (the resource manager's admin socket).
//!
//! Every tool goes through [`CibSource::call`] with the admin socket's verbs (`query`,
//! `status`, `replace`, `modify`, `create`, `delete`, `setattr`, `cleanup`, ...). On a file
//! the change is applied here, by the same document edits the daemon applies
//! (`controller::cib_doc`), with the same version bumps (epoch on configuration changes,
//! num_updates on status-only ones), and written back atomically (temp, fsync, rename).

use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use cib::xml::Element;
use controller::{cib_doc, CibOp};
use resource_manager::admin::StatusReply;

use crate::exit_code::{self, Failure};

/// Environment variable naming a CIB file the tools use instead of the live cluster.
pub const CIB_FILE_ENV: &str = "CIB_file";
/// Environment variable naming the shadow copy the tools use instead of the live cluster.
pub const CIB_SHADOW_ENV: &str = "CIB_shadow";
/// Environment variable naming the directory holding shadow copies.
pub const CIB_SHADOW_DIR_ENV: &str = "CIB_shadow_dir";
/// Where root's shadow copies live, as with Pacemaker.
pub const ROOT_SHADOW_DIR: &str = "/var/lib/pacemaker/cib";
/// Permissions of a new shadow copy (Pacemaker's).
pub const SHADOW_MODE: u32 = 0o640;

/// Where the CIB is read from and written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CibSource {
    /// The live cluster, through the resource manager's admin socket at this path.
    Live(PathBuf),
    /// A CIB file (`CIB_file`) or a shadow copy (`CIB_shadow`).
    File(CibFile),
}

/// A CIB kept in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CibFile {
    /// The file.
    pub path: PathBuf,
    /// The shadow copy's name, when the file is one.
    pub shadow: Option<String>,
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl CibSource {
    /// The source the environment selects: `CIB_shadow`, else `CIB_file`, else the live
    /// cluster at `socket`.
    pub fn from_env(socket: PathBuf) -> anyhow::Result<CibSource> {
        if let Some(name) = env_nonempty(CIB_SHADOW_ENV) {
            return Ok(CibSource::File(CibFile {
                path: shadow_path(&name)?,
                shadow: Some(name),
            }));
        }
        Ok(CibSource::cluster_from_env(socket))
    }

    /// The cluster's configuration as `crm_shadow` sees it ("the active cluster"):
    /// `CIB_file` when set, else the live cluster; `CIB_shadow` is not looked at.
    pub fn cluster_from_env(socket: PathBuf) -> CibSource {
        match env_nonempty(CIB_FILE_ENV) {
            Some(path) => CibSource::File(CibFile {
                path: PathBuf::from(path),
                shadow: None,
            }),
            None => CibSource::Live(socket),
        }
    }

    /// Sends one admin request (see `resource_manager::admin` for the verbs) to the live
    /// cluster, or carries it out on the file.
    pub fn call(&self, verb: &str, args: &[&str], body: &str) -> anyhow::Result<String> {
        match self {
            CibSource::Live(socket) => {
                resource_manager::admin::call(socket, verb, args, body).map_err(|e| anyhow!("{e}"))
            }
            CibSource::File(file) => file.call(verb, args, body),
        }
    }

    /// The CIB, parsed.
    pub fn query(&self) -> anyhow::Result<Element> {
        match self {
            CibSource::Live(_) => {
                let text = self.call("query", &[], "")?;
                cib::xml::parse(&text)
                    .map_err(|e| anyhow!("the CIB returned by the resource manager: {e}"))
            }
            CibSource::File(file) => Ok(file.read()?),
        }
    }
}

/// The directory holding shadow copies: `$CIB_shadow_dir`, else Pacemaker's CIB directory
/// for root, else `~/.cib` (created when missing), else the temporary directory.
pub fn shadow_dir() -> PathBuf {
    if let Some(dir) = env_nonempty(CIB_SHADOW_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).ok();
    if uid == Some(0) {
        return PathBuf::from(ROOT_SHADOW_DIR);
    }
    if let Some(home) = env_nonempty("HOME") {
        let dir = Path::new(&home).join(".cib");
        if dir.is_dir() || std::fs::create_dir(&dir).is_ok() {
            return dir;
        }
    }
    std::env::temp_dir()
}

/// The file of shadow copy `name` (`shadow.NAME` in [`shadow_dir`]).
pub fn shadow_path(name: &str) -> anyhow::Result<PathBuf> {
    if name.contains('/') || name == "." || name == ".." {
        return Err(Failure::new(
            exit_code::USAGE,
            format!("invalid shadow instance name '{name}': it may not contain '/'"),
        )
        .into());
    }
    Ok(shadow_dir().join(format!("shadow.{name}")))
}

/// The exit code Pacemaker's tools give for a refused CIB change, from its message.
pub fn update_error_code(message: &str) -> u8 {
    if message.contains("no such element") || message.contains("unknown node") {
        exit_code::NO_SUCH
    } else if message.contains("already exists") {
        exit_code::EXISTS
    } else {
        exit_code::ERROR
    }
}

impl CibFile {
    fn what(&self) -> String {
        match &self.shadow {
            Some(name) => format!("shadow instance '{name}' ({})", self.path.display()),
            None => format!("CIB file {}", self.path.display()),
        }
    }

    /// Reads and checks the file: a missing or unreadable file is [`exit_code::NO_SUCH`],
    /// malformed XML or an invalid CIB [`exit_code::CONFIG`], each naming the file (and
    /// the line).
    pub fn read(&self) -> Result<Element, Failure> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| {
            Failure::new(
                exit_code::NO_SUCH,
                format!("could not read the {}: {e}", self.what()),
            )
        })?;
        let root = cib::xml::parse(&text).map_err(|e| {
            Failure::new(exit_code::CONFIG, format!("{}: {e}", self.path.display()))
        })?;
        self.check(&root)?;
        Ok(root)
    }

    fn check(&self, root: &Element) -> Result<(), Failure> {
        if root.name != "cib" {
            return Err(Failure::new(
                exit_code::CONFIG,
                format!(
                    "{}: line {}: the top element is <{}>, not <cib>",
                    self.path.display(),
                    root.line,
                    root.name
                ),
            ));
        }
        cib::Cib::from_element(root.clone())
            .map(drop)
            .map_err(|e| Failure::new(exit_code::CONFIG, format!("{}: {e}", self.path.display())))
    }

    /// Writes `root` over the file atomically, keeping the file's permissions.
    pub fn write(&self, root: &Element) -> anyhow::Result<()> {
        let mode = std::fs::metadata(&self.path)
            .map(|m| m.mode() & 0o7777)
            .unwrap_or(SHADOW_MODE);
        crate::atomic_file::write(&self.path, root.to_xml().as_bytes(), mode).map_err(|e| {
            Failure::new(
                exit_code::CANT_CREATE,
                format!("could not write the {}: {e:#}", self.what()),
            )
            .into()
        })
    }

    fn call(&self, verb: &str, args: &[&str], body: &str) -> anyhow::Result<String> {
        let parse = |body: &str| {
            cib::xml::parse(body).map_err(|e| {
                Failure::new(
                    exit_code::CONFIG,
                    format!("the XML given is not valid: {e}"),
                )
            })
        };
        let arg = |i: usize| args.get(i).map(|s| s.to_string());
        let op = match verb {
            "query" => return Ok(self.read()?.to_xml()),
            "status" => return Ok(file_status(&self.read()?).encode()),
            // A file has no fencing history and nothing in progress.
            "fence-history" | "fence-pending" => return Ok(String::new()),
            "replace" => CibOp::Replace(parse(body)?),
            "modify" => CibOp::Modify(parse(body)?),
            "delete" => CibOp::Delete(parse(body)?),
            "create" => CibOp::Create {
                section: arg(0).filter(|s| !s.is_empty()),
                xml: parse(body)?,
            },
            "setattr" => match (arg(0), arg(1)) {
                (Some(node), Some(name)) => CibOp::SetAttr {
                    node,
                    name,
                    value: arg(2),
                },
                _ => return Err(anyhow!("setattr needs NODE NAME [VALUE]")),
            },
            "cleanup" => match arg(0) {
                Some(rsc) => CibOp::Cleanup {
                    rsc,
                    node: arg(1).filter(|s| !s.is_empty()),
                },
                None => return Err(anyhow!("cleanup needs RSC [NODE]")),
            },
            "fence" => {
                return Err(Failure::new(
                    exit_code::NOT_CONNECTED,
                    format!(
                        "fencing needs the live cluster, not the {} ($CIB_file/$CIB_shadow is set)",
                        self.what()
                    ),
                )
                .into())
            }
            other => return Err(anyhow!("unknown admin request '{other}'")),
        };
        self.apply(&op)?;
        Ok(String::new())
    }

    /// Applies one change to the file: read, edit, bump the version, check, write; under
    /// an exclusive lock of the file's directory, so that two tools changing the same file
    /// at once do not lose either change.
    pub fn apply(&self, op: &CibOp) -> anyhow::Result<()> {
        let _lock = DirLock::take(&self.path)?;
        let mut root = self.read()?;
        let before = root.clone();
        let change =
            match cib_doc::apply_admin(&mut root, op, crate::cibadmin::cluster_api::now_s()) {
                Ok(change) => change,
                // Pacemaker's tools accept deleting what is not there (nothing changes).
                Err(e)
                    if matches!(op, CibOp::Delete(_))
                        && e.to_string().contains("no such element") =>
                {
                    return Ok(())
                }
                Err(e) => {
                    let message = e.to_string();
                    return Err(Failure::new(update_error_code(&message), message).into());
                }
            };
        // A change that changes nothing (the same value again) leaves the file and its
        // version alone, as with Pacemaker's tools.
        if !change.any() || root == before {
            return Ok(());
        }
        cib_doc::bump(&mut root, change);
        self.check(&root).map_err(|f| {
            Failure::new(
                exit_code::CONFIG,
                format!("the change would leave an invalid CIB: {f}"),
            )
        })?;
        self.write(&root)
    }
}

/// An exclusive `flock` of a file's directory, released on drop (when the descriptor closes).
struct DirLock(std::fs::File);

impl DirLock {
    fn take(path: &Path) -> anyhow::Result<DirLock> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let file = std::fs::File::open(&dir).map_err(|e| {
            Failure::new(
                exit_code::NO_SUCH,
                format!("could not open the directory {}: {e}", dir.display()),
            )
        })?;
        loop {
            // SAFETY: flock on a descriptor this function owns; no memory is involved.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(DirLock(file));
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(Failure::new(
                    exit_code::ERROR,
                    format!("could not lock the directory {}: {err}", dir.display()),
                )
                .into());
            }
        }
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Closing the descriptor releases the lock; an explicit unlock says so.
        // SAFETY: as in `take`.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// What `status` answers for a CIB file: the DC (`dc-uuid`), quorum (`have-quorum`) and the
/// members (nodes whose state is online) the file records.
pub fn file_status(root: &Element) -> StatusReply {
    let uname_of = |id: &str| {
        root.child("configuration")
            .and_then(|c| c.child("nodes"))
            .and_then(|n| n.children_named("node").find(|n| n.id() == id))
            .and_then(|n| n.attr("uname"))
            .map(str::to_string)
            .or_else(|| {
                root.child("status")
                    .and_then(|s| s.children_named("node_state").find(|n| n.id() == id))
                    .and_then(|n| n.attr("uname"))
                    .map(str::to_string)
            })
    };
    let members = root
        .child("status")
        .map(|s| {
            s.children_named("node_state")
                .filter(|n| {
                    n.attr("crmd") == Some("online")
                        && n.attr("in_ccm").is_some_and(|v| v != "false")
                })
                .filter_map(|n| n.attr("uname").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    StatusReply {
        node: String::new(),
        dc: root.attr("dc-uuid").and_then(uname_of),
        quorate: matches!(root.attr("have-quorum"), Some("1" | "true")),
        members,
        phase: "file".to_string(),
        cib: root.to_xml(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_names_may_not_leave_the_directory() {
        assert!(shadow_path("a/b").is_err());
        assert!(shadow_path("..").is_err());
        let p = shadow_path("test").expect("plain name");
        assert_eq!(p.file_name().and_then(|n| n.to_str()), Some("shadow.test"));
    }

    #[test]
    fn refusals_map_to_pacemakers_exit_codes() {
        assert_eq!(
            update_error_code("/cib/configuration//primitive[@id='x']: no such element"),
            105
        );
        assert_eq!(
            update_error_code("/x: an element with this id already exists"),
            108
        );
        assert_eq!(update_error_code("/x: unknown section"), 1);
    }

    #[test]
    fn file_status_reads_dc_quorum_and_members() {
        let root = cib::xml::parse(
            r#"<cib epoch="1" have-quorum="1" dc-uuid="2"><configuration><nodes><node id="1" uname="a"/><node id="2" uname="b"/></nodes></configuration><status><node_state id="1" uname="a" in_ccm="false" crmd="offline"/><node_state id="2" uname="b" in_ccm="true" crmd="online"/></status></cib>"#,
        )
        .expect("test CIB");
        let s = file_status(&root);
        assert_eq!(s.dc.as_deref(), Some("b"));
        assert!(s.quorate);
        assert_eq!(s.members, vec!["b".to_string()]);
        let root = cib::xml::parse(r#"<cib epoch="1"><configuration/></cib>"#).expect("test CIB");
        let s = file_status(&root);
        assert_eq!((s.dc, s.quorate, s.members.len()), (None, false, 0));
    }
}
