//! Paths in a person's tree, checked before anything is looked up.

use bureau_core::{Error, Result};

/// Longest name of one file or folder, in bytes (what common filesystems
/// accept).
pub const MAX_NAME_BYTES: usize = 255;
/// Longest whole path, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;

/// A path in a person's tree: its names, each one checked. Nothing in it
/// can climb out (`..`), hide a separator (`/` or `\` inside a name,
/// whatever encoding brought it) or smuggle control characters.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FilePath(Vec<String>);

impl FilePath {
    /// Parses `/a/b/c` (leading and trailing slashes and repeated slashes
    /// are ignored; the text is already percent-decoded).
    pub fn parse(text: &str) -> Result<FilePath> {
        if text.len() > MAX_PATH_BYTES {
            return Err(Error::invalid(
                "path",
                format!("a path may be at most {MAX_PATH_BYTES} bytes long"),
            ));
        }
        let names = text
            .split('/')
            .filter(|name| !name.is_empty())
            .map(|name| check_name(name).map(str::to_string))
            .collect::<Result<Vec<_>>>()?;
        Ok(FilePath(names))
    }

    pub fn root() -> FilePath {
        FilePath(Vec::new())
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The last name; `None` for the root.
    pub fn name(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    pub fn parent(&self) -> Option<FilePath> {
        (!self.0.is_empty()).then(|| FilePath(self.0[..self.0.len() - 1].to_vec()))
    }

    pub fn join(&self, name: &str) -> Result<FilePath> {
        let mut names = self.0.clone();
        names.push(check_name(name)?.to_string());
        Ok(FilePath(names))
    }

    /// True when `self` is `other` or inside it.
    pub fn starts_with(&self, other: &FilePath) -> bool {
        self.0.len() >= other.0.len() && self.0[..other.0.len()] == other.0[..]
    }

    /// `/a/b` (the root is `/`).
    pub fn to_slash_path(&self) -> String {
        format!("/{}", self.0.join("/"))
    }
}

/// Checks one file or folder name, returning it unchanged.
pub fn check_name(name: &str) -> Result<&str> {
    let bad = |why: &str| Err(Error::invalid("name", format!("`{name}` {why}")));
    if name.is_empty() {
        return bad("is empty: a name needs at least one character");
    }
    if name == "." || name == ".." {
        return bad("is not a name: `.` and `..` are not allowed");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad(&format!("is longer than {MAX_NAME_BYTES} bytes"));
    }
    if name.contains(['/', '\\']) {
        return bad("contains a slash; a name cannot contain `/` or `\\`");
    }
    if name.chars().any(char::is_control) {
        return bad("contains a control character");
    }
    if name.trim() != name {
        return bad("starts or ends with a space");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Option<&[&str]>) {
        let parsed = FilePath::parse(text).ok();
        let names = parsed
            .as_ref()
            .map(|p| p.names().iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(names.as_deref(), expected, "parsing {text:?}");
    }

    #[test]
    fn paths_are_checked_name_by_name() {
        check("/", Some(&[]));
        check("", Some(&[]));
        check("/a/b.txt", Some(&["a", "b.txt"]));
        check("//a///b/", Some(&["a", "b"]));
        check("/Équipe/café #1.txt", Some(&["Équipe", "café #1.txt"]));
        check("/a/../b", None);
        check("/a/./b", None);
        check("/..", None);
        check("/a\\..\\b", None);
        check("/a\u{0}b", None);
        check("/line\nbreak", None);
        check("/ padded", None);
        check(&format!("/{}", "x".repeat(256)), None);
        check(&format!("/{}", "x".repeat(255)), Some(&[&"x".repeat(255)]));
    }
}
