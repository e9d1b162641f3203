//! LSB init scripts: their `### BEGIN INIT INFO` header, turned into meta-data.

use std::io::Read;
use std::path::Path;

use crate::limits;

/// Fields of an LSB INIT INFO header that meta-data shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LsbHeader {
    /// `Provides:`.
    pub provides: Option<String>,
    /// `Short-Description:`.
    pub short_description: Option<String>,
    /// `Description:` with its continuation lines.
    pub description: Option<String>,
}

/// Parses the INIT INFO block of a script's text.
pub fn parse_header(text: &str) -> LsbHeader {
    let mut header = LsbHeader::default();
    let mut inside = false;
    let mut in_description = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == "### BEGIN INIT INFO" {
            inside = true;
            continue;
        }
        if trimmed == "### END INIT INFO" {
            break;
        }
        if !inside {
            continue;
        }
        let Some(body) = line.strip_prefix('#') else {
            continue;
        };
        if in_description && (body.starts_with('\t') || body.starts_with("  ")) {
            if let Some(description) = header.description.as_mut() {
                description.push(' ');
                description.push_str(body.trim());
            }
            continue;
        }
        in_description = false;
        let body = body.trim();
        if let Some(value) = body.strip_prefix("Provides:") {
            header.provides = Some(value.trim().to_string());
        } else if let Some(value) = body.strip_prefix("Short-Description:") {
            header.short_description = Some(value.trim().to_string());
        } else if let Some(value) = body.strip_prefix("Description:") {
            header.description = Some(value.trim().to_string());
            in_description = true;
        }
    }
    header
}

/// Reads the header of the script at `path` (its first bytes only).
pub fn read_header(path: &Path) -> std::io::Result<LsbHeader> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limits::MAX_LSB_HEADER_BYTES as u64)
        .read_to_end(&mut bytes)?;
    Ok(parse_header(&String::from_utf8_lossy(&bytes)))
}

/// Escapes text for XML content or attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Meta-data XML for an agent that has no meta-data action (LSB script or systemd unit).
pub fn synthesized_metadata(
    name: &str,
    short: &str,
    long: &str,
    actions: &[(&str, &str)],
) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\"?>\n<resource-agent name=\"{}\" version=\"0.1\">\n  <version>1.1</version>\n  <longdesc lang=\"en\">{}</longdesc>\n  <shortdesc lang=\"en\">{}</shortdesc>\n  <parameters/>\n  <actions>\n",
        xml_escape(name),
        xml_escape(long),
        xml_escape(short)
    );
    for (action, timeout) in actions {
        xml.push_str(&format!(
            "    <action name=\"{action}\" timeout=\"{timeout}\"/>\n"
        ));
    }
    xml.push_str("  </actions>\n</resource-agent>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_init_info_block() {
        let text = "#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          foo\n# Short-Description: Foo daemon\n# Description:       Runs foo\n#                    and more foo.\n# Default-Start: 2 3\n### END INIT INFO\n# Provides: not-this\n";
        let header = parse_header(text);
        assert_eq!(header.provides.as_deref(), Some("foo"));
        assert_eq!(header.short_description.as_deref(), Some("Foo daemon"));
        assert_eq!(
            header.description.as_deref(),
            Some("Runs foo and more foo.")
        );
    }

    #[test]
    fn synthesized_metadata_escapes_text() {
        let xml = synthesized_metadata("a&b", "<s>", "l", &[("start", "15s")]);
        assert!(xml.contains("name=\"a&amp;b\""));
        assert!(xml.contains("&lt;s&gt;"));
        assert!(xml.contains("<action name=\"start\" timeout=\"15s\"/>"));
    }
}
