//! File writes that never leave a half-written or truncated file behind.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A temporary file of [`write_atomic`] is named `.permscope-<PID>-<RANDOM>.tmp`, where PID is the
/// writer's process ID and RANDOM is [`TEMP_RANDOM_CHARS`] ASCII letters and digits. The process ID
/// lets a later run tell whether the writer may still be running.
const TEMP_PREFIX: &str = ".permscope-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM_CHARS: usize = 6;

/// Minimum age, by modification time, of a temporary file that [`remove_stale_temporary_files`]
/// removes. A write of a few megabytes and its fsync normally end within seconds. So a file this old
/// was left by a process killed between the write and the rename, or belongs to a writer stuck on a
/// hung disk, whose file the process ID check keeps wherever /proc shows that writer.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Writes `bytes` to `path` atomically: a temporary file in the same directory is written, flushed to
/// disk and renamed over the target. On any error the target is untouched and the temporary file is
/// removed. An existing target keeps its permissions. A process killed between the write and the
/// rename (SIGKILL, power loss) leaves the temporary file, which [`remove_stale_temporary_files`]
/// can remove later.
///
/// A target that is a device, FIFO or socket (`/dev/full`, `/dev/stdout`) is written in place
/// instead, because a rename would replace the node itself with a regular file. Such a write is not
/// atomic.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Ok(metadata) = std::fs::metadata(path)
        && !metadata.is_file()
        && !metadata.is_dir()
    {
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        file.write_all(bytes)?;
        return file.flush();
    }

    // A symbolic link is followed, so the file it points to is replaced and the link stays.
    // NOTE: a dangling link cannot be resolved and is replaced by the new file.
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let resolved = if is_link { std::fs::canonicalize(path).ok() } else { None };
    let path = resolved.as_deref().unwrap_or(path);

    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    builder.prefix(&prefix).rand_bytes(TEMP_RANDOM_CHARS).suffix(TEMP_SUFFIX);
    // tempfile creates 0600 files; a new export gets the mode any new file gets (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| directory_error(dir, e))?;
    // Written through the File, because NamedTempFile's own Write adds the temporary path to errors.
    temp.as_file_mut().write_all(bytes)?;
    temp.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path) {
        temp.as_file().set_permissions(metadata.permissions())?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes the temporary files that [`write_atomic`] left in `dir` when its process was killed
/// before the rename, and returns their paths. The state file's directory is cleaned this way when
/// the explorer starts.
///
/// A file is removed only when all of these hold, so that a write still in progress in another
/// permscope process is not cut short:
/// - its name matches `.permscope-<PID>-<RANDOM>.tmp` exactly, and it is a regular file (a symbolic
///   link or directory of that name is kept);
/// - it was last modified at least [`STALE_AFTER`] ago, because a live write keeps its file for far
///   less time. The age covers writers this process cannot see: another host on a shared file
///   system, or another PID namespace;
/// - process PID is not running, checked in /proc. A running PID keeps the file even when it is
///   old, which covers a writer stuck on a slow disk. The PID may belong to a new, unrelated process,
///   which only delays the removal. Without /proc (macOS) the age alone decides.
///
/// The one exception is a writer on another host or in another PID namespace that takes longer than
/// [`STALE_AFTER`]: its rename then fails, so it reports the error and its target stays unchanged.
///
/// A lock on the temporary file would be exact, but `File::try_lock` needs Rust 1.89, and Cargo.toml
/// declares rust-version 1.88.
///
/// Errors: only a directory that cannot be listed. A file that vanishes or cannot be removed is
/// skipped, because a leftover temporary file does no harm beyond taking space.
pub fn remove_stale_temporary_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = temporary_file_pid(&entry.file_name()) else { continue };
        // DirEntry::metadata does not follow symbolic links.
        let Ok(metadata) = entry.metadata() else { continue };
        if !metadata.file_type().is_file() {
            continue;
        }
        // A modification time in the future (clock skew) counts as new.
        let old = metadata.modified().is_ok_and(|modified| now.duration_since(modified).is_ok_and(|age| age >= STALE_AFTER));
        if !old || process_state(pid) == ProcessState::Running {
            continue;
        }
        let path = entry.path();
        if std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Returns the writer's process ID when `name` is a temporary file name of [`write_atomic`].
fn temporary_file_pid(name: &OsStr) -> Option<u32> {
    let inner = name.to_str()?.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let (pid, random) = inner.split_once('-')?;
    let pid_valid = !pid.is_empty() && !pid.starts_with('0') && pid.bytes().all(|b| b.is_ascii_digit());
    let random_valid = random.len() == TEMP_RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric());
    if !pid_valid || !random_valid {
        return None;
    }
    pid.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProcessState {
    Running,
    NotRunning,
    /// No /proc to look in.
    Unknown,
}

/// Looks the process up in /proc. A zombie still has an entry and counts as running.
fn process_state(pid: u32) -> ProcessState {
    if pid == std::process::id() {
        return ProcessState::Running;
    }
    let proc_root = Path::new("/proc");
    if !proc_root.join("self").exists() {
        return ProcessState::Unknown;
    }
    match std::fs::symlink_metadata(proc_root.join(pid.to_string())) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ProcessState::NotRunning,
        _ => ProcessState::Running,
    }
}

/// Describes a failure to create the temporary file by its directory. tempfile's own message names the
/// random temporary path, which the user never asked for and cannot find afterwards.
fn directory_error(dir: &Path, error: std::io::Error) -> std::io::Error {
    let dir_name = dir.display();
    // tempfile 3 formats its errors as `<OS error> at path "<temporary path>"`; the OS error is kept.
    let full = error.to_string();
    let os_error = full.split(" at path ").next().unwrap_or(&full);
    let message = match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!("the directory {dir_name} does not exist"),
        Err(e) => format!("cannot access the directory {dir_name}: {e}"),
        Ok(metadata) if !metadata.is_dir() => format!("{dir_name} is not a directory"),
        Ok(_) => format!("cannot create a file in the directory {dir_name}: {os_error}"),
    };
    std::io::Error::new(error.kind(), message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn new_file_mode_follows_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // Group and others may read unless the umask forbids it; never the 0600 of a temporary file.
        assert_eq!(mode & 0o600, 0o600);
        let reference = dir.path().join("reference");
        std::fs::File::create(&reference).unwrap();
        assert_eq!(mode, std::fs::metadata(&reference).unwrap().permissions().mode() & 0o777);
    }

    #[test]
    fn replaces_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.json");
        std::fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn symlink_target_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();

        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "no temporary file left");
    }

    #[test]
    fn file_as_directory_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain");
        std::fs::write(&file, "x").unwrap();
        let error = write_atomic(&file.join("p.json"), b"x").unwrap_err();
        assert_eq!(error.to_string(), format!("{} is not a directory", file.display()));
    }

    #[test]
    fn fifo_written_in_place() {
        use std::os::unix::fs::FileTypeExt;
        // A FIFO rather than a device such as /dev/full: if this check regressed, the rename would
        // replace the node, which must never happen to a real device of the machine.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success(), "mkfifo failed");
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || std::fs::read(reader_path).unwrap());

        write_atomic(&fifo, b"policy").unwrap();
        // Checked before joining, because a reader whose FIFO was replaced would wait forever.
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
        assert_eq!(reader.join().unwrap(), b"policy");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn temporary_names_parsed() {
        let cases = [
            (".permscope-4242-aB3dE9.tmp", Some(4242)),
            (".permscope-1-000000.tmp", Some(1)),
            (".permscope-4294967295-zzzzzz.tmp", Some(u32::MAX)),
            // Names without a process ID, as earlier versions wrote them, are not removed.
            (".permscope-aB3dE9.tmp", None),
            (".permscope-4242-aB3dE.tmp", None),
            (".permscope-4242-aB3dE9x.tmp", None),
            (".permscope-4242-aB-dE9.tmp", None),
            (".permscope-04242-aB3dE9.tmp", None),
            (".permscope--aB3dE9.tmp", None),
            (".permscope-4294967296-aB3dE9.tmp", None),
            (".permscope-4242-aB3dE9.tmp.bak", None),
            ("permscope-4242-aB3dE9.tmp", None),
            (".permscope-4242-aB3dÉ.tmp", None),
        ];
        for (name, expected) in cases {
            assert_eq!(temporary_file_pid(OsStr::new(name)), expected, "{name}");
        }
    }

    /// Returns the ID of a process that has exited.
    fn exited_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        child.wait().unwrap();
        child.id()
    }

    fn backdate(path: &Path, age: Duration) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
    }

    #[test]
    fn stale_temporary_files_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = exited_pid();
        let old = STALE_AFTER + Duration::from_secs(60);
        let stale = dir.path().join(format!(".permscope-{dead}-aB3dE9.tmp"));
        std::fs::write(&stale, "{\"version\": 1, \"gra").unwrap();
        backdate(&stale, old);

        // Kept: too new, a running writer (this process), a name of another pattern, a directory.
        let fresh = dir.path().join(format!(".permscope-{dead}-fReSh1.tmp"));
        std::fs::write(&fresh, "partial").unwrap();
        let running = dir.path().join(format!(".permscope-{}-RuNnIn.tmp", std::process::id()));
        std::fs::write(&running, "partial").unwrap();
        backdate(&running, old);
        let other = dir.path().join(format!(".permscope-{dead}-aB3dE9.tmp.keep"));
        std::fs::write(&other, "mine").unwrap();
        backdate(&other, old);
        let directory = dir.path().join(format!(".permscope-{dead}-DiReCt.tmp"));
        std::fs::create_dir(&directory).unwrap();

        // A symbolic link of the pattern is kept, and so is the old file it points to.
        let target = dir.path().join("target.json");
        std::fs::write(&target, "target").unwrap();
        backdate(&target, old);
        let link = dir.path().join(format!(".permscope-{dead}-SyMlNk.tmp"));
        std::os::unix::fs::symlink(&target, &link).unwrap();

        let removed = remove_stale_temporary_files(dir.path()).unwrap();
        assert_eq!(removed, std::slice::from_ref(&stale));
        assert!(!stale.exists());
        for kept in [&fresh, &running, &other, &directory, &target] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }

    #[test]
    fn unlistable_directory_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let error = remove_stale_temporary_files(&missing).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn missing_directory_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir");
        let error = write_atomic(&missing.join("p.json"), b"x").unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(error.to_string(), format!("the directory {} does not exist", missing.display()));
    }
}
