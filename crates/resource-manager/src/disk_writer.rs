//! Writes the CIB replica and the scheduler inputs to disk in a thread of its own.
//!
//! Each write is several fsyncs (temp file, backup, rename; pe-input and its `.last`
//! counter): done in the manager's loop they sat between a transition being computed and
//! its actions being multicast, and between a result and the next dispatch (tens of ms on
//! a loaded host). The loop now hands the text over and goes on; the writer keeps the
//! order of the scheduler inputs and writes only the newest CIB when several wait.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use cib_store::{CibStore, PeSeries, SeriesKind};

use crate::error::RmError;
use crate::limits;

/// Work waiting for the writer.
#[derive(Default)]
struct Queue {
    /// The newest CIB to write, with its version for the log.
    cib: Option<(Arc<String>, String)>,
    /// Scheduler inputs to save, oldest first.
    inputs: VecDeque<(SeriesKind, String, i64)>,
    /// Inputs dropped because the queue was full, not yet logged.
    dropped: u64,
    /// No more work will come: write what is queued and stop.
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    wake: Condvar,
}

/// The writer thread and its queue.
pub struct DiskWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl DiskWriter {
    /// Starts the writer. `replacing_unusable`: the stored CIB was unusable, so the first
    /// copy written replaces it (logged).
    pub fn start(
        store: CibStore,
        series: PeSeries,
        replacing_unusable: bool,
    ) -> Result<DiskWriter, RmError> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
        });
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("rm-disk".into())
            .spawn(move || write_loop(&theirs, &store, &series, replacing_unusable))
            .map_err(|source| RmError::Io {
                what: "spawning the disk writer for",
                path: std::path::PathBuf::from("cib"),
                source,
            })?;
        Ok(DiskWriter {
            shared,
            thread: Some(thread),
        })
    }

    fn with_queue(&self, f: impl FnOnce(&mut Queue)) {
        let mut q = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut q);
        drop(q);
        self.shared.wake.notify_one();
    }

    /// Queues the CIB `xml` (version `version`, for the log); replaces a copy not yet written.
    pub fn save_cib(&self, xml: Arc<String>, version: String) {
        self.with_queue(|q| q.cib = Some((xml, version)));
    }

    /// Queues a scheduler input for the pe-* series bounded by `max`.
    pub fn save_input(&self, kind: SeriesKind, xml: String, max: i64) {
        self.with_queue(|q| {
            if q.inputs.len() >= limits::DISK_INPUTS_QUEUED_MAX {
                q.inputs.pop_front();
                q.dropped += 1;
            }
            q.inputs.push_back((kind, xml, max));
        });
    }

    /// Writes what is queued and stops the thread.
    pub fn finish(&mut self) {
        self.with_queue(|q| q.closed = true);
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::error!("the disk writer panicked");
            }
        }
    }
}

impl Drop for DiskWriter {
    fn drop(&mut self) {
        self.finish();
    }
}

fn write_loop(shared: &Shared, store: &CibStore, series: &PeSeries, mut replacing: bool) {
    loop {
        let (cib, inputs, dropped, closed) = {
            let mut q = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            while q.cib.is_none() && q.inputs.is_empty() && !q.closed {
                q = shared.wake.wait(q).unwrap_or_else(|e| e.into_inner());
            }
            (
                q.cib.take(),
                std::mem::take(&mut q.inputs),
                std::mem::take(&mut q.dropped),
                q.closed,
            )
        };
        if dropped > 0 {
            tracing::warn!("disk writer behind: {dropped} scheduler input(s) not saved");
        }
        for (kind, xml, max) in inputs {
            if let Err(e) = series.save(kind, &xml, max) {
                tracing::warn!("saving a scheduler input: {e}");
            }
        }
        if let Some((xml, version)) = cib {
            match store.save(&xml) {
                Err(e) => tracing::error!("saving the CIB: {e}"),
                Ok(()) if std::mem::take(&mut replacing) => tracing::info!(
                    "replaced the unusable stored CIB with the cluster's copy (version {version})"
                ),
                Ok(()) => {}
            }
        }
        if closed {
            let q = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            if q.cib.is_none() && q.inputs.is_empty() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_cib_and_every_input_are_written_before_finish_returns() {
        let dir = std::env::temp_dir().join(format!("rm-disk-writer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = CibStore::open(&dir).expect("store");
        let series = PeSeries::open(&dir.join("pengine")).expect("series");
        let mut w = DiskWriter::start(store, series, false).expect("writer");
        for n in 1..=3 {
            w.save_input(SeriesKind::Input, format!("<cib epoch=\"{n}\"/>"), 10);
            w.save_cib(
                Arc::new(format!("<cib epoch=\"{n}\"/>")),
                format!("0.{n}.0"),
            );
        }
        w.finish();
        let stored = CibStore::open(&dir).expect("store").load().expect("load");
        assert_eq!(stored.text(), "<cib epoch=\"3\"/>");
        let inputs = std::fs::read_dir(dir.join("pengine"))
            .expect("pengine")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("pe-input-"))
            .count();
        assert_eq!(inputs, 3);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
