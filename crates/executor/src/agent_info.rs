//! Reading an agent's meta-data (through the cache) and resolving timeouts from it.

use std::sync::Arc;
use std::time::Duration;

use crate::error::ExecError;
use crate::invoke;
use crate::limits;
use crate::metadata::ParamProblem;
use crate::metadata::{Metadata, MetadataCache};
use crate::outcome::{ExecStatus, OcfCode, OpResult};
use crate::paths::AgentPaths;
use crate::request::OpRequest;
use crate::spec::{Action, AgentSpec, Class};

/// Timeout for the meta-data action itself.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the agent's meta-data action and parses its output (no cache).
pub fn read_metadata(spec: &AgentSpec, paths: &AgentPaths) -> Result<Metadata, ExecError> {
    let request = OpRequest::new(
        format!("{}-meta-data", spec.kind),
        spec.clone(),
        Action::MetaData,
    );
    let mut meta_paths = paths.clone();
    meta_paths.max_stdout = limits::MAX_METADATA_BYTES;
    let result = invoke::execute(&request, METADATA_TIMEOUT, &meta_paths, None);
    let failed = |reason: String| ExecError::Metadata {
        spec: spec.to_string(),
        reason,
    };
    if result.status != ExecStatus::Done {
        return Err(failed(format!(
            "{}: {}",
            result.status,
            result.exit_reason.unwrap_or_default()
        )));
    }
    if result.stdout.truncated() {
        return Err(failed(format!(
            "output larger than {} bytes",
            limits::MAX_METADATA_BYTES
        )));
    }
    // Fence agents exit 0 after printing meta-data; some OCF agents do too with odd codes,
    // so the XML decides.
    let text = String::from_utf8_lossy(&result.stdout.bytes);
    if text.trim().is_empty() {
        return Err(failed(format!(
            "agent printed no meta-data (rc={})",
            result.code
        )));
    }
    Metadata::parse(&text, &spec.to_string())
}

/// The meta-data of `spec`, from `cache` or read and cached.
pub fn metadata(
    spec: &AgentSpec,
    paths: &AgentPaths,
    cache: &MetadataCache,
) -> Result<Arc<Metadata>, ExecError> {
    if let Some(found) = cache.get(spec) {
        return Ok(found);
    }
    let metadata = Arc::new(read_metadata(spec, paths)?);
    cache.insert(spec.clone(), metadata.clone());
    Ok(metadata)
}

/// The timeout for `request`: its own, else the agent's advertised default, else 20 s.
pub fn resolve_timeout(request: &OpRequest, paths: &AgentPaths, cache: &MetadataCache) -> Duration {
    if let Some(timeout) = request.timeout {
        return timeout;
    }
    if request.action == Action::MetaData {
        return METADATA_TIMEOUT;
    }
    match metadata(&request.spec, paths, cache) {
        Ok(metadata) => metadata
            .default_timeout(request.action, request.interval)
            .unwrap_or(limits::DEFAULT_TIMEOUT),
        Err(error) => {
            tracing::debug!(%error, "no meta-data for the default timeout");
            limits::DEFAULT_TIMEOUT
        }
    }
    .min(limits::MAX_TIMEOUT)
}

/// `request` completed from the agent's meta-data where Pacemaker does so: for fencing a
/// target without `pcmk_host_argument`, the argument is `plug` when the agent declares it,
/// else `port`.
pub fn complete(request: &OpRequest, paths: &AgentPaths, cache: &MetadataCache) -> OpRequest {
    let mut completed = request.clone();
    if request.spec.class == Class::Stonith
        && request.target.is_some()
        && !request.params.contains_key("pcmk_host_argument")
    {
        let plug = metadata(&request.spec, paths, cache)
            .map(|metadata| metadata.parameters.iter().any(|p| p.name == "plug"))
            .unwrap_or(false);
        let argument = if plug { "plug" } else { "port" };
        completed
            .params
            .insert("pcmk_host_argument".into(), argument.into());
    }
    completed
}

/// A refusal for a start, reload or validate-all whose parameters break the agent's
/// meta-data; `None` when they are fine, for other actions, or without meta-data.
pub fn param_errors(
    request: &OpRequest,
    paths: &AgentPaths,
    cache: &MetadataCache,
) -> Option<OpResult> {
    if !matches!(
        request.action,
        Action::Start | Action::Reload | Action::ReloadAgent | Action::ValidateAll
    ) {
        return None;
    }
    let metadata = metadata(&request.spec, paths, cache).ok()?;
    let errors: Vec<String> = metadata
        .validate(&request.params, request.spec.class)
        .into_iter()
        .filter(ParamProblem::is_error)
        .map(|problem| problem.to_string())
        .collect();
    if errors.is_empty() {
        return None;
    }
    Some(OpResult::not_run(
        OcfCode::ErrConfigured,
        ExecStatus::Invalid,
        format!(
            "{} parameters of {}: {}",
            request.spec,
            request.resource,
            errors.join("; ")
        ),
    ))
}

/// Runs `request` once, synchronously, in this thread (completed and timed as by the executor).
pub fn run_blocking(
    request: &OpRequest,
    paths: &AgentPaths,
    cache: &MetadataCache,
) -> Result<crate::outcome::OpResult, ExecError> {
    request.check()?;
    let request = complete(request, paths, cache);
    let timeout = resolve_timeout(&request, paths, cache);
    Ok(invoke::execute(&request, timeout, paths, None))
}
