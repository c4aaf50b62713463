//! `runbook vault`: ansible-vault's actions on files and strings. Files are
//! written as ansible-vault writes them (mode 0600 when created, the old
//! mode kept by `edit` and `rekey`); `-` is stdin or stdout.

use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::cli::vault_settings::{EncryptStringJob, VaultJob, VaultRequest, keyring_for};
use crate::cli::{Failure, Outcome};
use crate::report::Reporter;
use crate::source::Diagnostic;
use crate::vault::VaultSettings;
use crate::vault::{Envelope, Keyring, Purpose, Secret, VaultError, encrypt_with, is_vaulted};

pub(super) fn vault(
    request: VaultRequest,
    reporter: &mut dyn Reporter,
) -> Result<Outcome, Failure> {
    let VaultRequest { job, keys } = request;
    let encrypt_identity = keys.encrypt_identity.clone();
    let chosen = |keyring: &Keyring, id: Option<String>| -> Result<Secret, Diagnostic> {
        let id = id.or_else(|| encrypt_identity.clone());
        keyring
            .choose_for_encryption(id.as_deref())
            .cloned()
            .map_err(|e| Diagnostic::options(e.to_string()))
    };
    match job {
        VaultJob::Encrypt {
            files,
            output,
            encrypt_vault_id,
        } => {
            let secret = chosen(
                &secrets(reporter, &keys, Purpose::Encrypt)?,
                encrypt_vault_id,
            )?;
            for file in inputs(files) {
                let plaintext = read(&file)?;
                if is_vaulted(&plaintext) {
                    return Err(fail(&VaultError::AlreadyEncrypted.to_string(), &file).into());
                }
                let vaulted = encrypt_with(&plaintext, &secret);
                write(
                    reporter,
                    output.as_ref().unwrap_or(&file),
                    vaulted.as_bytes(),
                    None,
                )?;
            }
        }
        VaultJob::Decrypt { files, output } => {
            let keyring = secrets(reporter, &keys, Purpose::Decrypt)?;
            for file in inputs(files) {
                let plaintext = decrypt(&keyring, &file)?.0;
                write(reporter, output.as_ref().unwrap_or(&file), &plaintext, None)?;
            }
        }
        VaultJob::View { files } => {
            let keyring = secrets(reporter, &keys, Purpose::Decrypt)?;
            for file in files {
                reporter.data(&decrypt(&keyring, &file)?.0);
            }
        }
        VaultJob::EncryptString(job) => {
            let secret = chosen(
                &secrets(reporter, &keys, Purpose::Encrypt)?,
                job.encrypt_vault_id.clone(),
            )?;
            encrypt_strings(reporter, &job, &secret)?;
        }
        VaultJob::Create {
            file,
            encrypt_vault_id,
            skip_tty_check,
        } => {
            if file.is_file() {
                let message = format!("{} exists, please use 'edit' instead", file.display());
                return Err(Diagnostic::runtime(message).into());
            }
            if !skip_tty_check && !stdout_is_terminal() {
                return Err(Diagnostic::options("not a tty, editor cannot be opened").into());
            }
            let secret = chosen(
                &secrets(reporter, &keys, Purpose::Encrypt)?,
                encrypt_vault_id,
            )?;
            if let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| fail(&e.to_string(), dir))?;
            }
            let edited = edit_in_temp_file(&file, b"")?;
            write(
                reporter,
                &file,
                encrypt_with(&edited, &secret).as_bytes(),
                None,
            )?;
        }
        VaultJob::Edit { files } => {
            let keyring = secrets(reporter, &keys, Purpose::Decrypt)?;
            for file in files {
                let (plaintext, secret, vault_id) = decrypt(&keyring, &file)?;
                let edited = edit_in_temp_file(&file, &plaintext)?;
                if edited != plaintext {
                    let secret = Secret {
                        label: vault_id.unwrap_or_else(|| "default".into()),
                        password: secret.password,
                    };
                    let mode = mode_of(&file);
                    write(
                        reporter,
                        &file,
                        encrypt_with(&edited, &secret).as_bytes(),
                        mode,
                    )?;
                }
            }
        }
        VaultJob::Rekey {
            files,
            encrypt_vault_id,
            new_keys,
        } => {
            let keyring = secrets(reporter, &keys, Purpose::Decrypt)?;
            let new_keyring = secrets(reporter, &new_keys, Purpose::Encrypt)?;
            let new_secret = chosen(&new_keyring, encrypt_vault_id)?;
            for file in files {
                let plaintext = decrypt(&keyring, &file)?.0;
                let mode = mode_of(&file);
                write(
                    reporter,
                    &file,
                    encrypt_with(&plaintext, &new_secret).as_bytes(),
                    mode,
                )?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// The secrets of `settings`; sources that failed while others worked are warned about.
fn secrets(
    reporter: &mut dyn Reporter,
    settings: &VaultSettings,
    purpose: Purpose,
) -> Result<Keyring, Diagnostic> {
    let keyring = keyring_for(settings, purpose)?;
    for warning in crate::vault::session::take_warnings() {
        reporter.warning(&warning);
    }
    Ok(keyring)
}

/// The files named, or stdin.
fn inputs(files: Vec<PathBuf>) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files
    }
}

fn is_std(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn fail(reason: &str, path: &Path) -> Diagnostic {
    let shown = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    Diagnostic::runtime(format!("{reason} for {}", shown.display()))
}

fn read(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    let mut data = Vec::new();
    let read = if is_std(path) {
        std::io::stdin().read_to_end(&mut data).map(|_| ())
    } else {
        std::fs::read(path).map(|bytes| data = bytes)
    };
    read.map_err(|e| {
        Diagnostic::runtime(format!(
            "Unable to read source file ({}): {e}",
            path.display()
        ))
    })?;
    Ok(data)
}

/// The cleartext, the secret that opened it and the file's vault id.
fn decrypt(
    keyring: &Keyring,
    path: &Path,
) -> Result<(Vec<u8>, Secret, Option<String>), Diagnostic> {
    let vaulted = read(path)?;
    if !is_vaulted(&vaulted) {
        let reason = format!(
            "input is not vault encrypted data. {} is not a vault encrypted file",
            path.display()
        );
        return Err(fail(&reason, path));
    }
    let vault_id = Envelope::parse(&vaulted)
        .map_err(|e| fail(&e.to_string(), path))?
        .vault_id;
    let (plaintext, secret) = keyring
        .decrypt_with_secret(&vaulted)
        .map_err(|e| fail(&e.to_string(), path))?;
    Ok((plaintext, secret.clone(), vault_id))
}

fn mode_of(path: &Path) -> Option<u32> {
    std::fs::metadata(path)
        .ok()
        .map(|meta| meta.permissions().mode() & 0o7777)
}

/// Write `data` to `path` (stdout for `-`): a new file of mode 0600 (or
/// `mode`) in the same directory, renamed over the old one.
fn write(
    reporter: &mut dyn Reporter,
    path: &Path,
    data: &[u8],
    mode: Option<u32>,
) -> Result<(), Diagnostic> {
    if is_std(path) {
        reporter.data(data);
        return Ok(());
    }
    // As ansible-vault: through a symbolic link, to the file it names.
    let real = std::fs::canonicalize(path).ok();
    let path = real.as_deref().unwrap_or(path);
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (temp, mut file) = new_private_file(&dir, path).map_err(|e| {
        Diagnostic::runtime(format!("Destination '{}' not writable: {e}", dir.display()))
    })?;
    let written = file
        .write_all(data)
        .and_then(|()| file.sync_all())
        .and_then(|()| match mode {
            Some(mode) => std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(mode)),
            None => Ok(()),
        })
        .and_then(|()| std::fs::rename(&temp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        Diagnostic::runtime(format!("Unable to write {}: {e}", path.display()))
    })
}

/// A file only its owner can read, named after `like`, created in `dir`.
fn new_private_file(dir: &Path, like: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let name = like
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = like
        .extension()
        .map(|ext| format!(".{}", ext.to_string_lossy()))
        .unwrap_or_default();
    loop {
        let candidate = dir.join(format!(
            ".{name}.runbook-vault-{:08x}{extension}",
            rand::random::<u32>()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Open `$EDITOR` (default `vi`) on a 0600 temporary copy of `content`, and
/// return what it holds after; the copy is overwritten and removed either way.
fn edit_in_temp_file(file: &Path, content: &[u8]) -> Result<Vec<u8>, Diagnostic> {
    let editor = std::env::var("EDITOR").unwrap_or_else(|_| "vi".into());
    let mut command = shell_words::split(&editor).map_err(|e| {
        Diagnostic::options(format!("EDITOR {editor:?} cannot be split into words: {e}"))
    })?;
    if command.is_empty() {
        command.push("vi".into());
    }
    let (temp, mut handle) = new_private_file(&std::env::temp_dir(), file)
        .map_err(|e| Diagnostic::runtime(format!("cannot create a temporary file: {e}")))?;
    let result = handle
        .write_all(content)
        .map_err(|e| Diagnostic::runtime(format!("cannot write a temporary file: {e}")))
        .and_then(|()| {
            drop(handle);
            let status = std::process::Command::new(&command[0])
                .args(&command[1..])
                .arg(&temp)
                .status()
                .map_err(|e| {
                    let shown = command.join(" ");
                    Diagnostic::runtime(format!("Unable to execute the command \"{shown}\": {e}"))
                })?;
            if !status.success() {
                return Err(Diagnostic::runtime(format!(
                    "the editor exited with {status}"
                )));
            }
            std::fs::read(&temp)
                .map_err(|e| Diagnostic::runtime(format!("cannot read the edited file: {e}")))
        });
    shred(&temp);
    result
}

/// Overwrite a cleartext file with zeros, then remove it.
fn shred(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path)
        && let Ok(mut file) = std::fs::OpenOptions::new().write(true).open(path)
    {
        let zeros = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
        let _ = file.write_all(&zeros).and_then(|()| file.sync_all());
    }
    let _ = std::fs::remove_file(path);
}

fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

/// `encrypt_string`: each string as a `!vault |` YAML value (named with
/// `--name`/`--stdin-name`), in ansible-vault's layout.
fn encrypt_strings(
    reporter: &mut dyn Reporter,
    job: &EncryptStringJob,
    secret: &Secret,
) -> Result<(), Diagnostic> {
    let mut plaintexts: Vec<(Vec<u8>, Option<String>)> = Vec::new();
    if job.prompt {
        let name = crate::terminal::ask("Variable name (enter for no name): ", true)
            .ok_or_else(|| Diagnostic::options("--prompt needs a terminal to ask on"))?;
        let question = if job.show_input {
            "String to encrypt:"
        } else {
            "String to encrypt (hidden): "
        };
        let text = crate::terminal::ask(question, job.show_input).unwrap_or_default();
        if text.is_empty() {
            return Err(Diagnostic::options(
                "The plaintext provided from the prompt was empty, not encrypting",
            ));
        }
        plaintexts.push((text.into_bytes(), Some(name).filter(|n| !n.is_empty())));
    }
    if job.read_stdin {
        let text = read(Path::new("-"))?;
        if text.is_empty() {
            return Err(Diagnostic::options("stdin was empty, not encrypting"));
        }
        plaintexts.push((text, job.stdin_name.clone()));
    }
    for (index, text) in job.strings.iter().enumerate() {
        if text.is_empty() {
            return Err(Diagnostic::options(
                "The plaintext provided from the command line args was empty, not encrypting",
            ));
        }
        plaintexts.push((text.as_bytes().to_vec(), job.names.get(index).cloned()));
    }
    let blocks: Vec<String> = plaintexts
        .iter()
        .map(|(text, name)| yaml_value(&encrypt_with(text, secret), name.as_deref()))
        .collect();
    let mut out = blocks.join("\n");
    out.push('\n');
    write(
        reporter,
        job.output.as_deref().unwrap_or(Path::new("-")),
        out.as_bytes(),
        None,
    )
}

/// `name: !vault |` and the envelope indented by 10, as ansible-vault prints it.
fn yaml_value(vaulted: &str, name: Option<&str>) -> String {
    let mut lines = vec![match name {
        Some(name) => format!("{name}: !vault |"),
        None => "!vault |".to_string(),
    }];
    lines.extend(vaulted.lines().map(|line| format!("{:10}{line}", "")));
    lines.join("\n")
}
