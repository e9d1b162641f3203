//! The crm shell's `configure` language (as crmsh 4.4 writes it), parsed into CIB XML
//! elements and printed back from them (`crm configure show`).
//!
//! This crate does no IO: it turns text into [`Statement`]s, statements into
//! [`cib::xml::Element`]s with crmsh's generated ids, and elements back into text.
//!
//! # Use (for `tandem configure`)
//! ```
//! let text = "primitive p_ip ocf:heartbeat:IPaddr2 params ip=10.0.0.1 op monitor interval=30s\n";
//! let statements = crm_syntax::parse(text, "cmds.crm")?;
//! let mut cib = cib::xml::parse(crm_syntax::EMPTY_CIB).expect("valid");
//! crm_syntax::load_update(&mut cib, &statements)?;   // `crm configure load update FILE`
//! // or, one at a time as typed interactively: crm_syntax::apply(&mut cib, &statements[0])?;
//! assert!(crm_syntax::show(&cib).starts_with("primitive p_ip IPaddr2 \\\n\tparams ip=10.0.0.1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//! - [`parse()`] fails with a [`ParseError`] naming source, line, column and word.
//! - [`apply()`] is one interactive command (`crm configure primitive ...`): an existing id
//!   is an error, `property`/`rsc_defaults`/`op_defaults` merge, `delete` removes objects
//!   and the constraint references to them (as crmsh does).
//! - [`load_update`] is `crm configure load update FILE` (and what `tandem configure`
//!   should use for a file or stdin): kinds are applied in crmsh's order, existing
//!   objects are replaced, an id defined twice in one load is an error.
//! - [`load_replace`] is `crm configure load replace FILE`; `edit` is: [`show()`], run
//!   `$EDITOR` on the text, [`parse()`], [`load_replace`]; `commit` is the caller's
//!   write of the edited document.
//! - [`show()`] / [`show_ids`] print `crm configure show [ID...]`.
//! - [`Statement::to_cib_xml`] gives the elements of one statement alone (containers
//!   without members). Errors from editing a document are [`ApplyError`]s naming the line.
//! - Agent existence and parameter checks are not done here: the caller checks the
//!   primitives' agents against executor metadata (and offers `--force`).
//! - `ms` is written as `<master>`, as crmsh 4.4 writes it into a pacemaker-3.9 CIB;
//!   `clone ... meta promotable=true` is the promotable-clone form.
//! - Expected outputs in `tests/fixtures` were recorded from crmsh 4.4 with
//!   `tests/fixtures/regen.sh`; `tests/crmsh_differential.rs` re-checks them against the
//!   installed crmsh when `TANDEM_SLOW_TESTS=1`.

#![deny(missing_docs)]

pub mod apply;
pub mod ast;
pub mod build;
pub mod error;
pub mod ids;
pub mod lexer;
pub mod limits;
pub mod parse;
pub mod show;

pub use apply::{apply, load_replace, load_update};
pub use ast::{Command, Statement};
pub use error::{ApplyError, ParseError};
pub use parse::parse;
pub use show::{show, show_ids, ShowError};

use cib::xml::Element;

/// An empty CIB document, as `cibadmin --empty` prints it.
pub const EMPTY_CIB: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources/>
    <constraints/>
  </configuration>
  <status/>
</cib>
"#;

impl Statement {
    /// The CIB elements this statement stands for, with ids generated as in an empty
    /// document. Containers come without members (see [`apply()`]); `delete` gives none.
    pub fn to_cib_xml(&self) -> Result<Vec<Element>, ApplyError> {
        build::build(&self.command, &mut ids::IdAllocator::new())
    }
}
