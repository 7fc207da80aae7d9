//! Referral codes: a fixed, collision-free code per Telegram id.
//!
//! The id is scrambled by a bijection (multiplication by an odd constant and
//! xor-shifts modulo 2^48, or 2^64 for larger ids), so two users can never
//! share a code and no uniqueness check is needed, yet codes don't reveal the
//! id or its neighbours. Codes from an imported bot are looked up in the same
//! index, so they keep working.

use crate::base::types::TelegramId;

const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
const MUL48: u64 = 0x9E37_79B9_7F4B; // odd
const MUL64: u64 = 0x9E37_79B9_7F4A_7C15; // odd

/// The referral code of `id`.
pub fn encode(id: TelegramId) -> String {
    let x = id.0 as u64;
    if x < (1 << 48) {
        let mask = (1u64 << 48) - 1;
        let mut v = x;
        v ^= v >> 23;
        v = v.wrapping_mul(MUL48) & mask;
        v ^= v >> 29;
        base32(v, 10)
    } else {
        let mut v = x;
        v ^= v >> 31;
        v = v.wrapping_mul(MUL64);
        v ^= v >> 29;
        format!("x{}", base32(v, 13))
    }
}

fn base32(mut v: u64, len: usize) -> String {
    let mut out = vec![b'a'; len];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(v & 31) as usize];
        v >>= 5;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Whether `s` could be a referral code (ours or an imported one).
pub fn plausible(s: &str) -> bool {
    (4..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct_for_neighbouring_ids() {
        let codes: HashSet<String> = (1_000_000..1_020_000)
            .map(|i| encode(TelegramId(i)))
            .collect();
        assert_eq!(codes.len(), 20_000);
    }

    #[test]
    fn codes_have_fixed_shape_and_hide_the_id() {
        let a = encode(TelegramId(1111111));
        let b = encode(TelegramId(1111112));
        assert_eq!(a.len(), 10);
        assert!(!a.contains("1111111"));
        assert_ne!(a[..5], b[..5], "neighbours should not share a prefix");
        assert_eq!(encode(TelegramId(1 << 50)).len(), 14);
        assert!(plausible(&a));
    }
}
