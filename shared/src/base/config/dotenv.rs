//! The `.env` reader: a port of python-dotenv 1.2's parser and `${NAME}` interpolation.
//!
//! Operators' files were written for python-dotenv (`dotenv_values`), so this
//! reader follows its grammar rule by rule (see `python-dotenv/src/dotenv/parser.py`):
//! `export`, quoted or unquoted names (a name may start with a digit), spaces
//! around `=`, `KEY= # note` is empty, an unquoted value ends at a `#` after a
//! space, single quotes decode `\\` and `\'`, double quotes decode the C escapes,
//! quoted values may span lines, `${NAME}` and `${NAME:-default}` are expanded
//! (earlier names in the file first, then the environment), `$NAME` is literal,
//! the last of two equal names wins. The file is read as Python reads text
//! files: a BOM is dropped and `\r\n` / `\r` become `\n`. Where python-dotenv
//! skips an unparsable line with a warning, this reader refuses the file and
//! names the line (without its value): a setting silently lost is worse.
//! The differential test in this file compares both readers on many tricky
//! lines.

use super::error::ConfigError;

/// Python's `str.isspace` (what `\s` matches): Unicode white space plus the four ASCII separators.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// White space other than a line end (`[^\S\r\n]`).
fn py_blank(c: char) -> bool {
    py_space(c) && c != '\n' && c != '\r'
}

/// A position in the file, python-dotenv's `Reader`.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

/// A line python-dotenv cannot parse.
struct Unparsable;

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn skip_while(&mut self, f: impl Fn(char) -> bool) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        self.skip_while(f);
        self.chars[start..self.pos].iter().collect()
    }

    /// The line number (1-based) of the current position.
    fn line(&self) -> usize {
        1 + self.chars[..self.pos]
            .iter()
            .filter(|&&c| c == '\n')
            .count()
    }

    /// `(?:export[^\S\r\n]+)?`
    fn export(&mut self) {
        let word: String = self.chars.iter().skip(self.pos).take(6).collect();
        if word == "export" && self.at(6).is_some_and(py_blank) {
            self.pos += 6;
            self.skip_while(py_blank);
        }
    }

    /// `parse_key`: `None` for a comment.
    fn key(&mut self) -> Result<Option<String>, Unparsable> {
        match self.peek() {
            Some('#') => Ok(None),
            Some('\'') => {
                // '([^']+)'
                let end = self.chars[self.pos + 1..].iter().position(|&c| c == '\'');
                match end {
                    Some(n) if n > 0 => {
                        let key = self.chars[self.pos + 1..self.pos + 1 + n].iter().collect();
                        self.pos += n + 2;
                        Ok(Some(key))
                    }
                    _ => Err(Unparsable),
                }
            }
            _ => {
                // ([^=\#\s]+)
                let key = self.take_while(|c| c != '=' && c != '#' && !py_space(c));
                if key.is_empty() {
                    Err(Unparsable)
                } else {
                    Ok(Some(key))
                }
            }
        }
    }

    /// A quoted value: `q((?:\\.|[^q\\])*)q` across lines, then its escapes decoded.
    fn quoted(&mut self, quote: char) -> Result<String, Unparsable> {
        let mut i = self.pos + 1;
        loop {
            match self.chars.get(i) {
                None => return Err(Unparsable),
                Some('\\') if i + 1 < self.chars.len() => i += 2,
                Some('\\') => return Err(Unparsable),
                Some(&c) if c == quote => break,
                Some(_) => i += 1,
            }
        }
        let raw = &self.chars[self.pos + 1..i];
        self.pos = i + 1;
        Ok(decode_escapes(raw, quote == '"'))
    }

    /// `parse_value`
    fn value(&mut self) -> Result<String, Unparsable> {
        match self.peek() {
            Some(q @ ('\'' | '"')) => self.quoted(q),
            None | Some('\n' | '\r') => Ok(String::new()),
            Some(_) => {
                let part = self.take_while(|c| c != '\n' && c != '\r');
                Ok(strip_inline_comment(&part))
            }
        }
    }

    /// `parse_binding` after the leading white space: the name and its value (`None` for a bare name).
    fn binding(&mut self) -> Result<Option<(String, Option<String>)>, Unparsable> {
        self.export();
        let key = self.key()?;
        self.skip_while(py_blank);
        let value = if self.peek() == Some('=') {
            self.pos += 1;
            let spaces = self.skip_while(py_blank);
            if spaces > 0 && self.peek() == Some('#') {
                Some(String::new())
            } else {
                Some(self.value()?)
            }
        } else {
            None
        };
        // (?:[^\S\r\n]*#[^\r\n]*)?
        let before = self.pos;
        self.skip_while(py_blank);
        if self.peek() == Some('#') {
            self.skip_while(|c| c != '\n' && c != '\r');
        } else {
            self.pos = before;
        }
        // [^\S\r\n]*(?:\r\n|\n|\r|$)
        self.skip_while(py_blank);
        match self.peek() {
            None => {}
            Some('\n') => self.pos += 1,
            Some('\r') => {
                self.pos += 1;
                if self.peek() == Some('\n') {
                    self.pos += 1;
                }
            }
            Some(_) => return Err(Unparsable),
        }
        Ok(key.map(|k| (k, value)))
    }
}

/// python-dotenv's `re.sub(r"\s+#.*", "", part).rstrip()`.
fn strip_inline_comment(part: &str) -> String {
    let chars: Vec<char> = part.chars().collect();
    let end = (1..chars.len())
        .find(|&i| chars[i] == '#' && py_space(chars[i - 1]))
        .unwrap_or(chars.len());
    let kept: String = chars[..end].iter().collect();
    kept.trim_end_matches(py_space).to_owned()
}

/// `decode_escapes`: `\\` and `\'` in single quotes; also `\"` and `\a \b \f \n \r \t \v` in double quotes.
fn decode_escapes(raw: &[char], double: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == '\\'
            && let Some(&next) = raw.get(i + 1)
        {
            let decoded = match next {
                '\\' => Some('\\'),
                '\'' => Some('\''),
                _ if !double => None,
                '"' => Some('"'),
                'a' => Some('\u{7}'),
                'b' => Some('\u{8}'),
                'f' => Some('\u{c}'),
                'n' => Some('\n'),
                'r' => Some('\r'),
                't' => Some('\t'),
                'v' => Some('\u{b}'),
                _ => None,
            };
            if let Some(c) = decoded {
                out.push(c);
                i += 2;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// python-dotenv's `resolve_variables` for one value: `${NAME}` and `${NAME:-default}`.
fn interpolate(value: &str, lookup: &dyn Fn(&str) -> Option<Option<String>>) -> String {
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$'
            && chars.get(i + 1) == Some(&'{')
            && let Some((name, default, end)) = variable_at(&chars, i + 2)
        {
            let found = match lookup(&name) {
                Some(v) => v.unwrap_or_default(),
                None => default.unwrap_or_default(),
            };
            out.push_str(&found);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// `(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}` from `start`: name, default and the index after `}`.
fn variable_at(chars: &[char], start: usize) -> Option<(String, Option<String>, usize)> {
    let mut i = start;
    while i < chars.len() && chars[i] != '}' && chars[i] != ':' {
        i += 1;
    }
    let name: String = chars[start..i].iter().collect();
    match chars.get(i) {
        Some('}') => Some((name, None, i + 1)),
        Some(':') if chars.get(i + 1) == Some(&'-') => {
            let from = i + 2;
            let end = from + chars[from..].iter().position(|&c| c == '}')?;
            Some((name, Some(chars[from..end].iter().collect()), end + 1))
        }
        _ => None,
    }
}

/// Parses the text of an operator's `.env` file as python-dotenv's `dotenv_values` does.
///
/// `env` answers for names the file has not set yet (the process environment).
/// Returns the names with a value, each once (its last value), in the order
/// they first appear; bare names (python-dotenv's `None`) are left out.
pub(super) fn parse_dotenv(
    src: &str,
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // Python's text mode: universal newlines.
    let text = src.replace("\r\n", "\n").replace('\r', "\n");
    let mut cursor = Cursor {
        chars: text.chars().collect(),
        pos: 0,
    };
    let mut values: Vec<(String, Option<String>)> = Vec::new();
    loop {
        cursor.skip_while(py_space);
        if cursor.peek().is_none() {
            break;
        }
        let line = cursor.line();
        let Ok(binding) = cursor.binding() else {
            return Err(ConfigError::DotEnvSyntax {
                path: path.to_owned(),
                line,
                problem:
                    "python-dotenv cannot parse this line (expected NAME=value; check its quotes)"
                        .into(),
            });
        };
        let Some((key, value)) = binding else {
            continue;
        };
        let resolved = value.map(|v| {
            interpolate(
                &v,
                &|name: &str| match values.iter().find(|(k, _)| k == name) {
                    Some((_, v)) => Some(v.clone()),
                    None => env(name).map(Some),
                },
            )
        });
        match values.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = resolved,
            None => values.push((key, resolved)),
        }
    }
    Ok(values
        .into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_dotenv(text, "t", &no_env).unwrap()
    }

    #[test]
    fn dotenv_python_quirks() {
        let text = "A=x y z # note\r\nB=a#b\r\nC=\"multi\nline\"\nexport D='$HOME literal'\nE=\"cost $5\"\nBARE_NAME\n\nF=#hash\nREQUIRED_CHANNEL_ID=   # the channel\n1_MONTH_ENABLED = true\nA=again\nG=\"${F}-${NOPE:-dflt}\"\n";
        let pairs = parse(text);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("again"), "the last value wins");
        assert_eq!(pairs[0].0, "A", "in the order names first appear");
        assert_eq!(get("B"), Some("a#b"));
        assert_eq!(get("C"), Some("multi\nline"));
        assert_eq!(get("D"), Some("$HOME literal"));
        assert_eq!(get("E"), Some("cost $5"));
        assert_eq!(get("F"), Some("#hash"));
        assert_eq!(get("REQUIRED_CHANNEL_ID"), Some(""));
        assert_eq!(get("1_MONTH_ENABLED"), Some("true"));
        assert_eq!(get("G"), Some("#hash-dflt"));
        assert_eq!(get("BARE_NAME"), None);
        let from_env = parse_dotenv("H=${HOME_DIR}/x\n", "t", &|n: &str| {
            (n == "HOME_DIR").then(|| "/home/op".to_owned())
        })
        .unwrap();
        assert_eq!(from_env, vec![("H".to_owned(), "/home/op/x".to_owned())]);
    }

    #[test]
    fn dotenv_syntax_error_names_line_not_value() {
        let text = "BOT_TOKEN=1:a\n\nFREEKASSA_FIRST_SECRET=\"hunter2\n";
        let e = parse_dotenv(text, "x.env", &no_env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.env, line 3"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
        let e = parse_dotenv("OK=1\nnot a line\n", "x.env", &no_env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }

    /// Many generated files: keys, separators, values, trailing comments, line
    /// ends and preambles combined; each must read exactly as python-dotenv's
    /// `dotenv_values` reads it (same pairs in the same order), and where
    /// python-dotenv warns that it cannot parse a line, this reader refuses.
    #[test]
    fn dotenv_agrees_with_python_dotenv() {
        let keys = [
            "A",
            "1_MONTH_ENABLED",
            "export A",
            "  'QUOTED KEY'",
            "a.b-c",
            "\tB",
        ];
        let seps = ["=", " = ", "=\t", " ="];
        let values = [
            "",
            "plain",
            "two  words",
            "'single'",
            "\"double\"",
            "\"esc \\n \\t \\\" \\\\ \\x \\a \\'\"",
            "'esc \\' \\\\ \\n \\\"'",
            "\"multi\nline\"",
            "'multi\n\n  line'",
            "a#b",
            "#hash",
            "a #b",
            "${FROM_ENV}",
            "${UNSET:-dflt}",
            "${UNSET:dflt}",
            "${PREV}/and/${A}",
            "$FROM_ENV",
            "\"${FROM_ENV}x\"",
            "'${FROM_ENV}'",
            "\"unclosed",
            "'unclosed",
            "\"x\"trailing",
            "\"x\" # after",
            "value with 'quote",
            "-1001234567890",
            "\\backslash\\",
            "ru,en",
            "https://x.example/?a=b&c=d#frag",
            "\u{a0}nbsp\u{a0}",
            "\"\"",
            "''",
            "\"a\\\"",
            "'it''s'",
            "\u{1f}sep",
            "=equals=",
        ];
        let trailers = ["", "   ", " # comment", "\t# c", "#c", "  # \"quoted\" 'x'"];
        let ends = ["\n", "\r\n", ""];
        let preambles = ["", "\u{feff}", "PREV=before\n# note\n\n", "A=first\r\n"];
        // Every value with every trailer, line end and preamble, the name and
        // separator taking turns; then every name with every separator and value.
        let mut cases = Vec::new();
        let mut turn = 0;
        for pre in preambles {
            for value in values {
                for trailer in trailers {
                    for end in ends {
                        let (key, sep) = (keys[turn % keys.len()], seps[turn % seps.len()]);
                        turn += 1;
                        cases.push(format!("{pre}{key}{sep}{value}{trailer}{end}Z=9\n"));
                    }
                }
            }
        }
        for key in keys {
            for sep in seps {
                for value in values {
                    let (trailer, end) = (trailers[turn % trailers.len()], ends[turn % ends.len()]);
                    turn += 1;
                    cases.push(format!("{key}{sep}{value}{trailer}{end}Z=9\n"));
                }
            }
        }
        // Lines that are not bindings at all.
        for odd in [
            "BARE\n",
            "export BARE # x\n",
            "=value\n",
            "  # only a comment\n",
            "A B=1\n",
            "'K'=1\n'K = 2\n",
            "A=1\rB=2\r",
            "\n\n\r\n",
            "export=1\n",
            "exportA=1\n",
            "A=1\nA\nB=${A}\n",
        ] {
            cases.push(odd.to_owned());
        }

        let python = concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python");
        let script = r#"
import io, json, logging, sys
from dotenv import dotenv_values
class Seen(logging.Handler):
    def __init__(self):
        super().__init__()
        self.count = 0
    def emit(self, record):
        self.count += 1
seen = Seen()
logging.getLogger("dotenv.main").addHandler(seen)
logging.getLogger("dotenv.main").propagate = False
cases = json.load(sys.stdin)
out = []
for text in cases:
    seen.count = 0
    # newline=None: universal newlines, as when python-dotenv opens a file.
    values = dotenv_values(stream=io.StringIO(text, newline=None))
    out.append({"error": seen.count > 0, "pairs": [[k, v] for k, v in values.items() if v is not None]})
json.dump(out, sys.stdout)
"#;
        let mut child = std::process::Command::new(python)
            .args(["-c", script])
            .env_clear()
            .env("FROM_ENV", "env-value")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} (scripts/test creates the venv): {e}"));
        let input = serde_json::to_vec(&cases).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            stdin.write_all(&input).unwrap();
        });
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        assert!(output.status.success(), "python-dotenv failed");
        let answers: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(answers.len(), cases.len());

        let env = |n: &str| (n == "FROM_ENV").then(|| "env-value".to_owned());
        let (mut agreed, mut refused) = (0, 0);
        for (text, answer) in cases.iter().zip(&answers) {
            let ours = parse_dotenv(text, "t", &env);
            if answer["error"].as_bool().unwrap() {
                assert!(
                    ours.is_err(),
                    "python-dotenv refuses {text:?}, we read {ours:?}"
                );
                refused += 1;
                continue;
            }
            let theirs: Vec<(String, String)> = answer["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_owned(),
                        p[1].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            match ours {
                Ok(ours) => assert_eq!(ours, theirs, "reading {text:?}"),
                Err(e) => panic!("python-dotenv reads {text:?} as {theirs:?}, we refuse: {e}"),
            }
            agreed += 1;
        }
        assert!(
            agreed > 2_000 && refused > 300,
            "{agreed} read, {refused} refused"
        );
    }
}
