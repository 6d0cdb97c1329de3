//! The saved draft: written to the data directory after changes and on quit, read on start.
//!
//! A state file that cannot be parsed is moved aside with a timestamp and reported, never overwritten.
//! One that cannot be read (permissions) is left alone, and the draft is not saved over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Scope};
use crate::draft::Draft;
use crate::policy::Policy;

/// Format version of the state file; a file of another version is set aside like a corrupt one.
const STATE_VERSION: u32 = 1;

/// Largest state file read, in bytes.
const MAX_STATE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedDraft {
    pub version: u32,
    pub grants: Vec<String>,
    /// Picked APIs as `METHOD PATH`, so they survive a catalog that reorders its APIs.
    pub picked: Vec<String>,
    /// The actions of each picked API, by `METHOD PATH`, so a pick missing from the catalog of a later
    /// start still grants them. Absent in drafts saved before it was added.
    #[serde(default)]
    pub picked_actions: BTreeMap<String, Vec<String>>,
    /// Kept statements as a policy document.
    pub kept: Option<serde_json::Value>,
    pub scope: Scope,
    pub search: String,
}

impl SavedDraft {
    pub fn from_draft(draft: &Draft, catalog: &Catalog, scope: Scope, search: &str) -> SavedDraft {
        let kept = (!draft.kept.is_empty()).then(|| Policy { statements: draft.kept.clone() }.to_json());
        SavedDraft {
            version: STATE_VERSION,
            grants: draft.grants.iter().cloned().collect(),
            picked: draft.picked.iter().filter_map(|&i| catalog.apis.get(i)).map(|api| api.key()).collect(),
            picked_actions: draft
                .picked
                .iter()
                .filter_map(|&i| catalog.apis.get(i))
                .map(|api| (api.key(), api.actions.iter().map(|a| a.to_lowercase()).collect()))
                .collect(),
            kept,
            scope,
            search: search.to_owned(),
        }
    }

    /// Rebuilds the draft and counts the picked APIs not found in `catalog`. Their actions, when the
    /// draft recorded them, become grants, so switching catalogs loses no permission.
    pub fn to_draft(&self, catalog: &Catalog) -> (Draft, usize) {
        let mut draft = Draft { grants: self.grants.iter().map(|g| g.to_lowercase()).collect(), ..Draft::default() };
        let mut dropped = 0;
        for key in &self.picked {
            let found = key.split_once(' ').and_then(|(method, path)| catalog.find(method, path));
            match found {
                Some(index) => {
                    draft.picked.insert(index);
                }
                None => {
                    dropped += 1;
                    let actions = self.picked_actions.get(key).into_iter().flatten();
                    draft.grants.extend(actions.map(|a| a.to_lowercase()));
                }
            }
        }
        if let Some(kept) = &self.kept
            && let Ok(parsed) = Policy::parse("state", &kept.to_string())
        {
            draft.kept = parsed.policy.statements;
        }
        (draft, dropped)
    }
}

/// The outcome of reading the state file.
#[derive(Debug)]
pub enum Loaded {
    Missing,
    Restored(SavedDraft),
    /// Invalid content, moved to `moved_to`.
    Corrupt { moved_to: PathBuf, error: String },
    /// Could not be read or moved; left in place, and saving is disabled so it is not overwritten.
    Unreadable(String),
}

/// Reads the state file. First removes the temporary files that an explorer killed during a save
/// left beside it (see [`crate::fsutil::remove_stale_temporary_files`] for which ones).
pub fn load(path: &Path) -> Loaded {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        // A directory that cannot be listed is reported by the read below, and a stale file that stays
        // only takes space, so the explorer shows nothing about the cleanup.
        let _ = crate::fsutil::remove_stale_temporary_files(dir);
    }
    let bytes = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Unreadable(describe_unreadable(path, &e)),
        Ok(metadata) if metadata.len() > MAX_STATE_BYTES => Err(format!("larger than {MAX_STATE_BYTES} bytes")),
        Ok(_) => std::fs::read(path).map_err(|e| e.to_string()),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(error) if error.starts_with("larger") => return set_aside(path, error),
        Err(error) => return Loaded::Unreadable(error),
    };
    let parsed = serde_json::from_slice::<SavedDraft>(&bytes).map_err(|e| e.to_string()).and_then(|saved| {
        if saved.version == STATE_VERSION { Ok(saved) } else { Err(format!("unknown version {}", saved.version)) }
    });
    match parsed {
        Ok(saved) => Loaded::Restored(saved),
        Err(error) => set_aside(path, error),
    }
}

/// Describes why the state file's metadata cannot be read. When a directory on the path is a file
/// (ENOTDIR), names that file, because the OS error names neither it nor the state file.
// NOTE: the description is English in the Chinese message too. A `Loaded` variant of its own, with a
// string in each language, would localize it, but `tui::mod` and `strings::mod` would change with it.
fn describe_unreadable(path: &Path, error: &std::io::Error) -> String {
    if error.kind() == std::io::ErrorKind::NotADirectory
        && let Some(blocker) = path.ancestors().skip(1).find(|dir| std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()))
    {
        return format!("{} is not a directory", blocker.display());
    }
    error.to_string()
}

fn set_aside(path: &Path, error: String) -> Loaded {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string().replace(':', "-");
    let mut moved = path.as_os_str().to_owned();
    moved.push(format!(".corrupt-{stamp}"));
    let moved_to = PathBuf::from(moved);
    match std::fs::rename(path, &moved_to) {
        Ok(()) => Loaded::Corrupt { moved_to, error },
        Err(e) => Loaded::Unreadable(format!("{error}; moving it aside failed: {e}")),
    }
}

/// Writes the state file atomically, creating its directory.
pub fn save(path: &Path, saved: &SavedDraft) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = serde_json::to_string_pretty(saved).expect("the saved draft serializes");
    text.push('\n');
    crate::fsutil::write_atomic(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Statement;

    #[test]
    fn round_trip_keeps_everything() {
        let catalog = Catalog::builtin();
        let mut draft = Draft::default();
        draft.grants.insert("evs:snapshots:list".into());
        draft.picked.insert(12);
        draft.kept.push(Statement::deny(vec!["evs:snapshots:delete".into()]));
        let saved = SavedDraft::from_draft(&draft, &catalog, Scope::Enterprise, "hgkz");
        assert_eq!(saved.picked, ["POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback"]);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/draft.json");
        save(&path, &saved).unwrap();
        let Loaded::Restored(loaded) = load(&path) else { panic!("expected a restored draft") };
        assert_eq!(loaded, saved);
        let (restored, dropped) = loaded.to_draft(&catalog);
        assert_eq!(restored, draft);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn corrupt_file_moved_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("draft.json");
        std::fs::write(&path, "{not json").unwrap();
        let Loaded::Corrupt { moved_to, .. } = load(&path) else { panic!("expected corrupt") };
        assert!(!path.exists());
        assert_eq!(std::fs::read_to_string(&moved_to).unwrap(), "{not json");
        assert!(moved_to.file_name().unwrap().to_string_lossy().starts_with("draft.json.corrupt-"));
    }

    #[test]
    fn file_in_place_of_directory_named() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, "a regular file").unwrap();
        let Loaded::Unreadable(error) = load(&blocker.join("data/permscope/draft.json")) else {
            panic!("expected unreadable")
        };
        assert_eq!(error, format!("{} is not a directory", blocker.display()));
        assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "a regular file");
    }

    #[test]
    fn missing_file_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load(&dir.path().join("none.json")), Loaded::Missing));
    }

    #[test]
    fn unknown_picks_dropped() {
        let catalog = Catalog::builtin();
        let saved = SavedDraft {
            version: STATE_VERSION,
            grants: vec![],
            picked: vec!["GET /v9/nothing".into(), "GET /v2/{project_id}/snapshots".into()],
            picked_actions: BTreeMap::new(),
            kept: None,
            scope: Scope::Project,
            search: String::new(),
        };
        let (draft, dropped) = saved.to_draft(&catalog);
        assert_eq!(dropped, 1);
        assert_eq!(draft.picked.iter().copied().collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn unknown_picks_keep_their_actions() {
        let catalog = Catalog::builtin();
        let saved = SavedDraft {
            version: STATE_VERSION,
            grants: vec!["waf:policy:stop".into()],
            picked: vec!["GET /v9/nothing".into()],
            picked_actions: BTreeMap::from([(
                "GET /v9/nothing".into(),
                vec!["evs:snapshots:rollback".into(), "EVS:Snapshots:Get".into()],
            )]),
            kept: None,
            scope: Scope::Project,
            search: String::new(),
        };
        let (draft, dropped) = saved.to_draft(&catalog);
        assert_eq!(dropped, 1);
        assert!(draft.picked.is_empty());
        let grants: Vec<&str> = draft.grants.iter().map(String::as_str).collect();
        assert_eq!(grants, ["evs:snapshots:get", "evs:snapshots:rollback", "waf:policy:stop"]);
    }

    #[test]
    fn picked_actions_saved_and_optional() {
        let catalog = Catalog::builtin();
        let mut draft = Draft::default();
        // Row 12 of the EVS table: the os-vendor rollback needs rollback, get and volumes:get.
        draft.picked.insert(12);
        let saved = SavedDraft::from_draft(&draft, &catalog, Scope::Project, "");
        let key = "POST /v2/{project_id}/os-vendor-snapshots/{snapshot_id}/rollback";
        assert_eq!(saved.picked_actions[key], ["evs:snapshots:rollback", "evs:snapshots:get", "evs:volumes:get"]);
        // A draft saved before the field existed still loads.
        let old = r#"{"version": 1, "grants": [], "picked": [], "kept": null, "scope": "project", "search": ""}"#;
        let parsed: SavedDraft = serde_json::from_str(old).unwrap();
        assert!(parsed.picked_actions.is_empty());
    }
}
