//! Diagnostics about the user's files: where, how bad, what is wrong and what to do.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one of the user's files, printed compiler-style:
/// `content/bpf/x/index.fr.md:3:7: error: unknown field `titel``, then the hint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: usize,
    pub col: usize,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: pos.line,
            col: pos.col,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, pos, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.path.display(),
            self.line,
            self.col,
            severity,
            self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// A 1-based line and column (in characters, as editors count them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, col: 1 };

    /// Where `key =` first starts a line at or after byte `from`, for errors that the TOML
    /// parser gives no position for; the start of the file when it is nowhere.
    pub fn of_key(text: &str, from: usize, key: &str) -> Position {
        let mut offset = from;
        for line in text[from.min(text.len())..].split_inclusive('\n') {
            let trimmed = line.trim_start();
            if trimmed
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
            {
                return Position::at(text, offset + line.len() - trimmed.len());
            }
            offset += line.len();
        }
        Position::START
    }

    /// The position of byte `offset` in `text`; an offset past the end points just after it.
    pub fn at(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Position { line, col }
    }
}

/// The path shown to the user: relative to the site root when it is inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The known name closest to a misspelled one, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\nсд é\n\nz";
        let cases = [
            (0, 1, 1),
            (2, 1, 3),
            (3, 2, 1),
            (7, 2, 3),
            (8, 2, 4),
            (11, 3, 1),
            (12, 4, 1),
            (99, 4, 2),
        ];
        for (offset, line, col) in cases {
            assert_eq!(
                Position::at(text, offset),
                Position { line, col },
                "offset {offset}"
            );
        }
    }

    #[test]
    fn closest_suggests_near_misses_only() {
        let known = ["title", "date", "description", "themes"];
        let cases = [
            ("titel", Some("title")),
            ("descripton", Some("description")),
            ("theme", Some("themes")),
            ("colour", None),
        ];
        for (word, expected) in cases {
            assert_eq!(closest(word, known), expected, "{word}");
        }
    }

    #[test]
    fn display_is_compiler_style_with_hint() {
        let d = Diagnostic::error("content/a.md", Position { line: 3, col: 7 }, "bad")
            .with_hint("fix it");
        assert_eq!(
            d.to_string(),
            "content/a.md:3:7: error: bad\n  = hint: fix it"
        );
    }
}
