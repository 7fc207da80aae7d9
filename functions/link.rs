//! Build script of every function: link the binary at a fixed address
//! (`-no-pie`) on Linux.
//!
//! A position-independent executable is relocated by the dynamic loader at
//! every start: the `telegram` binary carries about 35,000 relative
//! relocations, and applying them writes (so copies) every page of its
//! read-only data, about 130 page faults. At a fixed address the linker has
//! already resolved them: a cold start is a quarter of a millisecond shorter
//! (`docs/benchmarks.md` §1). What is given up is the randomised address of
//! the executable's own image; the stack, the heap and the shared libraries
//! are still randomised, and a Lambda sandbox runs one function's code for
//! one tenant (`docs/architecture.md`, "Decisions").
//!
//! Only the function binaries get this: tests and tools link as usual.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
