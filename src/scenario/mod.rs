//! Scenario files: TOML read into a raw layer that mirrors the file ([`raw`]), then validated
//! into the typed [`crate::model::Scenario`]. Every error names the file, line and column, the
//! field path, what was wrong and what is allowed. Overrides (`links.wan.capacity=200Mbps`,
//! [`Override`]) edit the TOML document before it is read.

mod batches;
mod error;
mod failovers;
mod import;
mod limits;
mod overrides;
pub mod raw;
mod trace;
mod validate;

pub use error::{ScenarioError, ScenarioErrors};
pub use overrides::Override;
pub use validate::parse_datetime;

use crate::engine::stable_hash;
use crate::model::Scenario;
use std::path::Path;

/// Read and validate the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    load_with(path, &[])
}

/// Read the scenario file at `path`, apply `overrides` in order, and validate the result.
pub fn load_with(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            field: String::new(),
            problem: format!("cannot read the scenario file: {e}"),
            allowed: None,
            override_arg: None,
        }])
    })?;
    from_text_with(&text, path, overrides)
}

/// Validate scenario `text` as if read from `path` (relative trace files resolve against it).
pub fn from_text(text: &str, path: &Path) -> Result<Scenario, ScenarioErrors> {
    from_text_with(text, path, &[])
}

/// Apply `overrides` in order to scenario `text` and validate the result as if read from
/// `path`. Errors about a value an override set name the override; all others keep their
/// line and column in `text`.
pub fn from_text_with(
    text: &str,
    path: &Path,
    overrides: &[Override],
) -> Result<Scenario, ScenarioErrors> {
    if overrides.is_empty() {
        // The file as written: the hash covers exactly its bytes, as before overrides existed.
        return validate_text(text, path);
    }
    let edited = match overrides::apply(text, path, overrides) {
        Ok(edited) => edited,
        Err(overrides::Failure::Errors(errors)) => return Err(errors),
        Err(overrides::Failure::Syntax(message)) => {
            // The file is not TOML: report that as without overrides, at its own position.
            validate_text(text, path)?;
            return Err(ScenarioErrors(vec![ScenarioError {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
                field: String::new(),
                problem: format!("cannot apply the overrides: {message}"),
                allowed: None,
                override_arg: None,
            }]));
        }
    };
    match validate_text(&edited.text, path) {
        Ok(mut s) => {
            s.overrides = overrides.iter().map(Override::to_string).collect();
            Ok(s)
        }
        Err(ScenarioErrors(errors)) => Err(ScenarioErrors(edited.locate(errors))),
    }
}

/// Parse and validate `text`; the hash covers `text` and the files it includes.
fn validate_text(text: &str, path: &Path) -> Result<Scenario, ScenarioErrors> {
    let raw: raw::RawScenario = parse(text, path)?;
    let mut ctx = validate::Ctx {
        file: path,
        text,
        errors: Vec::new(),
        included: Vec::new(),
        warnings: Vec::new(),
    };
    let scenario = validate::validate(&mut ctx, &raw, &validate::base_dir(path));
    match scenario {
        Some(mut s) if ctx.errors.is_empty() => {
            let over = limits::check(&s, path);
            if !over.is_empty() {
                return Err(ScenarioErrors(over));
            }
            let mut material = text.as_bytes().to_vec();
            material.extend_from_slice(&ctx.included);
            s.hash = stable_hash(&material);
            s.warnings = ctx.warnings;
            Ok(s)
        }
        _ => Err(ScenarioErrors(ctx.errors)),
    }
}

/// TOML syntax and shape: unknown fields, missing fields and wrong types end here, with the
/// field path from serde_path_to_error and the position from the TOML parser.
fn parse(text: &str, path: &Path) -> Result<raw::RawScenario, ScenarioErrors> {
    let de = toml::Deserializer::new(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        // toml's Spanned wraps values in a private field; it is not a field of the file.
        let field = e
            .path()
            .to_string()
            .replace(".$__serde_spanned_private_value", "");
        let inner = e.into_inner();
        let (line, column) = inner
            .span()
            .map_or((1, 1), |s| error::line_col(text, s.start));
        let message = inner.message().trim().to_string();
        let (problem, mut allowed) = split_expected(&message);
        if allowed.as_deref() == Some("a string") {
            allowed = Some(
                "a quoted string: values with units are strings, e.g. \"5m\", \"100 Mbps\", \"500 GiB\"".into(),
            );
        }
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line,
            column,
            field: if field == "." { String::new() } else { field },
            problem,
            allowed,
            override_arg: None,
        }])
    })
}

/// serde says "unknown field `x`, expected one of `a`, `b`": keep the allowed list apart.
fn split_expected(message: &str) -> (String, Option<String>) {
    for marker in [", expected one of ", ", expected "] {
        if let Some((problem, expected)) = message.split_once(marker) {
            return (problem.to_string(), Some(expected.replace('`', "")));
        }
    }
    (message.to_string(), None)
}
