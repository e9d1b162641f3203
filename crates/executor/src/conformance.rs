//! The conformance sequence ocf-tester runs, step by step, with each step's result.

use crate::agent_info;
use crate::error::ExecError;
use crate::metadata::{Metadata, MetadataCache};
use crate::outcome::{ExecStatus, OcfCode, OpResult};
use crate::paths::AgentPaths;
use crate::request::OpRequest;
use crate::spec::Action;

/// One step of the sequence.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step checks, e.g. "monitor when stopped".
    pub name: String,
    /// The action run.
    pub action: Action,
    /// Codes accepted.
    pub expected: Vec<OcfCode>,
    /// What happened.
    pub result: OpResult,
}

impl Step {
    /// True when the agent answered an accepted code.
    pub fn passed(&self) -> bool {
        self.expected.iter().any(|code| self.result.is(*code))
    }
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The agent's meta-data, when it could be read.
    pub metadata: Option<Metadata>,
    /// Problem reading the meta-data, if any.
    pub metadata_error: Option<String>,
    /// Steps in order.
    pub steps: Vec<Step>,
}

impl Report {
    /// True when meta-data parsed and every step passed.
    pub fn passed(&self) -> bool {
        self.metadata_error.is_none() && self.steps.iter().all(Step::passed)
    }
}

/// Runs meta-data (which must parse), validate-all, monitor (7), start, monitor (0), start again, promote and
/// demote (when advertised), stop, stop again and monitor (7) for `template`'s agent and
/// parameters; `on_step` sees each step as it finishes. A failed step ends the sequence
/// after a clean-up stop.
pub fn run(
    template: &OpRequest,
    paths: &AgentPaths,
    mut on_step: impl FnMut(&Step),
) -> Result<Report, ExecError> {
    template.check()?;
    let cache = MetadataCache::new();
    let mut report = Report {
        metadata: None,
        metadata_error: None,
        steps: Vec::new(),
    };
    let request = OpRequest {
        action: Action::MetaData,
        interval: std::time::Duration::ZERO,
        ..template.clone()
    };
    let mut result = agent_info::run_blocking(&request, paths, &cache)?;
    let parsed = if result.status != ExecStatus::Done {
        Err(format!(
            "{}: {}",
            result.status,
            result.exit_reason.clone().unwrap_or_default()
        ))
    } else {
        Metadata::parse(
            &String::from_utf8_lossy(&result.stdout.bytes),
            &template.spec.to_string(),
        )
        .map_err(|error| error.to_string())
    };
    match parsed {
        Ok(metadata) => report.metadata = Some(metadata),
        Err(error) => {
            result.status = ExecStatus::Invalid;
            result.exit_reason = Some(error.clone());
            report.metadata_error = Some(error);
        }
    }
    let step = Step {
        name: "meta-data".into(),
        action: Action::MetaData,
        expected: vec![OcfCode::Success],
        result,
    };
    on_step(&step);
    report.steps.push(step);
    if report.metadata_error.is_some() {
        return Ok(report);
    }
    let advertised = |action: &str| {
        report
            .metadata
            .as_ref()
            .is_some_and(|m| m.has_action(action))
    };
    let promotable = advertised("promote") && advertised("demote");
    let mut plan: Vec<(&str, Action, Vec<OcfCode>)> = vec![
        ("validate-all", Action::ValidateAll, vec![OcfCode::Success]),
        (
            "monitor when stopped",
            Action::Monitor,
            vec![OcfCode::NotRunning],
        ),
        ("start", Action::Start, vec![OcfCode::Success]),
        (
            "monitor when started",
            Action::Monitor,
            vec![OcfCode::Success],
        ),
        ("start again", Action::Start, vec![OcfCode::Success]),
    ];
    if promotable {
        plan.extend([
            ("promote", Action::Promote, vec![OcfCode::Success]),
            (
                "monitor when promoted",
                Action::Monitor,
                vec![OcfCode::RunningPromoted],
            ),
            ("promote again", Action::Promote, vec![OcfCode::Success]),
            ("demote", Action::Demote, vec![OcfCode::Success]),
            (
                "monitor when demoted",
                Action::Monitor,
                vec![OcfCode::Success],
            ),
            ("demote again", Action::Demote, vec![OcfCode::Success]),
        ]);
    }
    plan.extend([
        ("stop", Action::Stop, vec![OcfCode::Success]),
        ("stop again", Action::Stop, vec![OcfCode::Success]),
        (
            "monitor when stopped again",
            Action::Monitor,
            vec![OcfCode::NotRunning],
        ),
    ]);
    let mut started = false;
    for (name, action, expected) in plan {
        let request = OpRequest {
            action,
            interval: std::time::Duration::ZERO,
            ..template.clone()
        };
        let result = agent_info::run_blocking(&request, paths, &cache)?;
        let step = Step {
            name: name.to_string(),
            action,
            expected,
            result,
        };
        on_step(&step);
        let passed = step.passed();
        report.steps.push(step);
        match action {
            Action::Start => started = true,
            Action::Stop if passed => started = false,
            _ => {}
        }
        if !passed {
            if started {
                let request = OpRequest {
                    action: Action::Stop,
                    ..template.clone()
                };
                let result = agent_info::run_blocking(&request, paths, &cache)?;
                let step = Step {
                    name: "clean-up stop".into(),
                    action: Action::Stop,
                    expected: vec![OcfCode::Success],
                    result,
                };
                on_step(&step);
                report.steps.push(step);
            }
            break;
        }
    }
    Ok(report)
}
