//! Python's `json.dumps(json.loads(body), separators=(",", ":"))`, byte for
//! byte. SeverPay signs a notification over such a re-serialisation of its
//! decoded body (not over the bytes sent), and the Python bots check it
//! that way: keys in the order received (or sorted, `sort_keys=True`),
//! non-ASCII kept (`ensure_ascii=False`) or escaped, numbers as Python
//! prints them (`100.50` is the float `100.5`, `1E-5` prints `1e-05`, an
//! integer stays an integer). serde_json cannot keep key order and raw
//! number tokens here, so the document is read by this small parser.

use std::fmt::Write as _;

/// A JSON value as Python's `json.loads` reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `null` (`None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number without fraction or exponent: a Python `int`, kept as its
    /// digits (any size).
    Int(String),
    /// A number with a fraction or exponent: a Python `float`.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<PyValue>),
    /// An object, members in the order received.
    Object(Vec<(String, PyValue)>),
}

impl PyValue {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&PyValue> {
        match self {
            PyValue::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string, or the digits of an integer (ids arrive as either).
    pub fn id_text(&self) -> Option<String> {
        match self {
            PyValue::Str(s) if !s.is_empty() => Some(s.clone()),
            PyValue::Int(digits) => Some(digits.clone()),
            _ => None,
        }
    }

    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// How `json.dumps` was called (the separators are always `(",", ":")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// `sort_keys=True`: every object's keys sorted, at every depth.
    pub sort_keys: bool,
    /// `ensure_ascii=True` (Python's default): everything outside
    /// printable ASCII as `\uXXXX`.
    pub ensure_ascii: bool,
}

impl Style {
    /// The four ways the bots call it.
    pub const ALL: [Style; 4] = [
        Style {
            sort_keys: false,
            ensure_ascii: false,
        },
        Style {
            sort_keys: true,
            ensure_ascii: false,
        },
        Style {
            sort_keys: false,
            ensure_ascii: true,
        },
        Style {
            sort_keys: true,
            ensure_ascii: true,
        },
    ];
}

/// Deepest nesting accepted (notifications are two levels deep).
const MAX_DEPTH: usize = 32;

/// Reads a JSON document strictly: one value, no `NaN`/`Infinity`, no
/// duplicate keys (Python would keep the last silently; we refuse), no lone
/// surrogates. The error says where it stopped.
pub fn parse(bytes: &[u8]) -> Result<PyValue, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_owned())?;
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing data at byte {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at byte {}", self.i))
    }

    fn eat(&mut self, word: &str) -> bool {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<PyValue, String> {
        if depth > MAX_DEPTH {
            return self.err("nested too deep");
        }
        self.ws();
        match self.s.get(self.i) {
            None => self.err("unexpected end"),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.list(depth),
            Some(b'"') => self.string().map(PyValue::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) if self.eat("true") => Ok(PyValue::Bool(true)),
            Some(_) if self.eat("false") => Ok(PyValue::Bool(false)),
            Some(_) if self.eat("null") => Ok(PyValue::Null),
            Some(_) => self.err("unexpected character"),
        }
    }

    fn object(&mut self, depth: usize) -> Result<PyValue, String> {
        self.i += 1;
        let mut members: Vec<(String, PyValue)> = Vec::new();
        self.ws();
        if self.eat("}") {
            return Ok(PyValue::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return self.err("expected a key");
            }
            let key = self.string()?;
            if members.iter().any(|(k, _)| *k == key) {
                return self.err("duplicate key");
            }
            self.ws();
            if !self.eat(":") {
                return self.err("expected ':'");
            }
            let v = self.value(depth + 1)?;
            members.push((key, v));
            self.ws();
            if self.eat(",") {
                continue;
            }
            if self.eat("}") {
                return Ok(PyValue::Object(members));
            }
            return self.err("expected ',' or '}'");
        }
    }

    fn list(&mut self, depth: usize) -> Result<PyValue, String> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat("]") {
            return Ok(PyValue::List(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(",") {
                continue;
            }
            if self.eat("]") {
                return Ok(PyValue::List(items));
            }
            return self.err("expected ',' or ']'");
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`: an `int` without
    /// fraction and exponent, else a `float` (correctly rounded, as Python).
    fn number(&mut self) -> Result<PyValue, String> {
        let start = self.i;
        self.eat("-");
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            return self.err("bad number");
        }
        let mut float = false;
        if self.eat(".") {
            float = true;
            if self.digits() == 0 {
                return self.err("bad fraction");
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.err("bad exponent");
            }
        }
        let token = &self.text[start..self.i];
        if float {
            token
                .parse::<f64>()
                .map(PyValue::Float)
                .map_err(|_| format!("bad number {token:?}"))
        } else if token == "-0" {
            Ok(PyValue::Int("0".into()))
        } else {
            Ok(PyValue::Int(token.to_owned()))
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let Some(h) = self.text.get(self.i..self.i + 4) else {
            return self.err("short \\u escape");
        };
        let v = u32::from_str_radix(h, 16).or_else(|_| self.err("bad \\u escape"))?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.err("bad \\u escape");
        }
        self.i += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self
                .s
                .get(self.i)
                .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
            {
                self.i += 1;
            }
            out.push_str(&self.text[start..self.i]);
            match self.s.get(self.i) {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.s.get(self.i) else {
                        return self.err("unterminated escape");
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if !self.eat("\\u") {
                                    return self.err("lone surrogate");
                                }
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err("lone surrogate");
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(c) {
                                Some(c) => out.push(c),
                                None => return self.err("lone surrogate"),
                            }
                        }
                        _ => return self.err("bad escape"),
                    }
                }
                // A raw control character: Python's strict mode refuses it.
                Some(_) => return self.err("control character in string"),
            }
        }
    }
}

/// `json.dumps(value, separators=(",", ":"), ...)` in `style`.
pub fn dumps(value: &PyValue, style: Style) -> String {
    let mut out = String::new();
    write_value(&mut out, value, style);
    out
}

fn write_value(out: &mut String, value: &PyValue, style: Style) {
    match value {
        PyValue::Null => out.push_str("null"),
        PyValue::Bool(true) => out.push_str("true"),
        PyValue::Bool(false) => out.push_str("false"),
        PyValue::Int(digits) => out.push_str(digits),
        PyValue::Float(f) => out.push_str(&float_repr(*f)),
        PyValue::Str(s) => write_str(out, s, style.ensure_ascii),
        PyValue::List(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_value(out, item, style);
            }
            out.push(']');
        }
        PyValue::Object(members) => {
            let mut refs: Vec<&(String, PyValue)> = members.iter().collect();
            if style.sort_keys {
                // Python compares str by code point; UTF-8 bytes sort the same.
                refs.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (n, (k, v)) in refs.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_str(out, k, style.ensure_ascii);
                out.push(':');
                write_value(out, v, style);
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ensure_ascii && !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that read back the same,
/// positional for exponents -4..16 (with `.0` when whole), else
/// `d.ddde+XX` with at least two exponent digits.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: "1.2345e-5".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp < 0 {
            let zeros = "0".repeat((-exp - 1) as usize);
            return format!("{sign}0.{zeros}{digits}");
        }
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            let zeros = "0".repeat(int_len - digits.len());
            return format!("{sign}{digits}{zeros}.0");
        }
        return format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..]);
    }
    let rest = if digits.len() > 1 {
        format!("{}.{}", &digits[..1], &digits[1..])
    } else {
        digits
    };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{rest}e{esign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style {
        sort_keys: false,
        ensure_ascii: false,
    };

    #[test]
    fn floats_print_as_python_prints_them() {
        for (f, want) in [
            (100.0, "100.0"),
            (100.5, "100.5"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e300, "1.5e+300"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (123456.789, "123456.789"),
            (2.5e-7, "2.5e-07"),
            (f64::INFINITY, "Infinity"),
        ] {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn numbers_keep_their_python_type() {
        let v = parse(br#"[1, -0, 100.50, 1E5, 12345678901234567890123, 1e400]"#).unwrap();
        assert_eq!(
            dumps(&v, PLAIN),
            "[1,0,100.5,100000.0,12345678901234567890123,Infinity]"
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        for bad in [
            &b"{\"a\":1,\"a\":2}"[..],
            b"{\"a\":NaN}",
            b"[01]",
            b"[1.]",
            b"\"\\ud800\"",
            b"{\"a\":1} x",
            b"\"a\nb\"",
            b"",
            b"\xff",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn strings_escape_as_python_does() {
        let v = parse("{\"k\":\"Привет/\\u0001\\t\\\"😀\\u007f\"}".as_bytes()).unwrap();
        assert_eq!(
            dumps(&v, PLAIN),
            "{\"k\":\"Привет/\\u0001\\t\\\"😀\u{7f}\"}"
        );
        let ascii = Style {
            sort_keys: false,
            ensure_ascii: true,
        };
        assert_eq!(
            dumps(&v, ascii),
            "{\"k\":\"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442/\\u0001\\t\\\"\\ud83d\\ude00\\u007f\"}"
        );
    }
}
