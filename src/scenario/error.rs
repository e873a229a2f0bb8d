//! Scenario errors: each names the file, line and column, the field, what was wrong and what
//! is allowed.

use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based; 0 when the error is about the file as a whole (it could not be read) or about
    /// an override (`override_arg`).
    pub line: usize,
    pub column: usize,
    /// The field path, e.g. `policies[0].copy_interval`.
    pub field: String,
    pub problem: String,
    pub allowed: Option<String>,
    /// The override (`PATH=VALUE`) the error is about, printed as `--set PATH=VALUE` in place
    /// of the line and column: the value it set is not in the file.
    pub override_arg: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(arg) = &self.override_arg {
            write!(f, ": --set {arg}")?;
        } else if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.problem)?;
        if let Some(allowed) = &self.allowed {
            write!(f, "\n  allowed: {allowed}")?;
        }
        Ok(())
    }
}

/// Every error found in one file: parsing reports each unknown field and wrong type up to the
/// first error it cannot read past, validation all it finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
