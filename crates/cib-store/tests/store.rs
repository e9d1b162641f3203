//! CIB store on disk: create, save, backups, corruption and crash leftovers.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use cib_store::{limits, CibStore, Loaded, PeSeries, SeriesKind, StoreError};

static N: AtomicU32 = AtomicU32::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "cib-store-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn cib(epoch: u32) -> String {
    format!(
        "<cib epoch=\"{epoch}\" num_updates=\"0\" admin_epoch=\"0\">\n  <configuration/>\n  <status/>\n</cib>\n"
    )
}

#[test]
fn first_start_creates_the_empty_configuration() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    let loaded = store.load().expect("load");
    assert!(matches!(loaded, Loaded::Created(_)));
    assert!(loaded.text().contains("validate-with=\"pacemaker-3.9\""));
    assert!(loaded.text().contains("<resources/>"));
    // The second start reads what the first wrote.
    let again = store.load().expect("reload");
    assert_eq!(again, Loaded::Existing(loaded.text().to_string()));
}

#[test]
fn save_then_load_round_trips() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save(&cib(5)).expect("save");
    assert_eq!(store.load().expect("load").text(), cib(5));
    assert!(d.0.join("cib.xml.sig").exists());
}

#[test]
fn flipped_byte_is_reported_as_corrupt() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save(&cib(7)).expect("save");
    let mut bytes = fs::read(d.0.join("cib.xml")).expect("read");
    bytes[10] ^= 0x20;
    fs::write(d.0.join("cib.xml"), bytes).expect("corrupt it");
    let err = store.load().expect_err("corruption must be detected");
    assert!(err.is_corrupt(), "{err}");
    assert!(err.to_string().contains("checksum mismatch"), "{err}");
    assert!(err.to_string().contains("cib.xml"), "{err}");
}

#[test]
fn unparsable_file_with_matching_checksum_is_corrupt() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save("<cib><configuration></cib>").expect("save");
    let err = store.load().expect_err("malformed XML");
    assert!(err.is_corrupt(), "{err}");
    store.save("<other/>").expect("save");
    let err = store.load().expect_err("wrong root");
    assert!(err.to_string().contains("not <cib>"), "{err}");
}

#[test]
fn missing_sidecar_is_corrupt() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save(&cib(2)).expect("save");
    fs::remove_file(d.0.join("cib.xml.sig")).expect("remove sig");
    assert!(matches!(store.load(), Err(StoreError::Corrupt { .. })));
}

#[test]
fn crash_between_write_and_rename_leaves_the_old_copy() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save(&cib(3)).expect("save");
    // A crash after writing the temp file but before the rename: half a new CIB.
    fs::write(d.0.join(".tmp-cib.xml"), "<cib epoch=\"4\"").expect("temp");
    assert_eq!(store.load().expect("load ignores temp").text(), cib(3));
    // The next save clears the leftover.
    store.save(&cib(4)).expect("save");
    assert!(!d.0.join(".tmp-cib.xml").exists());
    assert_eq!(store.load().expect("load").text(), cib(4));
}

#[test]
fn crash_between_cib_and_sidecar_rename_is_detected() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    store.save(&cib(3)).expect("save");
    // New cib.xml renamed in place, process died before the sidecar's rename.
    fs::write(d.0.join("cib.xml"), cib(4)).expect("new cib");
    assert!(store.load().expect_err("stale sidecar").is_corrupt());
}

#[test]
fn backups_are_numbered_and_bounded() {
    let d = TempDir::new();
    let store = CibStore::open(&d.0).expect("open");
    let total = limits::MAX_BACKUPS + 5;
    for e in 1..=total {
        store.save(&cib(e)).expect("save");
    }
    let backups = store.backups();
    assert_eq!(backups.len() as u32, limits::MAX_BACKUPS);
    // The newest backup is the copy before the last save; the oldest kept is MAX_BACKUPS earlier.
    let newest = *backups.last().expect("some");
    assert_eq!(store.read_backup(newest).expect("read"), cib(total - 1));
    let oldest = backups[0];
    assert_eq!(
        store.read_backup(oldest).expect("read"),
        cib(total - limits::MAX_BACKUPS)
    );
    let raws = fs::read_dir(&d.0)
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".raw"))
        .count();
    assert_eq!(raws as u32, limits::MAX_BACKUPS);
}

#[test]
fn pe_series_wraps_at_the_property() {
    let d = TempDir::new();
    let series = PeSeries::open(&d.0).expect("open");
    let mut paths = Vec::new();
    for i in 0..5 {
        let p = series
            .save(SeriesKind::Input, &cib(i), 3)
            .expect("save")
            .expect("saved");
        paths.push(p.file_name().expect("name").to_string_lossy().to_string());
    }
    assert_eq!(
        paths,
        [
            "pe-input-0.xml",
            "pe-input-1.xml",
            "pe-input-2.xml",
            "pe-input-0.xml",
            "pe-input-1.xml"
        ]
    );
    assert_eq!(
        fs::read_to_string(d.0.join("pe-input-0.xml")).expect("read"),
        cib(3)
    );
    assert!(!d.0.join("pe-input-3.xml").exists());
    // 0 keeps none; warn and error series count separately.
    assert!(series
        .save(SeriesKind::Warn, &cib(1), 0)
        .expect("save")
        .is_none());
    let p = series
        .save_with_options(SeriesKind::Error, &cib(1), |k| {
            (k == "pe-error-series-max").then_some("1000")
        })
        .expect("save")
        .expect("saved");
    assert!(p.ends_with("pe-error-0.xml"));
}
