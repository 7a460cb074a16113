//! Random secrets (session cookies, tokens, links) and how they are stored:
//! only a hash, so a copy of the database opens no account.

use blake2::{Blake2b, Digest};

/// A new secret: `prefix` then 256 random bits in hex.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system provides randomness");
    let mut out = String::with_capacity(prefix.len() + 64);
    out.push_str(prefix);
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The stored form of a secret. Secrets carry 256 bits of entropy, so a fast
/// hash is enough; passwords use argon2id instead.
pub fn hash(secret: &str) -> String {
    let digest = Blake2b::<blake2::digest::consts::U32>::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills `bytes` with randomness from the operating system.
pub fn fill_random(bytes: &mut [u8]) {
    getrandom::getrandom(bytes).expect("the operating system provides randomness");
}
