//! The `.env` reader (python-dotenv compatible) on any file content.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::base::config::{Config, Vars};
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("fuzz-dotenv-{}", std::process::id()));
    let mut f = std::fs::File::create(&path).expect("temp file");
    f.write_all(data).expect("written");
    drop(f);
    let mut vars = Vars::new();
    if vars.merge_dotenv_file(&path).is_ok() {
        let _ = Config::from_vars(&vars);
    }
});
