//! The locale check: every message the code asks for, rendered in both
//! languages with exactly the variables its callers pass, found by reading
//! the code (`t(lang, "key")`, `tr(lang, "key", &[("name", …), …])`), not
//! listed by hand. A key missing from a language, a variable a message uses
//! that a caller does not pass, or one a caller passes that the message
//! never uses, fails the suite.

use super::i18n::{bundle_for_check, source};
use crate::base::types::Lang;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One call found in the code.
#[derive(Debug, Clone)]
struct Call {
    at: String,
    key: String,
    /// Names passed, and whether each is a number (`Arg::Num`).
    args: Vec<(String, bool)>,
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The end of the expression starting at `i` (the index of the top-level
/// `,` or closing bracket that ends it), skipping strings and nesting.
fn expr_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0i32;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
            }
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    i
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// A string literal at `i`: its text and the index after it.
fn literal(b: &[u8], i: usize) -> Option<(String, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = i + 1 + b[i + 1..].iter().position(|c| *c == b'"')?;
    Some((
        String::from_utf8_lossy(&b[i + 1..end]).into_owned(),
        end + 1,
    ))
}

/// The `("name", value)` tuples of a literal slice `&[ … ]` at `i`.
fn literal_args(b: &[u8], i: usize) -> Option<Vec<(String, bool)>> {
    let i = skip_ws(b, i);
    if !b[i..].starts_with(b"&[") {
        return None;
    }
    let mut i = i + 2;
    let mut args = Vec::new();
    loop {
        i = skip_ws(b, i);
        match b.get(i) {
            Some(b']') => return Some(args),
            Some(b',') => i += 1,
            Some(b'(') => {
                let (name, after) = literal(b, skip_ws(b, i + 1))?;
                let value_start = skip_ws(b, after + 1);
                let value_end = expr_end(b, value_start);
                let value = String::from_utf8_lossy(&b[value_start..value_end]);
                args.push((name, value.trim_start().starts_with("Arg::Num")));
                // Past the tuple's closing parenthesis.
                i = expr_end(b, value_end) + 1;
            }
            _ => return None,
        }
    }
}

/// The keys a key expression can name: its string literals; a literal with
/// a `{…}` names every message its text before the brace starts.
fn key_candidates(expr: &str) -> Vec<String> {
    let ids = crate::base::i18n::message_ids(Lang::Ru);
    let mut out = Vec::new();
    for (i, part) in expr.split('"').enumerate() {
        if i % 2 == 0 || part.is_empty() {
            continue;
        }
        let plain = part
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if plain {
            out.push(part.to_owned());
        } else if let Some((prefix, _)) = part.split_once('{')
            && !prefix.is_empty()
            && prefix
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        {
            out.extend(ids.iter().filter(|id| id.starts_with(prefix)).cloned());
        }
    }
    out
}

/// Every call with a literal key (and, for `tr`, a literal argument slice).
fn calls() -> (Vec<Call>, usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = Vec::new();
    let mut dynamic = 0;
    for file in files {
        if file.ends_with("i18n_check.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        let code = text
            .split("\n#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or_default();
        let b = code.as_bytes();
        for (paren, _) in code.match_indices('(') {
            // `t(` or `tr(` as a whole name (not `get(`, `format_t(`…).
            let ident_start = code[..paren]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let with_args = match &code[ident_start..paren] {
                "t" => false,
                "tr" => true,
                _ => continue,
            };
            let pos = paren - 1;
            let lang_end = expr_end(b, pos + 2);
            if b.get(lang_end) != Some(&b',') {
                continue;
            }
            // The key: a literal, or literals chosen by an `if`/`match`, or
            // `format!("prefix-{…}")` (every message of that prefix).
            let key_start = skip_ws(b, lang_end + 1);
            let after = expr_end(b, key_start);
            let keys = key_candidates(&code[key_start..after]);
            if keys.is_empty() {
                dynamic += 1;
                continue;
            }
            let line = code[..pos].lines().count();
            let at = format!(
                "{}:{line}",
                file.strip_prefix(&root).unwrap_or(&file).display()
            );
            let args = if with_args {
                let after = skip_ws(b, after);
                if b.get(after) != Some(&b',') {
                    continue;
                }
                match literal_args(b, after + 1) {
                    Some(args) => args,
                    None => {
                        dynamic += 1;
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            for key in keys {
                found.push(Call {
                    at: at.clone(),
                    key,
                    args: args.clone(),
                });
            }
        }
    }
    (found, dynamic)
}

/// The variables a message uses, through the messages and terms it
/// references.
fn variables(
    res: &FluentResource,
    id: &str,
    out: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) {
    if !seen.insert(id.to_owned()) {
        return;
    }
    for entry in res.entries() {
        let pattern = match entry {
            ast::Entry::Message(m) if m.id.name == id => m.value.as_ref(),
            ast::Entry::Term(t) if format!("-{}", t.id.name) == id => Some(&t.value),
            _ => None,
        };
        if let Some(p) = pattern {
            pattern_vars(res, p, out, seen);
        }
    }
}

fn pattern_vars(
    res: &FluentResource,
    p: &ast::Pattern<&str>,
    out: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) {
    for el in &p.elements {
        if let ast::PatternElement::Placeable { expression } = el {
            expression_vars(res, expression, out, seen);
        }
    }
}

fn expression_vars(
    res: &FluentResource,
    e: &ast::Expression<&str>,
    out: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) {
    match e {
        ast::Expression::Select { selector, variants } => {
            inline_vars(res, selector, out, seen);
            for v in variants {
                pattern_vars(res, &v.value, out, seen);
            }
        }
        ast::Expression::Inline(i) => inline_vars(res, i, out, seen),
    }
}

fn inline_vars(
    res: &FluentResource,
    i: &ast::InlineExpression<&str>,
    out: &mut BTreeSet<String>,
    seen: &mut BTreeSet<String>,
) {
    match i {
        ast::InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        ast::InlineExpression::MessageReference { id, .. } => variables(res, id.name, out, seen),
        ast::InlineExpression::TermReference { id, .. } => {
            variables(res, &format!("-{}", id.name), out, seen)
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                inline_vars(res, a, out, seen);
            }
        }
        ast::InlineExpression::Placeable { expression } => {
            expression_vars(res, expression, out, seen)
        }
        _ => {}
    }
}

#[test]
fn every_message_the_code_asks_for_renders_with_exactly_the_variables_passed() {
    let (calls, dynamic) = calls();
    assert!(
        calls.len() > 150,
        "the scan finds the calls: {}",
        calls.len()
    );
    let mut problems = BTreeSet::new();
    // Every caller's names, per key (several call sites may pass the same
    // key different sets, each checked).
    let mut by_key: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in &calls {
        by_key.entry(&c.key).or_default().push(c);
    }
    for lang in Lang::ALL {
        let res = FluentResource::try_new(source(lang).to_owned()).expect("parses");
        let res = &res;
        let bundle = bundle_for_check(lang);
        for (key, calls) in &by_key {
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                problems.insert(format!(
                    "{lang:?}: no message `{key}` (asked for at {})",
                    calls[0].at
                ));
                continue;
            };
            let mut used = BTreeSet::new();
            variables(res, key, &mut used, &mut BTreeSet::new());
            for call in calls {
                let mut args = FluentArgs::new();
                for (name, num) in &call.args {
                    if *num {
                        args.set(name.as_str(), FluentValue::from(2));
                    } else {
                        args.set(name.as_str(), FluentValue::from("x"));
                    }
                }
                let mut errors = Vec::new();
                let _ = bundle.format_pattern(pattern, Some(&args), &mut errors);
                for e in errors {
                    problems.insert(format!("{lang:?}: `{key}` at {}: {e}", call.at));
                }
                for (name, _) in &call.args {
                    if !used.contains(name) {
                        problems.insert(format!(
                            "{lang:?}: `{key}` at {} passes `{name}`, which the message does not use",
                            call.at
                        ));
                    }
                }
            }
        }
    }
    let problems: Vec<String> = problems.into_iter().collect();
    assert!(
        problems.is_empty(),
        "{} problems ({} calls read, {dynamic} with a key or arguments built at run time):\n{}",
        problems.len(),
        calls.len(),
        problems.join("\n")
    );
}

/// Every message of both files, callers found or not, formats without an
/// error given the variables it names itself (read from its syntax tree).
#[test]
fn every_message_formats_with_the_variables_it_names() {
    for lang in Lang::ALL {
        let res = FluentResource::try_new(source(lang).to_owned()).expect("parses");
        let bundle = bundle_for_check(lang);
        for id in crate::base::i18n::message_ids(lang) {
            let pattern = bundle
                .get_message(&id)
                .and_then(|m| m.value())
                .unwrap_or_else(|| panic!("{lang:?}: `{id}` has a value"));
            let mut names = BTreeSet::new();
            variables(&res, &id, &mut names, &mut BTreeSet::new());
            let mut args = FluentArgs::new();
            for name in &names {
                args.set(name.as_str(), FluentValue::from(2));
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
            assert!(errors.is_empty(), "{lang:?}: `{id}`: {errors:?}");
            assert!(
                !text.contains('{'),
                "{lang:?}: `{id}` renders a brace: {text}"
            );
        }
    }
}

/// A number meets its noun in the form the language wants ("1 продление",
/// "2 первые оплаты", "5 пользователей"; "1 renewal").
#[test]
fn numbers_meet_nouns_in_the_right_form() {
    use crate::base::i18n::{Arg, tr};
    let render = |lang, key, args: &[(&str, i64)]| {
        let args: Vec<(&str, Arg)> = args.iter().map(|(k, v)| (*k, Arg::Num(*v))).collect();
        tr(lang, key, &args)
    };
    let stats = |lang, n| {
        render(
            lang,
            "admin-stats-panel",
            &[
                ("users", n),
                ("online", n),
                ("nodes", n),
                ("used", 1),
                ("total", 2),
                ("days", 3),
            ],
        )
    };
    assert!(stats(Lang::Ru, 1).contains("1 пользователь, 1 онлайн сейчас, 1 нода онлайн"));
    assert!(stats(Lang::Ru, 3).contains("3 пользователя, 3 онлайн сейчас, 3 ноды онлайн"));
    assert!(stats(Lang::Ru, 5).contains("5 пользователей, 5 онлайн сейчас, 5 нод онлайн"));
    assert!(stats(Lang::Ru, 21).contains("21 пользователь"));
    assert!(stats(Lang::En, 1).contains("1 user, 1 online now, 1 node online"));
    assert!(stats(Lang::En, 2).contains("2 users, 2 online now, 2 nodes online"));
    let failed = |lang, n| render(lang, "log-panel-sync-failed", &[("count", n)]);
    assert!(failed(Lang::Ru, 2).contains("не удалась 2 раза"));
    assert!(failed(Lang::Ru, 5).contains("не удалась 5 раз"));
    assert!(failed(Lang::En, 1).contains("failed 1 time and"));
    assert!(
        render(Lang::Ru, "broadcast-count", &[("count", 1)]).starts_with("не более 1 получателя ")
    );
    assert!(
        render(Lang::En, "broadcast-count", &[("count", 1)]).starts_with("1 recipient at most")
    );
    assert!(
        render(Lang::En, "history-referral", &[("days", 1)]).ends_with("referral bonus, 1 day")
    );
}
