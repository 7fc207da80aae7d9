//! The floor plan stays true: `shared/src` is four layers (see `lib.rs` and
//! `docs/architecture.md`), a file uses only its own layer and the ones
//! below it, the bottom layer talks to no network, and no two files import
//! each other, directly or around a loop.
//!
//! The check reads the `crate::…` and `super::…` paths of every file, as a
//! newcomer reading the `use` lines would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, bottom first.
const LAYERS: [&str; 4] = ["base", "adapters", "domains", "bot"];

/// What the domains and the bot must not mention: every AWS request is an
/// adapter's (the table in `adapters::store`, the queues in
/// `adapters::queues`).
const SDK: &str = "aws_sdk_";

/// What the bottom layer must not mention: it parses and formats, it does
/// not reach the network.
const NETWORK: [&str; 5] = [
    "async fn",
    "aws_sdk_",
    "reqwest::Client",
    "teloxide_core::Bot",
    "tokio::",
];

/// One source file: its module path (`domains::money::orders`), whether it
/// is a folder's `mod.rs`, and its text.
struct Source {
    module: String,
    is_mod_rs: bool,
    text: String,
}

fn read_sources(dir: &Path, root: &Path, out: &mut Vec<Source>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_sources(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let is_mod_rs = parts.last().is_some_and(|p| p == "mod");
            if is_mod_rs || parts == ["lib"] {
                parts.pop();
            }
            out.push(Source {
                module: parts.join("::"),
                is_mod_rs,
                text: std::fs::read_to_string(&path).expect("read file"),
            });
        }
    }
}

/// The text without comments (doc comments name other modules freely).
fn code(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::b::{c, d::e}` → `a::b::c`, `a::b::d::e`; plain paths as they are.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let path = path.trim_end_matches(':').to_owned();
        let after = &rest[path.len()..];
        // A group: `a::{b, c::d}`, or a root group `crate::{a::b, c}`.
        let group = if path.is_empty() {
            rest.strip_prefix('{')
        } else {
            after.strip_prefix("::{")
        };
        if let Some(group) = group.and_then(|g| g.split('}').next()) {
            for item in group.split(',') {
                let item = item.split(" as ").next().unwrap_or_default().trim();
                let item = item.split("::{").next().unwrap_or_default();
                if !item.is_empty() && item != "self" {
                    out.push(match path.is_empty() {
                        true => item.to_owned(),
                        false => format!("{path}::{item}"),
                    });
                }
            }
        }
        if !path.is_empty() {
            out.push(path);
        }
    }
    out
}

/// The file a path lands in: the longest module prefix that is a file.
fn resolve<'a>(modules: &'a BTreeSet<String>, path: &str) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get(&parts[..n].join("::")))
}

fn layer_of(module: &str) -> Option<usize> {
    let top = module.split("::").next()?;
    LAYERS.iter().position(|l| *l == top)
}

/// Every problem with the floor plan, one line each.
fn check(sources: &[Source]) -> Vec<String> {
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in sources {
        let from = s.module.as_str();
        edges.entry(from).or_default();
        if from.is_empty() {
            continue;
        }
        let Some(from_layer) = layer_of(from) else {
            problems.push(format!(
                "{from}: not in a layer; put it under one of {LAYERS:?}"
            ));
            continue;
        };
        let body = code(&s.text);
        let mut targets: Vec<String> = paths_after(&body, "crate::");
        // `super::` is the parent of a file (the grandparent for a folder's
        // `mod.rs`'s own module); each further `super::` one more up.
        let base = if s.is_mod_rs {
            from.to_owned()
        } else {
            from.rsplit_once("::")
                .map(|(p, _)| p)
                .unwrap_or_default()
                .to_owned()
        };
        for p in paths_after(&body, "super::") {
            let mut parent = base.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
            if !s.is_mod_rs {
                parent = base.clone();
            }
            let mut rest = p.as_str();
            while let Some(r) = rest.strip_prefix("super::") {
                parent = parent.rsplit_once("::").map_or("", |(p, _)| p).to_owned();
                rest = r;
            }
            if rest != "super" {
                targets.push(match parent.is_empty() {
                    true => rest.to_owned(),
                    false => format!("{parent}::{rest}"),
                });
            }
        }
        for target in targets {
            let Some(to) = resolve(&modules, &target) else {
                continue;
            };
            if to == from || to.is_empty() {
                continue;
            }
            if let Some(to_layer) = layer_of(to)
                && to_layer > from_layer
            {
                problems.push(format!(
                    "{from} ({}) uses {to} ({}), a layer above it",
                    LAYERS[from_layer], LAYERS[to_layer]
                ));
            }
            edges.entry(from).or_default().insert(to.as_str());
        }
        if from_layer >= 2 && body.contains(SDK) {
            problems.push(format!(
                "{from} ({}) mentions `{SDK}`: AWS requests belong to the adapters",
                LAYERS[from_layer]
            ));
        }
        if from_layer == 0 {
            for word in NETWORK {
                if body.contains(word) {
                    problems.push(format!(
                        "{from} (base) mentions `{word}`: the bottom layer does no network IO"
                    ));
                }
            }
        }
    }
    for cycle in cycles(&edges) {
        problems.push(format!("import cycle among: {}", cycle.join(", ")));
    }
    problems.sort();
    problems.dedup();
    problems
}

/// Strongly connected components of more than one file (Tarjan).
fn cycles<'a>(edges: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    struct Walk<'a, 'e> {
        edges: &'e BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<&'a str>>,
    }
    impl<'a> Walk<'a, '_> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in self.edges.get(v).into_iter().flatten() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in edges.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.out
}

#[test]
fn the_library_keeps_its_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    read_sources(&root, &root, &mut sources);
    assert!(sources.len() > 20, "found only {} files", sources.len());
    let problems = check(&sources);
    assert!(
        problems.is_empty(),
        "the layers of shared/src are broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_top_of_src_is_the_layers_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("src")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want: Vec<String> = LAYERS.iter().map(|l| l.to_string()).collect();
    want.push("lib.rs".into());
    want.sort();
    assert_eq!(names, want);
}

fn source(module: &str, text: &str) -> Source {
    Source {
        module: module.into(),
        is_mod_rs: false,
        text: text.into(),
    }
}

#[test]
fn the_check_finds_an_upward_import_a_cycle_and_network_in_base() {
    let sources = [
        source("", "pub mod base; pub mod domains; pub mod bot;"),
        source("base::format", "use crate::bot::screens::Action;\n"),
        source("bot::screens", "use crate::base::format::date;\n"),
        source(
            "domains::money::effects",
            "use crate::domains::access::{sync::enqueue, webhook};\n",
        ),
        source("domains::access::sync", "use super::webhook::x;\n"),
        source(
            "domains::access::webhook",
            "// crate::bot::screens is only named here\nfn f() { crate::domains::money::effects::go() }\n",
        ),
        source("base::clock", "pub async fn now() {}\n"),
        source("helpers", "pub fn f() {}\n"),
        // A root group names a layer above; each `super::` climbs one.
        source(
            "adapters::store::orders",
            "use crate::{base::clock, domains::money::effects};\n",
        ),
        source(
            "adapters::pay::deep",
            "use super::super::super::bot::screens::Screen;\n",
        ),
        source(
            "domains::money::effects2",
            "use aws_sdk_dynamodb::Client;\n",
        ),
    ];
    let problems = check(&sources);
    assert_eq!(
        problems,
        [
            "adapters::pay::deep (adapters) uses bot::screens (bot), a layer above it",
            "adapters::store::orders (adapters) uses domains::money::effects (domains), a layer above it",
            "base::clock (base) mentions `async fn`: the bottom layer does no network IO",
            "base::format (base) uses bot::screens (bot), a layer above it",
            "domains::money::effects2 (domains) mentions `aws_sdk_`: AWS requests belong to the adapters",
            "helpers: not in a layer; put it under one of [\"base\", \"adapters\", \"domains\", \"bot\"]",
            "import cycle among: base::format, bot::screens",
            "import cycle among: domains::access::sync, domains::access::webhook, domains::money::effects",
        ],
        "{problems:#?}"
    );
}
