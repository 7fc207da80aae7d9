//! The `.env` reader, compatible with python-dotenv.
//!
//! Operators' files were written for python-dotenv. dotenvy 0.15 reads most of
//! them the same way, but rejects names that start with a digit
//! (`1_MONTH_ENABLED`) and unquoted values with spaces, and expands `$NAME`
//! where python-dotenv keeps it literally. Each line is therefore rewritten into
//! the dotenvy form of what python-dotenv reads, then dotenvy parses it.

use super::error::ConfigError;

/// Prefix given to names that start with a digit while dotenvy parses them.
const DIGIT_KEY_PREFIX: &str = "__LEADING_DIGIT__";

/// Line-continuation state, the same as dotenvy's, so multi-line quoted values are split where dotenvy splits them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    Complete,
    Escape,
    Strong,
    StrongEscape,
    Weak,
    WeakEscape,
    Comment,
    WhiteSpace,
}

/// Whether `s` begins with `${NAME}`, which both python-dotenv and dotenvy expand.
fn starts_with_braced_var(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("${") else {
        return false;
    };
    let Some(end) = rest.find('}') else {
        return false;
    };
    let name = &rest[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Copies one physical line of a quoted value, escaping a `$` that python-dotenv keeps literally; returns the state after the line.
fn copy_quoted_line(line: &str, mut state: QuoteState, out: &mut String) -> QuoteState {
    use QuoteState::*;
    for (i, c) in line.char_indices() {
        if state == Comment {
            out.push_str(&line[i..]);
            return Comment;
        }
        if state == Weak && c == '$' && !starts_with_braced_var(&line[i..]) {
            out.push_str("\\$");
            continue;
        }
        out.push(c);
        state = match (state, c) {
            (WhiteSpace, '#') => Comment,
            (WhiteSpace | Complete, '\\') => Escape,
            (WhiteSpace | Complete, '"') => Weak,
            (WhiteSpace | Complete, '\'') => Strong,
            (Complete, c) if c.is_whitespace() => WhiteSpace,
            (WhiteSpace | Complete | Escape, _) => Complete,
            (Weak, '\\') => WeakEscape,
            (Weak, '"') => Complete,
            (Weak | WeakEscape, _) => Weak,
            (Strong, '\\') => StrongEscape,
            (Strong, '\'') => Complete,
            (Strong | StrongEscape, _) => Strong,
            (Comment, _) => Comment,
        };
    }
    // The end of the line, as dotenvy sees it.
    match state {
        WhiteSpace | Complete | Escape => Complete,
        other => other,
    }
}

/// The dotenvy form of an unquoted python-dotenv value: ` #` starts a comment, the rest is literal.
fn quote_unquoted(value: &str, out: &mut String) {
    let bytes = value.as_bytes();
    let mut end = value.len();
    for (i, c) in value.char_indices() {
        if c == '#' && i > 0 && (bytes[i - 1] as char).is_ascii_whitespace() {
            end = i;
            break;
        }
    }
    let value = value[..end].trim_end();
    out.push('"');
    for (i, c) in value.char_indices() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' if !starts_with_braced_var(&value[i..]) => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `KEY=value` split python-dotenv's way (optional `export `, spaces around `=`); `None` when the line has no `=`.
fn split_entry(line: &str) -> Option<(&str, &str)> {
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("export")
        && after.starts_with([' ', '\t'])
    {
        rest = after.trim_start();
    }
    let key_end = rest
        .find(|c: char| c == '=' || c == '#' || c.is_whitespace())
        .unwrap_or(rest.len());
    let (key, after_key) = rest.split_at(key_end);
    let value = after_key
        .trim_start_matches([' ', '\t'])
        .strip_prefix('=')?;
    Some((key, value.trim_start_matches([' ', '\t'])))
}

/// Whether a line is a bare name, which python-dotenv reads as "no value" and is skipped here.
fn is_bare_name(line: &str) -> bool {
    let line = line.trim();
    let line = line
        .strip_prefix("export")
        .filter(|r| r.starts_with([' ', '\t']))
        .map(str::trim_start)
        .unwrap_or(line);
    let name = line.split('#').next().unwrap_or("").trim_end();
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('=')
}

/// Parses the text of an operator's `.env` file into pairs, in file order.
pub(super) fn parse_dotenv(src: &str, path: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let syntax = |line: usize, problem: String| ConfigError::DotEnvSyntax {
        path: path.to_owned(),
        line,
        problem,
    };
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut out = String::with_capacity(src.len() + 256);
    // (line number, name) of every entry handed to dotenvy, in order, to place dotenvy's errors.
    let mut entries: Vec<(usize, String)> = Vec::new();
    let mut lines = src.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            out.push('\n');
            continue;
        }
        let Some((key, value)) = split_entry(trimmed) else {
            if is_bare_name(trimmed) {
                out.push('\n');
                continue;
            }
            return Err(syntax(number, "expected NAME=value".into()));
        };
        let valid_key = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !valid_key {
            return Err(syntax(
                number,
                "a setting name may hold only letters, digits, '_' and '.'".into(),
            ));
        }
        entries.push((number, key.to_owned()));
        if key.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(DIGIT_KEY_PREFIX);
        }
        out.push_str(key);
        out.push('=');
        if value.starts_with(['"', '\'']) {
            let mut state = copy_quoted_line(value, QuoteState::Complete, &mut out);
            out.push('\n');
            while !matches!(state, QuoteState::Complete | QuoteState::Comment) {
                let Some((_, next)) = lines.next() else { break };
                state = copy_quoted_line(next, state, &mut out);
                out.push('\n');
            }
        } else {
            quote_unquoted(value, &mut out);
            out.push('\n');
        }
    }

    let mut pairs = Vec::with_capacity(entries.len());
    for (i, item) in dotenvy::from_read_iter(out.as_bytes()).enumerate() {
        match item {
            Ok((k, v)) => {
                let k = k
                    .strip_prefix(DIGIT_KEY_PREFIX)
                    .map(str::to_owned)
                    .unwrap_or(k);
                pairs.push((k, v));
            }
            Err(_) => {
                // dotenvy's own message quotes the line, which may hold a secret: report only where it is.
                let (line, problem) = match entries.get(i) {
                    Some((line, key)) => (
                        *line,
                        format!(
                            "cannot parse the value of {key} (check its quotes and backslashes)"
                        ),
                    ),
                    None => (
                        src.lines().count(),
                        "a quoted value is not closed".to_owned(),
                    ),
                };
                return Err(syntax(line, problem));
            }
        }
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_python_quirks() {
        let text = "A=x y z # note\r\nB=a#b\r\nC=\"multi\nline\"\nexport D='$HOME literal'\nE=\"cost $5\"\nBARE_NAME\n\nF=#hash\n";
        let pairs = parse_dotenv(text, "t").unwrap();
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("x y z"));
        assert_eq!(get("B"), Some("a#b"));
        assert_eq!(get("C"), Some("multi\nline"));
        assert_eq!(get("D"), Some("$HOME literal"));
        assert_eq!(get("E"), Some("cost $5"));
        assert_eq!(get("F"), Some("#hash"));
        assert_eq!(get("BARE_NAME"), None);
    }

    #[test]
    fn dotenv_syntax_error_names_line_not_value() {
        let text = "BOT_TOKEN=1:a\n\nFREEKASSA_FIRST_SECRET=\"hunter2\\q\"\n";
        let e = parse_dotenv(text, "x.env").unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
        assert!(e.contains("FREEKASSA_FIRST_SECRET"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse_dotenv("OK=1\nnot a line\n", "x.env")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
