//! The pe-input / pe-warn / pe-error series: every scheduler input, numbered, bounded.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{io, StoreError};
use crate::limits;
use crate::store::write_atomic;

/// Which series a scheduler input belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesKind {
    /// A run with no errors or warnings (`pe-input-series-max`).
    Input,
    /// A run that logged warnings (`pe-warn-series-max`).
    Warn,
    /// A run that logged errors (`pe-error-series-max`).
    Error,
}

impl SeriesKind {
    /// The file name stem: `pe-input`, `pe-warn` or `pe-error`.
    pub fn stem(self) -> &'static str {
        match self {
            SeriesKind::Input => "pe-input",
            SeriesKind::Warn => "pe-warn",
            SeriesKind::Error => "pe-error",
        }
    }

    /// The cluster property bounding the series.
    pub fn property(self) -> &'static str {
        match self {
            SeriesKind::Input => "pe-input-series-max",
            SeriesKind::Warn => "pe-warn-series-max",
            SeriesKind::Error => "pe-error-series-max",
        }
    }

    /// The property's default.
    pub fn default_max(self) -> i64 {
        match self {
            SeriesKind::Input => i64::from(limits::DEFAULT_INPUT_SERIES_MAX),
            _ => i64::from(limits::DEFAULT_WARN_ERROR_SERIES_MAX),
        }
    }
}

/// Scheduler inputs saved in one directory.
#[derive(Debug, Clone)]
pub struct PeSeries {
    dir: PathBuf,
}

impl PeSeries {
    /// A series directory (created when missing).
    pub fn open(dir: &Path) -> Result<PeSeries, StoreError> {
        fs::create_dir_all(dir).map_err(io(dir, "create directory"))?;
        Ok(PeSeries {
            dir: dir.to_path_buf(),
        })
    }

    /// Saves `xml` as the next file of `kind`, with `max` the series property (-1 for
    /// unlimited, which is capped at [`limits::MAX_SERIES`]; 0 saves nothing). Numbers
    /// wrap to 0 after `max - 1`, overwriting the oldest. Returns the path written.
    pub fn save(
        &self,
        kind: SeriesKind,
        xml: &str,
        max: i64,
    ) -> Result<Option<PathBuf>, StoreError> {
        let cap: u32 = if max < 0 {
            limits::MAX_SERIES
        } else {
            u32::try_from(max)
                .unwrap_or(limits::MAX_SERIES)
                .min(limits::MAX_SERIES)
        };
        if cap == 0 {
            return Ok(None);
        }
        let last_name = format!("{}.last", kind.stem());
        let next = match fs::read_to_string(self.dir.join(&last_name)) {
            Ok(t) => t.trim().parse::<u32>().map(|n| (n + 1) % cap).unwrap_or(0),
            Err(_) => 0,
        };
        let name = format!("{}-{next}.xml", kind.stem());
        write_atomic(&self.dir, &name, xml.as_bytes())?;
        write_atomic(&self.dir, &last_name, format!("{next}\n").as_bytes())?;
        Ok(Some(self.dir.join(name)))
    }

    /// Saves `xml` bounded by the series property read from the crm_config `options`
    /// (`get` returns a property's value), falling back to the default.
    pub fn save_with_options<'a>(
        &self,
        kind: SeriesKind,
        xml: &str,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Option<PathBuf>, StoreError> {
        let max = get(kind.property())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(kind.default_max());
        self.save(kind, xml, max)
    }
}
