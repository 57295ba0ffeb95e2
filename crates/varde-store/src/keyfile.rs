//! The pseudonymisation key: generated on first run into the data directory with owner-only
//! permissions; never logged.

use std::fs;
use std::io::Write;
use std::path::Path;

use rand::RngCore;
use varde_core::pseudonym::PseudonymKey;

pub const KEY_FILE: &str = "pseudonym.key";

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read or write the pseudonym key in {dir}: {source}")]
    Io { dir: String, source: std::io::Error },
    #[error("the pseudonym key file {path} is damaged (expected 64 hex digits)")]
    Damaged { path: String },
}

/// Loads `DIR/pseudonym.key`, creating it (mode 0600) with 32 random bytes if missing.
pub fn load_or_create_key(dir: &Path) -> Result<PseudonymKey, KeyFileError> {
    let io = |source| KeyFileError::Io {
        dir: dir.display().to_string(),
        source,
    };
    fs::create_dir_all(dir).map_err(io)?;
    let path = dir.join(KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => {
            let damaged = || KeyFileError::Damaged {
                path: path.display().to_string(),
            };
            let bytes = hex::decode(text.trim()).map_err(|_| damaged())?;
            let arr: [u8; 32] = bytes.try_into().map_err(|_| damaged())?;
            Ok(PseudonymKey::from_bytes(arr))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let mut opts = fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&path).map_err(io)?;
            f.write_all(hex::encode(bytes).as_bytes()).map_err(io)?;
            f.sync_all().map_err(io)?;
            Ok(PseudonymKey::from_bytes(bytes))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn created_once_owner_only_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_or_create_key(dir.path()).unwrap();
        let b = load_or_create_key(dir.path()).unwrap();
        assert_eq!(a.as_bytes(), b.as_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
