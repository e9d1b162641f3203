//! `cib.xml` with its checksum sidecar, atomic replacement and numbered backups.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{io, StoreError};
use crate::limits;

/// File name of the live CIB.
pub const CIB_FILE: &str = "cib.xml";
/// File name of its checksum.
pub const SIG_FILE: &str = "cib.xml.sig";
/// File holding the number of the newest backup.
pub const LAST_FILE: &str = "cib.last";

/// The empty configuration written on first start (what Debian's `cibadmin --empty` prints).
pub fn empty_cib() -> String {
    cib::empty::first_start().to_xml()
}

/// The SHA-256 of `bytes` as lowercase hex.
pub fn checksum(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// What [`CibStore::load`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// A verified CIB.
    Existing(String),
    /// No CIB was stored; the empty configuration was written and is returned.
    Created(String),
}

impl Loaded {
    /// The CIB text.
    pub fn text(&self) -> &str {
        match self {
            Loaded::Existing(t) | Loaded::Created(t) => t,
        }
    }
}

/// The CIB files in one state directory.
#[derive(Debug, Clone)]
pub struct CibStore {
    dir: PathBuf,
}

impl CibStore {
    /// A store in `dir` (created when missing).
    pub fn open(dir: &Path) -> Result<CibStore, StoreError> {
        fs::create_dir_all(dir).map_err(io(dir, "create directory"))?;
        Ok(CibStore {
            dir: dir.to_path_buf(),
        })
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the live CIB file.
    pub fn cib_path(&self) -> PathBuf {
        self.dir.join(CIB_FILE)
    }

    /// Reads and verifies the stored CIB; on first start writes and returns the empty one.
    ///
    /// A file whose checksum does not match, that has no checksum, or that is not a
    /// `<cib>` document is [`StoreError::Corrupt`]; it is left in place for inspection.
    pub fn load(&self) -> Result<Loaded, StoreError> {
        let path = self.cib_path();
        if !path.exists() {
            let text = empty_cib();
            self.save(&text)?;
            tracing::info!(path = %path.display(), "created an empty CIB");
            return Ok(Loaded::Created(text));
        }
        let bytes = read_bounded(&path)?;
        let sig_path = self.dir.join(SIG_FILE);
        let sig = match fs::read_to_string(&sig_path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::Corrupt {
                    path,
                    reason: format!("{} is missing", sig_path.display()),
                })
            }
            Err(e) => return Err(io(&sig_path, "read")(e)),
        };
        let want = sig.trim();
        let got = checksum(&bytes);
        if want != got {
            return Err(StoreError::Corrupt {
                path,
                reason: format!("checksum mismatch (sidecar {want}, file {got})"),
            });
        }
        let text = String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            reason: format!("not UTF-8: {e}"),
        })?;
        match cib::xml::parse(&text) {
            Ok(root) if root.name == "cib" => Ok(Loaded::Existing(text)),
            Ok(root) => Err(StoreError::Corrupt {
                path,
                reason: format!("root element is <{}>, not <cib>", root.name),
            }),
            Err(e) => Err(StoreError::Corrupt {
                path,
                reason: e.to_string(),
            }),
        }
    }

    /// Replaces the stored CIB with `text`: backup of the old copy, temp file, fsync,
    /// rename, fsync of the directory; then the sidecar the same way.
    ///
    /// A crash at any point leaves either the old pair, or the new CIB with the old
    /// sidecar (detected as corrupt on load and replaced from peers), never a torn file.
    pub fn save(&self, text: &str) -> Result<(), StoreError> {
        self.remove_stale_temps();
        let cib_path = self.cib_path();
        if cib_path.exists() {
            self.backup()?;
        }
        let sig = checksum(text.as_bytes());
        write_atomic(&self.dir, CIB_FILE, text.as_bytes())?;
        write_atomic(&self.dir, SIG_FILE, format!("{sig}\n").as_bytes())?;
        Ok(())
    }

    /// Numbers of the backups present, oldest first.
    pub fn backups(&self) -> Vec<u32> {
        let last = self.last_backup();
        let mut out = Vec::new();
        if let Some(last) = last {
            for k in 1..=limits::MAX_BACKUPS {
                let n = (last + k) % limits::MAX_BACKUPS;
                if self.dir.join(format!("cib-{n}.raw")).exists() {
                    out.push(n);
                }
            }
        }
        out
    }

    /// Text of backup `n`, verified against its checksum.
    pub fn read_backup(&self, n: u32) -> Result<String, StoreError> {
        let path = self.dir.join(format!("cib-{n}.raw"));
        let bytes = read_bounded(&path)?;
        let sig_path = self.dir.join(format!("cib-{n}.raw.sig"));
        let sig = fs::read_to_string(&sig_path).map_err(io(&sig_path, "read"))?;
        if sig.trim() != checksum(&bytes) {
            return Err(StoreError::Corrupt {
                path,
                reason: "checksum mismatch".into(),
            });
        }
        String::from_utf8(bytes).map_err(|e| StoreError::Corrupt {
            path,
            reason: format!("not UTF-8: {e}"),
        })
    }

    fn last_backup(&self) -> Option<u32> {
        let text = fs::read_to_string(self.dir.join(LAST_FILE)).ok()?;
        text.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n < limits::MAX_BACKUPS)
    }

    fn backup(&self) -> Result<(), StoreError> {
        let n = match self.last_backup() {
            Some(last) => (last + 1) % limits::MAX_BACKUPS,
            None => 0,
        };
        let raw = self.dir.join(format!("cib-{n}.raw"));
        let raw_sig = self.dir.join(format!("cib-{n}.raw.sig"));
        let cib_path = self.cib_path();
        // A hard link keeps the old file intact until the rename replaces cib.xml.
        let _ = fs::remove_file(&raw);
        fs::hard_link(&cib_path, &raw)
            .or_else(|_| fs::copy(&cib_path, &raw).map(|_| ()))
            .map_err(io(&raw, "back up"))?;
        let sig_path = self.dir.join(SIG_FILE);
        if sig_path.exists() {
            let _ = fs::remove_file(&raw_sig);
            fs::copy(&sig_path, &raw_sig).map_err(io(&raw_sig, "back up"))?;
        }
        write_atomic(&self.dir, LAST_FILE, format!("{n}\n").as_bytes())
    }

    fn remove_stale_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with(".tmp-") {
                tracing::debug!(file = %e.path().display(), "removing a temp file left by a crash");
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, StoreError> {
    let f = File::open(path).map_err(io(path, "open"))?;
    let size = f.metadata().map_err(io(path, "stat"))?.len();
    if size > limits::MAX_CIB_BYTES {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            size,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(limits::MAX_CIB_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io(path, "read"))?;
    Ok(bytes)
}

/// Writes `name` in `dir` atomically: `.tmp-NAME` written and fsynced, renamed, dir fsynced.
pub(crate) fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let tmp = dir.join(format!(".tmp-{name}"));
    let dest = dir.join(name);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(io(&tmp, "create"))?;
        f.write_all(bytes).map_err(io(&tmp, "write"))?;
        f.sync_all().map_err(io(&tmp, "fsync"))?;
    }
    fs::rename(&tmp, &dest).map_err(io(&dest, "rename"))?;
    let d = File::open(dir).map_err(io(dir, "open directory"))?;
    d.sync_all().map_err(io(dir, "fsync directory"))?;
    Ok(())
}
