//! Embeds the web app: `web/dist` when `cargo xtask web` has built it, else
//! the small placeholder pages in `placeholder/`, so `cargo build` and
//! `cargo test` work without Node.
//!
//! The web build writes `NAME.br` and `NAME.gz` beside each text file; they
//! are embedded as the file's precompressed forms, not as files of their own.
//! Each file's ETag is computed here, once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = manifest.join("../../web");
    let dist = web.join("dist");
    let built = dist.join("index.html").is_file();
    let root = if built {
        dist.clone()
    } else {
        manifest.join("placeholder")
    };
    println!("cargo:rerun-if-changed={}", root.display());
    if !built {
        // Rerun when the web app gets built (cargo rescans the folder).
        println!("cargo:rerun-if-changed={}", web.display());
    }

    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let names: std::collections::HashSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();

    let mut code = String::from("pub static FILES: &[Asset] = &[\n");
    for (name, path) in &files {
        if is_variant(name) && names.contains(name.rsplit_once('.').map_or("", |(base, _)| base)) {
            continue;
        }
        let bytes = std::fs::read(path).expect("an embedded file is readable");
        let variant = |suffix: &str| -> String {
            let candidate = PathBuf::from(format!("{}.{suffix}", path.display()));
            if names.contains(format!("{name}.{suffix}").as_str()) {
                format!(
                    "Some(include_bytes!({:?}))",
                    candidate.display().to_string()
                )
            } else {
                "None".to_string()
            }
        };
        let _ = writeln!(
            code,
            "    Asset {{ path: {name:?}, media_type: {:?}, etag: {:?}, identity: include_bytes!({:?}), brotli: {}, gzip: {} }},",
            media_type(name),
            format!("{:016x}-{:x}", fnv(&bytes), bytes.len()),
            path.display().to_string(),
            variant("br"),
            variant("gz"),
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

fn is_variant(name: &str) -> bool {
    name.ends_with(".br") || name.ends_with(".gz")
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            files.push((name, path.canonicalize().unwrap_or(path)));
        }
    }
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// FNV-1a: a stable content hash for ETags.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
