//! Reader for the IDX files MNIST and EMNIST ship in, raw or gzip-compressed.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use thiserror::Error;

/// IDX type code for unsigned bytes, the only element type MNIST uses.
const UNSIGNED_BYTE: u8 = 0x08;
/// Refuse headers that promise more than this many bytes of data: no real file is that large,
/// and a corrupt header must not make us allocate it.
const MAX_DATA_BYTES: u64 = 4 << 30;

#[derive(Debug, Error)]
pub enum IdxError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not an IDX {kind} file: magic number {found:#010x}, expected {expected:#010x}"
    )]
    BadMagic {
        path: PathBuf,
        kind: &'static str,
        found: u32,
        expected: u32,
    },
    #[error("{path} is truncated: its header promises {expected} bytes of data, it has {actual}")]
    Truncated {
        path: PathBuf,
        expected: u64,
        actual: u64,
    },
    #[error(
        "{path} is corrupt: its header claims dimensions {dims:?}, more data than the {} GiB an IDX file may hold",
        MAX_DATA_BYTES >> 30
    )]
    Oversized { path: PathBuf, dims: Vec<u32> },
    #[error("{path} has {extra} bytes after the data its header describes")]
    TrailingData { path: PathBuf, extra: u64 },
    #[error("{path} has images of {rows}×{cols} pixels; expected 28×28")]
    WrongImageSize { path: PathBuf, rows: u32, cols: u32 },
}

/// Images from an IDX3 file, each `rows × cols` bytes, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// Reads an IDX3 image file (magic `0x00000803`).
pub fn read_images(path: &Path) -> Result<IdxImages, IdxError> {
    parse_images(&read_file(path)?, path)
}

/// Reads an IDX1 label file (magic `0x00000801`).
pub fn read_labels(path: &Path) -> Result<Vec<u8>, IdxError> {
    parse_labels(&read_file(path)?, path)
}

/// Parses the bytes of an IDX3 image file, raw or gzip-compressed; `path` names it in errors.
pub fn parse_images(file: &[u8], path: &Path) -> Result<IdxImages, IdxError> {
    let bytes = decompress(file, path)?;
    let (dims, data) = parse(&bytes, path, 3, "image")?;
    Ok(IdxImages {
        count: dims[0] as usize,
        rows: dims[1] as usize,
        cols: dims[2] as usize,
        pixels: data.to_vec(),
    })
}

/// Parses the bytes of an IDX1 label file, raw or gzip-compressed; `path` names it in errors.
pub fn parse_labels(file: &[u8], path: &Path) -> Result<Vec<u8>, IdxError> {
    let bytes = decompress(file, path)?;
    let (_, data) = parse(&bytes, path, 1, "label")?;
    Ok(data.to_vec())
}

/// Checks the header of an unsigned-byte IDX file with `rank` dimensions and returns the
/// dimensions and exactly the data they describe.
fn parse<'a>(
    bytes: &'a [u8],
    path: &Path,
    rank: u8,
    kind: &'static str,
) -> Result<(Vec<u32>, &'a [u8]), IdxError> {
    let expected_magic = u32::from_be_bytes([0, 0, UNSIGNED_BYTE, rank]);
    let header_len = 4 + 4 * usize::from(rank);
    let truncated = |expected: u64| IdxError::Truncated {
        path: path.to_path_buf(),
        expected,
        actual: bytes.len() as u64,
    };
    if bytes.len() < 4 {
        return Err(truncated(header_len as u64));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if magic != expected_magic {
        return Err(IdxError::BadMagic {
            path: path.to_path_buf(),
            kind,
            found: magic,
            expected: expected_magic,
        });
    }
    if bytes.len() < header_len {
        return Err(truncated(header_len as u64));
    }
    let dims: Vec<u32> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let data_len = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(u64::from(d)))
        .filter(|&n| n <= MAX_DATA_BYTES)
        .ok_or_else(|| IdxError::Oversized {
            path: path.to_path_buf(),
            dims: dims.clone(),
        })?;
    let data = &bytes[header_len..];
    let actual = data.len() as u64;
    if actual < data_len {
        return Err(IdxError::Truncated {
            path: path.to_path_buf(),
            expected: data_len,
            actual,
        });
    }
    if actual > data_len {
        return Err(IdxError::TrailingData {
            path: path.to_path_buf(),
            extra: actual - data_len,
        });
    }
    Ok((dims, data))
}

fn read_file(path: &Path) -> Result<Vec<u8>, IdxError> {
    std::fs::read(path).map_err(|source| IdxError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The file's bytes, gunzipped when they start with gzip's magic number.
fn decompress<'a>(file: &'a [u8], path: &Path) -> Result<Cow<'a, [u8]>, IdxError> {
    if !file.starts_with(&[0x1f, 0x8b]) {
        return Ok(Cow::Borrowed(file));
    }
    let mut decoded = Vec::new();
    GzDecoder::new(file)
        .take(MAX_DATA_BYTES + 1024)
        .read_to_end(&mut decoded)
        .map_err(|source| IdxError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Cow::Owned(decoded))
}

/// The bytes of an IDX file of unsigned bytes with these dimensions: for tests and fixtures,
/// which write the files this module reads.
pub fn encode(dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0, 0, UNSIGNED_BYTE, dims.len() as u8];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(data);
    bytes
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn reads_images_and_labels() {
        let dir = tempfile::tempdir().unwrap();
        let pixels: Vec<u8> = (0..2 * 28 * 28).map(|i| (i % 251) as u8).collect();
        let images = read_images(&write(dir.path(), "i", &encode(&[2, 28, 28], &pixels))).unwrap();
        assert_eq!((images.count, images.rows, images.cols), (2, 28, 28));
        assert_eq!(images.pixels, pixels);
        let labels = read_labels(&write(dir.path(), "l", &encode(&[3], &[7, 0, 9]))).unwrap();
        assert_eq!(labels, vec![7, 0, 9]);
    }

    #[test]
    fn reads_gzip_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&encode(&[2], &[4, 2])).unwrap();
        let path = write(dir.path(), "labels.gz", &gz.finish().unwrap());
        assert_eq!(read_labels(&path).unwrap(), vec![4, 2]);
    }

    #[test]
    fn rejects_wrong_magic_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "labels-as-images", &encode(&[2], &[1, 2]));
        let error = read_images(&path).unwrap_err();
        assert!(matches!(
            error,
            IdxError::BadMagic {
                found: 0x801,
                expected: 0x803,
                ..
            }
        ));
        assert!(error.to_string().contains("labels-as-images"), "{error}");
    }

    #[test]
    fn rejects_truncated_data_and_header() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = encode(&[2, 28, 28], &[0; 2 * 784]);
        bytes.truncate(bytes.len() - 100);
        let error = read_images(&write(dir.path(), "short", &bytes)).unwrap_err();
        assert!(matches!(
            error,
            IdxError::Truncated {
                expected: 1568,
                actual: 1468,
                ..
            }
        ));
        let error = read_images(&write(dir.path(), "header", &bytes[..9])).unwrap_err();
        assert!(matches!(error, IdxError::Truncated { .. }), "{error}");
        let error = read_labels(&write(dir.path(), "empty", &[])).unwrap_err();
        assert!(matches!(error, IdxError::Truncated { .. }), "{error}");
    }

    #[test]
    fn rejects_absurd_headers_without_allocating() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = encode(&[u32::MAX, u32::MAX, u32::MAX], &[0; 16]);
        let error = read_images(&write(dir.path(), "huge", &bytes)).unwrap_err();
        assert!(matches!(error, IdxError::Oversized { .. }), "{error}");
        assert!(error.to_string().contains("huge"), "{error}");
    }

    #[test]
    fn rejects_trailing_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_labels(&write(dir.path(), "long", &encode(&[1], &[1, 2]))).unwrap_err();
        assert!(matches!(error, IdxError::TrailingData { extra: 1, .. }));
    }

    #[test]
    fn missing_file_names_the_path() {
        let error = read_labels(Path::new("/nonexistent/labels")).unwrap_err();
        assert!(error.to_string().contains("/nonexistent/labels"));
    }
}
