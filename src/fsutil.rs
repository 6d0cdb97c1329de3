//! File writes that never leave a half-written or truncated file behind.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: a temporary file in the same directory is written, flushed to
/// disk and renamed over the target. On any error the target is untouched and the temporary file is
/// removed. An existing target keeps its permissions.
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
    builder.prefix(".permscope-").suffix(".tmp");
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
    fn missing_directory_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir");
        let error = write_atomic(&missing.join("p.json"), b"x").unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(error.to_string(), format!("the directory {} does not exist", missing.display()));
    }
}
