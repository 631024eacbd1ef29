//! A process killed while it writes a file through `atomic::write` (as `train` and `calibrate`
//! write the weights the page loads) leaves the previous file whole, never a half-written one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the writer child writes; the test that spawns it sets this.
const TARGET_VARIABLE: &str = "KILLED_WRITE_TARGET";
/// Large enough that the write takes a while to kill it in the middle of.
const NEW_SIZE: usize = 256 << 20;

/// Not a test on its own: the child process of the test below, which kills it mid-write.
#[test]
#[ignore = "run by killed_mid_write_leaves_the_old_file_whole"]
fn writer_child() {
    let target = PathBuf::from(std::env::var(TARGET_VARIABLE).unwrap());
    training::atomic::write(&target, &vec![b'n'; NEW_SIZE]).unwrap();
}

/// Bytes in the folder's files other than `except`: the write in progress.
fn bytes_in_progress(dir: &Path, except: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.path() != except)
        .filter_map(|entry| entry.metadata().ok())
        .map(|metadata| metadata.len())
        .sum()
}

#[test]
fn killed_mid_write_leaves_the_old_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("digits.bpk");
    let old = b"the weights of yesterday".repeat(1000);
    std::fs::write(&target, &old).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["writer_child", "--exact", "--ignored", "--nocapture"])
        .env(TARGET_VARIABLE, &target)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while bytes_in_progress(dir.path(), &target) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never started writing"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        std::fs::read(&target).unwrap() == old,
        "the old file was damaged"
    );

    // Not killed, the same write replaces the file whole.
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["writer_child", "--exact", "--ignored"])
        .env(TARGET_VARIABLE, &target)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::metadata(&target).unwrap().len(), NEW_SIZE as u64);
}
