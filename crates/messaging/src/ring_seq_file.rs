//! The persisted ring sequence number: `<state_dir>/ringid_<nodeid>` (the seq of the last ring,
//! 8 bytes little-endian, mode 0600) and `<state_dir>/ringid_<nodeid>.reserve` (a durable upper
//! bound on every seq this node may have used).
//!
//! Totem needs ring seqs to grow across restarts (guarantee G9), so a seq must be on disk before
//! it is used. An fsync per new ring would sit on the critical path of every membership change
//! (the representative persists before it sends the commit token, every member before it
//! forwards it), and on a busy disk one fsync takes tens of milliseconds. Instead a new seq
//! overwrites the 8 bytes of `ringid_<nodeid>` in place, without fsync (a process crash cannot
//! lose it: the page cache survives), and the reserve file durably covers [`RESERVE_SEQS`] seqs ahead of it: only a seq
//! beyond the reserve pays an fsync, once per about a thousand rings. [`load`] returns the larger
//! of the two, so even after a power loss a restarted node starts above every seq it used.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// How far beyond a stored seq the durable reserve reaches (new rings take seq + 4, so this is
/// 1024 rings per fsync).
pub const RESERVE_SEQS: u64 = 4096;

/// Where a node's ring seq lives.
pub fn path(state_dir: &Path, nodeid: u32) -> PathBuf {
    state_dir.join(format!("ringid_{nodeid}"))
}

/// Where the durable reserve lives.
pub fn reserve_path(state_dir: &Path, nodeid: u32) -> PathBuf {
    state_dir.join(format!("ringid_{nodeid}.reserve"))
}

/// Reads one 8-byte seq file; `Ok(None)` when it does not exist.
fn read_seq(file: &Path) -> std::io::Result<Option<u64>> {
    match std::fs::read(file) {
        Ok(bytes) => {
            let array: [u8; 8] = bytes.as_slice().try_into().map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{}: expected 8 bytes, found {}",
                        file.display(),
                        bytes.len()
                    ),
                )
            })?;
            Ok(Some(u64::from_le_bytes(array)))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// Reads the seq to restart from: the larger of the stored seq and the reserve; `Ok(None)`
/// when neither file exists yet.
pub fn load(state_dir: &Path, nodeid: u32) -> std::io::Result<Option<u64>> {
    let stored = read_seq(&path(state_dir, nodeid))?;
    let reserve = read_seq(&reserve_path(state_dir, nodeid))?;
    Ok(stored.max(reserve))
}

/// Writes `seq` to `file` durably through a temporary file and a rename, so a reader never
/// sees a partial value: the data and the directory entry are fsynced.
fn write_seq_durably(state_dir: &Path, file: &Path, seq: u64) -> std::io::Result<()> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = state_dir.join(format!(".{name}.tmp"));
    {
        let mut handle = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        handle.write_all(&seq.to_le_bytes())?;
        handle.sync_all()?;
    }
    std::fs::rename(&temporary, file)?;
    std::fs::File::open(state_dir)?.sync_all()
}

/// Stores `seq` so that a restart resumes above it: the reserve is extended durably first when
/// `seq` is beyond it (an unreadable reserve counts as none), then the seq itself is written.
pub fn store(state_dir: &Path, nodeid: u32, seq: u64) -> std::io::Result<()> {
    let reserve_file = reserve_path(state_dir, nodeid);
    let reserve = read_seq(&reserve_file).ok().flatten().unwrap_or(0);
    if seq > reserve {
        write_seq_durably(state_dir, &reserve_file, seq.saturating_add(RESERVE_SEQS))?;
    }
    overwrite_seq(&path(state_dir, nodeid), seq)
}

/// Overwrites the 8 bytes of `file` in place (created if absent): no rename and no new inode, so
/// the filesystem journal is not involved and the call does not stall behind other writers.
fn overwrite_seq(file: &Path, seq: u64) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    let handle = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(file)?;
    if handle.metadata()?.len() != 8 {
        handle.set_len(8)?;
    }
    handle.write_all_at(&seq.to_le_bytes(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn store_then_load_round_trips_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!("tandemd-ringseq-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        assert_eq!(load(&dir, 3).expect("load"), None);
        store(&dir, 3, 0x1a).expect("store");
        store(&dir, 3, 0x1e).expect("store again");
        let exact = std::fs::read(path(&dir, 3)).expect("ringid file");
        assert_eq!(exact, 0x1e_u64.to_le_bytes());
        for file in [path(&dir, 3), reserve_path(&dir, 3)] {
            let mode = std::fs::metadata(&file)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
        std::fs::write(path(&dir, 4), b"short").expect("write");
        assert!(load(&dir, 4).is_err());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    /// A restart resumes above every seq used, from the reserve, even if the last seq never
    /// reached the disk; the reserve is rewritten only when a seq passes it.
    #[test]
    fn reserve_covers_unsynced_seqs_and_is_extended_when_passed() {
        let dir = std::env::temp_dir().join(format!("tandemd-ringreserve-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        store(&dir, 1, 8).expect("store");
        let reserve = read_seq(&reserve_path(&dir, 1)).expect("read");
        assert_eq!(reserve, Some(8 + RESERVE_SEQS));
        store(&dir, 1, 12).expect("store");
        assert_eq!(read_seq(&reserve_path(&dir, 1)).expect("read"), reserve);
        // Lose the exact file (as a power loss might): load still starts above 12.
        std::fs::remove_file(path(&dir, 1)).expect("remove");
        assert!(load(&dir, 1).expect("load").is_some_and(|seq| seq > 12));
        store(&dir, 1, 9 + RESERVE_SEQS).expect("store beyond the reserve");
        assert_eq!(
            read_seq(&reserve_path(&dir, 1)).expect("read"),
            Some(9 + 2 * RESERVE_SEQS)
        );
        assert_eq!(load(&dir, 1).expect("load"), Some(9 + 2 * RESERVE_SEQS));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
