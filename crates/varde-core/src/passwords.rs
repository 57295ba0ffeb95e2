//! The password policy (OWASP ASVS 2.1, NIST SP 800-63B): at least 12 characters and at most
//! 1,024 (long passphrases welcome, any characters), not the username or a variant of it, not
//! repetitive or sequential (`aaaaaaaaaaaa`, `123456789012`), and not one of the common
//! passwords shipped with the binary (`data/passwords/`, see its `SOURCES.md`). No rules of
//! composition (a digit, a capital): they make passwords harder to remember, not to guess.
//! Every refusal names the rule.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::fields::FieldError;

/// The shortest password accepted, in characters.
pub const MIN_CHARS: usize = 12;
/// The longest password accepted, in characters.
pub const MAX_CHARS: usize = 1024;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/passwords/common-12plus.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .collect()
});

/// Letters and digits only, lower-cased: what "the same word" means for the username rule.
fn core(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether the password is one short unit repeated (`abcabcabcabc`) or has fewer than four
/// different characters.
fn repetitive(p: &[char]) -> bool {
    let distinct: HashSet<&char> = p.iter().collect();
    if distinct.len() < 4 {
        return true;
    }
    (1..=p.len() / 2).any(|unit| {
        let mut chunks = p.chunks_exact(unit);
        chunks.remainder().is_empty() && chunks.all(|c| c == &p[..unit])
    })
}

/// Whether the password is one run up or down the alphabet or the digits (`abcdefghijkl`,
/// `987654321098`), wrapping from 9 to 0.
fn sequential(p: &[char]) -> bool {
    let step = |a: char, b: char| -> Option<i32> {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        if !(a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric()) {
            return None;
        }
        let d = b as i32 - a as i32;
        match (a, b) {
            ('9', '0') => Some(1),
            ('0', '9') => Some(-1),
            _ => Some(d),
        }
    };
    let steps: Vec<Option<i32>> = p.windows(2).map(|w| step(w[0], w[1])).collect();
    steps.iter().all(|s| *s == Some(1)) || steps.iter().all(|s| *s == Some(-1))
}

/// Checks a new password for the user `username`.
pub fn check(password: &str, username: &str) -> Result<(), FieldError> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_CHARS {
        return Err(FieldError::new(
            "password",
            format!("at least {MIN_CHARS} characters (a few words make a good one)"),
        ));
    }
    if chars.len() > MAX_CHARS {
        return Err(FieldError::new(
            "password",
            format!("at most {MAX_CHARS} characters"),
        ));
    }
    let pw = core(password);
    let user = core(username.split('@').next().unwrap_or(username));
    let reversed: String = user.chars().rev().collect();
    if user.chars().count() >= 3 && (pw.contains(&user) || pw.contains(&reversed)) {
        return Err(FieldError::new("password", "must not contain the username"));
    }
    if repetitive(&chars) || sequential(&chars) {
        return Err(FieldError::new(
            "password",
            "too repetitive or sequential (such as aaaa… or 1234…): choose a few words",
        ));
    }
    if COMMON.contains(password.to_lowercase().as_str()) {
        return Err(FieldError::new(
            "password",
            "one of the most common passwords (SecLists' top million): choose another",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn refused(p: &str, user: &str) -> String {
        check(p, user).unwrap_err().rule
    }

    #[test]
    fn the_policy_names_its_rule() {
        assert!(check("et langt passord om våren", "kari").is_ok());
        assert!(check("korrekt-hest-batteri-stift", "kari").is_ok());
        assert!(refused("kort", "kari").contains("at least 12"));
        assert!(refused(&"x".repeat(MAX_CHARS + 1), "kari").contains("at most"));
        // Twelve identical characters; a unit repeated; a run of digits or letters.
        assert!(refused("aaaaaaaaaaaa", "kari").contains("repetitive"));
        assert!(refused("abcabcabcabc", "kari").contains("repetitive"));
        assert!(refused("123456789012", "kari").contains("sequential"));
        assert!(refused("lkjihgfedcba", "kari").contains("sequential"));
        // The username, as it is, in other case, with digits, reversed, or inside.
        for p in [
            "kari.nordmann",
            "KARI.NORDMANN!!",
            "karinordmann2024",
            "nnamdronirak!!",
        ] {
            assert!(refused(p, "kari.nordmann@oslo").contains("username"), "{p}");
        }
        // A common password (from the shipped list), in any case.
        assert!(
            refused("qwertyuiopasdfgh", "kari").contains("common")
                || refused("qwertyuiopasdfgh", "kari").contains("sequential")
        );
        assert!(refused("1qaz2wsx3edc", "kari").contains("common"));
        assert!(refused("1QAZ2WSX3EDC", "kari").contains("common"));
        assert!(COMMON.len() > 40_000);
    }
}
