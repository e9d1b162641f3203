//! The persisted ring sequence number: `<state_dir>/ringid_<nodeid>`, 8 bytes, mode 0600.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Where a node's ring seq lives.
pub fn path(state_dir: &Path, nodeid: u32) -> PathBuf {
    state_dir.join(format!("ringid_{nodeid}"))
}

/// Reads the stored seq; `Ok(None)` when the file does not exist yet.
pub fn load(state_dir: &Path, nodeid: u32) -> std::io::Result<Option<u64>> {
    let file = path(state_dir, nodeid);
    match std::fs::read(&file) {
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

/// Stores `seq` durably: write a temporary file, fsync it, rename it over the old one, fsync the
/// directory.
pub fn store(state_dir: &Path, nodeid: u32, seq: u64) -> std::io::Result<()> {
    let final_path = path(state_dir, nodeid);
    let temporary = state_dir.join(format!(".ringid_{nodeid}.tmp"));
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(&seq.to_le_bytes())?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, &final_path)?;
    std::fs::File::open(state_dir)?.sync_all()?;
    Ok(())
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
        assert_eq!(load(&dir, 3).expect("load"), Some(0x1e));
        let mode = std::fs::metadata(path(&dir, 3))
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(path(&dir, 4), b"short").expect("write");
        assert!(load(&dir, 4).is_err());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
