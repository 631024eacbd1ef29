//! The labelled sets: MNIST (fetched on demand), UNIPEN's characters (from the copy beside
//! the repository) and EMNIST (from the user's files).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail, ensure};
use std::sync::Arc;

use handwriting::{GLYPH_PIXELS, Stroke};
use serde::{Deserialize, Serialize};

use crate::characters;
use crate::idx::{self, IdxError};

/// One 28×28 image in the MNIST convention (0 = paper) and its class index.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub pixels: [u8; GLYPH_PIXELS],
    pub class: usize,
    /// The pen strokes the image was drawn from, where the data set has them: augmentation
    /// then distorts the strokes and draws them again, as the page would.
    pub strokes: Option<Arc<Vec<Stroke>>>,
}

impl Sample {
    /// The image as intensities in `0.0..=1.0`, undistorted.
    pub fn clean(&self) -> [f32; GLYPH_PIXELS] {
        self.pixels.map(|p| f32::from(p) / 255.0)
    }
}

/// A data set's splits and the text of each class.
#[derive(Debug)]
pub struct Splits {
    pub train: Vec<Sample>,
    /// Held-out writers for validation, where the data set names its writers; otherwise
    /// training holds out random training images.
    pub validation: Option<Vec<Sample>>,
    pub test: Vec<Sample>,
    pub labels: Vec<String>,
    /// How the data was split, for the report, where there is more to say than the counts
    /// (UNIPEN's writers).
    pub split_facts: Vec<(String, String)>,
}

/// Which data set to train on. EMNIST's splits need the official files (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DatasetKind {
    Mnist,
    /// MNIST's digits and, beside them, UNIPEN's isolated digits (pen strokes), whose writers
    /// are split as for the characters model: training takes MNIST's training images and the
    /// training writers' digits, validation (and so the "unsure" threshold) the validation
    /// writers' digits, and the test is MNIST's.
    MnistUnipenDigits,
    /// UNIPEN's isolated digits, letters and symbols, split by writer.
    UnipenCharacters,
    /// UNIPEN's characters, split by writer as `UnipenCharacters`, and a fifth of MNIST's
    /// training digits beside the training writers' (see `MNIST_STRIDE_BESIDE_CHARACTERS`).
    MnistUnipenCharacters,
    Emnist(EmnistSplit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmnistSplit {
    Balanced,
    Letters,
    Digits,
    Byclass,
}

impl EmnistSplit {
    const ALL: [Self; 4] = [Self::Balanced, Self::Letters, Self::Digits, Self::Byclass];

    fn name(self) -> &'static str {
        match self {
            Self::Balanced => "balanced",
            Self::Letters => "letters",
            Self::Digits => "digits",
            Self::Byclass => "byclass",
        }
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mnist => f.write_str("mnist"),
            Self::MnistUnipenDigits => f.write_str("mnist-unipen-digits"),
            Self::UnipenCharacters => f.write_str("unipen-characters"),
            Self::MnistUnipenCharacters => f.write_str("mnist-unipen-characters"),
            Self::Emnist(split) => write!(f, "emnist-{}", split.name()),
        }
    }
}

impl FromStr for DatasetKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mnist" => return Ok(Self::Mnist),
            "mnist-unipen-digits" => return Ok(Self::MnistUnipenDigits),
            "unipen-characters" => return Ok(Self::UnipenCharacters),
            "mnist-unipen-characters" => return Ok(Self::MnistUnipenCharacters),
            _ => {}
        }
        EmnistSplit::ALL
            .into_iter()
            .find(|split| s.strip_prefix("emnist-") == Some(split.name()))
            .map(Self::Emnist)
            .ok_or_else(|| {
                format!("unknown data set \"{s}\": use mnist, mnist-unipen-digits, unipen-characters, mnist-unipen-characters, emnist-balanced, emnist-letters, emnist-digits or emnist-byclass")
            })
    }
}

impl TryFrom<String> for DatasetKind {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<DatasetKind> for String {
    fn from(kind: DatasetKind) -> String {
        kind.to_string()
    }
}

impl DatasetKind {
    /// Whether MNIST must be fetched into the data folder (or its `MNIST_FOLDER`) first.
    pub fn mnist_dir(self, dir: &Path) -> Option<PathBuf> {
        match self {
            Self::Mnist => Some(dir.to_path_buf()),
            Self::MnistUnipenDigits | Self::MnistUnipenCharacters => Some(dir.join(MNIST_FOLDER)),
            Self::UnipenCharacters | Self::Emnist(_) => None,
        }
    }

    /// Where UNIPEN's tree is (or is to be unpacked), for the data sets that read it.
    pub fn unipen_dir(self, dir: &Path) -> Option<PathBuf> {
        match self {
            Self::UnipenCharacters => Some(dir.to_path_buf()),
            Self::MnistUnipenDigits | Self::MnistUnipenCharacters => Some(dir.join(UNIPEN_FOLDER)),
            Self::Mnist | Self::Emnist(_) => None,
        }
    }

    /// Whether the classes are UNIPEN's characters: digits, letters and symbols.
    pub fn is_characters(self) -> bool {
        matches!(self, Self::UnipenCharacters | Self::MnistUnipenCharacters)
    }

    /// Whether UNIPEN's strokes are among the training data (and so its citation is due).
    pub fn uses_unipen(self) -> bool {
        self.unipen_dir(Path::new("")).is_some()
    }
}

/// The folders of MNIST and of UNIPEN inside the data folder of the mixed data sets.
pub const MNIST_FOLDER: &str = "mnist";
pub const UNIPEN_FOLDER: &str = "unipen";

/// Beside UNIPEN's characters, every fifth MNIST training digit: 12,000, about as many as the
/// training writers' own digits. All 60,000 would make half the training images digits and
/// tilt every round or upright shape towards `0` and `1`, which the line's context then has
/// to undo.
const MNIST_STRIDE_BESIDE_CHARACTERS: usize = 5;

/// Which test set a mix of MNIST and UNIPEN is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MixTest {
    /// MNIST's: the digits model must keep its MNIST accuracy.
    Mnist,
    /// UNIPEN's test writers: the characters model is judged on people's pen strokes.
    Unipen,
}

/// Loads both splits of `kind` from `dir`, validating every file.
pub fn load(kind: DatasetKind, dir: &Path) -> Result<Splits> {
    match kind {
        DatasetKind::Mnist => {
            let labels = (0..10).map(|d| d.to_string()).collect();
            let split = |name| load_split(dir, name, &identity_classes(10), false);
            Ok(Splits {
                train: split("train")?,
                validation: None,
                test: split("t10k")?,
                labels,
                split_facts: Vec::new(),
            })
        }
        DatasetKind::MnistUnipenDigits => mnist_beside_unipen(
            load(DatasetKind::Mnist, &dir.join(MNIST_FOLDER))?,
            1,
            load_unipen(&dir.join(UNIPEN_FOLDER), characters::DIGITS)?,
            MixTest::Mnist,
        ),
        DatasetKind::UnipenCharacters => load_unipen(dir, characters::CHARACTERS),
        DatasetKind::MnistUnipenCharacters => mnist_beside_unipen(
            load(DatasetKind::Mnist, &dir.join(MNIST_FOLDER))?,
            MNIST_STRIDE_BESIDE_CHARACTERS,
            load_unipen(&dir.join(UNIPEN_FOLDER), characters::CHARACTERS)?,
            MixTest::Unipen,
        ),
        DatasetKind::Emnist(emnist) => {
            let prefix = format!("emnist-{}", emnist.name());
            let mapping_path = dir.join(format!("{prefix}-mapping.txt"));
            let mapping = read_mapping(&mapping_path)?;
            let classes: BTreeMap<u8, usize> = mapping
                .keys()
                .enumerate()
                .map(|(class, &label)| (label, class))
                .collect();
            // EMNIST stores each image transposed relative to MNIST.
            let split = |name: &str| load_split(dir, &format!("{prefix}-{name}"), &classes, true);
            Ok(Splits {
                train: split("train")?,
                validation: None,
                test: split("test")?,
                labels: mapping.into_values().collect(),
                split_facts: Vec::new(),
            })
        }
    }
}

fn load_unipen(dir: &Path, selection: characters::Selection) -> Result<Splits> {
    characters::load(
        &characters::locate(dir, &crate::config::repository_root())?,
        selection,
    )
}

/// Every `mnist_stride`-th of MNIST's training images, with their classes renamed to
/// UNIPEN's, beside UNIPEN's training writers' characters; UNIPEN's validation writers, so
/// that early stopping and the "unsure" threshold are judged on people the network never saw
/// rather than on MNIST's look-alike images; the test set `test` names.
fn mnist_beside_unipen(
    mnist: Splits,
    mnist_stride: usize,
    unipen: Splits,
    test: MixTest,
) -> Result<Splits> {
    let classes = mnist
        .labels
        .iter()
        .map(|label| {
            unipen
                .labels
                .iter()
                .position(|l| l == label)
                .with_context(|| {
                    format!(
                        "MNIST's class {label:?} is not among UNIPEN's {:?}",
                        unipen.labels
                    )
                })
        })
        .collect::<Result<Vec<usize>>>()?;
    let rename = |mut sample: Sample| {
        sample.class = classes[sample.class];
        sample
    };
    let facts = |split: &str| {
        unipen
            .split_facts
            .iter()
            .find(|(name, _)| name.starts_with(split))
            .map_or_else(String::new, |(_, counts)| counts.clone())
    };
    let mnist_train: Vec<Sample> = mnist
        .train
        .into_iter()
        .step_by(mnist_stride)
        .map(rename)
        .collect();
    let (test_samples, test_facts) = match test {
        MixTest::Mnist => {
            let facts = format!("{} MNIST test images", mnist.test.len());
            (mnist.test.into_iter().map(rename).collect(), facts)
        }
        MixTest::Unipen => (unipen.test, format!("UNIPEN's {}", facts("test"))),
    };
    let split_facts = vec![
        (
            "train".to_string(),
            format!(
                "{} MNIST images and UNIPEN's {}",
                mnist_train.len(),
                facts("train")
            ),
        ),
        (
            "validation (writers never trained on)".to_string(),
            format!("UNIPEN's {}", facts("validation")),
        ),
        ("test".to_string(), test_facts),
    ];
    let mut train = mnist_train;
    train.extend(unipen.train);
    Ok(Splits {
        train,
        validation: unipen.validation,
        test: test_samples,
        labels: unipen.labels,
        split_facts,
    })
}

fn identity_classes(n: u8) -> BTreeMap<u8, usize> {
    (0..n).map(|label| (label, usize::from(label))).collect()
}

/// Reads `{stem}-images-idx3-ubyte` and `{stem}-labels-idx1-ubyte` (or their `.gz`).
fn load_split(
    dir: &Path,
    stem: &str,
    classes: &BTreeMap<u8, usize>,
    transposed: bool,
) -> Result<Vec<Sample>> {
    let images_path = find_file(dir, &format!("{stem}-images-idx3-ubyte"))?;
    let labels_path = find_file(dir, &format!("{stem}-labels-idx1-ubyte"))?;
    let images = idx::read_images(&images_path)?;
    let labels = idx::read_labels(&labels_path)?;
    if (images.rows, images.cols) != (28, 28) {
        return Err(IdxError::WrongImageSize {
            path: images_path,
            rows: images.rows as u32,
            cols: images.cols as u32,
        }
        .into());
    }
    ensure!(
        images.count == labels.len(),
        "{} holds {} images but {} holds {} labels",
        images_path.display(),
        images.count,
        labels_path.display(),
        labels.len()
    );
    images
        .pixels
        .chunks_exact(GLYPH_PIXELS)
        .zip(&labels)
        .enumerate()
        .map(|(index, (pixels, &label))| {
            let Some(&class) = classes.get(&label) else {
                bail!(
                    "{}: label {label} of sample {index} is outside the {} known classes",
                    labels_path.display(),
                    classes.len()
                );
            };
            let mut sample = Sample {
                pixels: pixels.try_into().expect("chunks are GLYPH_PIXELS long"),
                class,
                strokes: None,
            };
            if transposed {
                transpose(&mut sample.pixels);
            }
            Ok(sample)
        })
        .collect()
}

fn transpose(pixels: &mut [u8; GLYPH_PIXELS]) {
    for y in 0..28 {
        for x in y + 1..28 {
            pixels.swap(y * 28 + x, x * 28 + y);
        }
    }
}

/// The raw file or its gzip-compressed twin.
fn find_file(dir: &Path, name: &str) -> Result<PathBuf> {
    let raw = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    [raw.clone(), gz]
        .into_iter()
        .find(|p| p.is_file())
        .with_context(|| format!("missing {} (or {name}.gz)", raw.display()))
}

/// EMNIST's mapping file: one `label code [code…]` line per class, codes in decimal ASCII.
fn read_mapping(path: &Path) -> Result<BTreeMap<u8, String>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the EMNIST mapping file {}: put the official EMNIST files in that folder",
            path.display()
        )
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let bad = || {
                format!(
                    "{}:{}: expected \"label ascii-code\", found \"{line}\"",
                    path.display(),
                    number + 1
                )
            };
            let mut fields = line.split_whitespace();
            let label: u8 = fields
                .next()
                .and_then(|f| f.parse().ok())
                .with_context(bad)?;
            let code: u32 = fields
                .next()
                .and_then(|f| f.parse().ok())
                .with_context(bad)?;
            let text = char::from_u32(code).with_context(bad)?.to_string();
            Ok((label, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idx::encode;

    /// A synthetic image whose top-left 3×1 strip is ink: asymmetric, so transposition shows.
    fn bar() -> Vec<u8> {
        let mut pixels = vec![0u8; GLYPH_PIXELS];
        pixels[..3].fill(255);
        pixels
    }

    fn write_split(dir: &Path, stem: &str, labels: &[u8]) {
        let images: Vec<u8> = labels.iter().flat_map(|_| bar()).collect();
        let n = labels.len() as u32;
        std::fs::write(
            dir.join(format!("{stem}-images-idx3-ubyte")),
            encode(&[n, 28, 28], &images),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{stem}-labels-idx1-ubyte")),
            encode(&[n], labels),
        )
        .unwrap();
    }

    #[test]
    fn loads_mnist_layout() {
        let dir = tempfile::tempdir().unwrap();
        write_split(dir.path(), "train", &[3, 1, 4]);
        write_split(dir.path(), "t10k", &[1, 5]);
        let splits = load(DatasetKind::Mnist, dir.path()).unwrap();
        assert_eq!(
            splits.train.iter().map(|s| s.class).collect::<Vec<_>>(),
            [3, 1, 4]
        );
        assert_eq!(splits.test.len(), 2);
        assert_eq!(splits.labels.len(), 10);
        assert_eq!(
            splits.train[0].pixels[..3],
            [255, 255, 255],
            "MNIST is not transposed"
        );
    }

    #[test]
    fn loads_emnist_letters_with_mapping_and_transposition() {
        let dir = tempfile::tempdir().unwrap();
        // EMNIST letters: labels start at 1, the mapping has upper- and lower-case codes.
        std::fs::write(
            dir.path().join("emnist-letters-mapping.txt"),
            "1 65 97\n2 66 98\n3 67 99\n",
        )
        .unwrap();
        write_split(dir.path(), "emnist-letters-train", &[1, 3, 2]);
        write_split(dir.path(), "emnist-letters-test", &[2]);
        let splits = load(DatasetKind::Emnist(EmnistSplit::Letters), dir.path()).unwrap();
        assert_eq!(splits.labels, ["A", "B", "C"]);
        assert_eq!(
            splits.train.iter().map(|s| s.class).collect::<Vec<_>>(),
            [0, 2, 1]
        );
        // The horizontal bar in the file becomes a vertical bar: column 0, rows 0..3.
        let pixels = &splits.train[0].pixels;
        assert_eq!([pixels[0], pixels[28], pixels[56]], [255, 255, 255]);
        assert_eq!(pixels[1], 0);
    }

    #[test]
    fn rejects_labels_outside_the_classes() {
        let dir = tempfile::tempdir().unwrap();
        write_split(dir.path(), "train", &[3, 12]);
        write_split(dir.path(), "t10k", &[1]);
        let error = load(DatasetKind::Mnist, dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("label 12 of sample 1"), "{error}");
    }

    #[test]
    fn rejects_count_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        write_split(dir.path(), "train", &[3, 1]);
        write_split(dir.path(), "t10k", &[1]);
        std::fs::write(
            dir.path().join("train-labels-idx1-ubyte"),
            encode(&[3], &[1, 2, 3]),
        )
        .unwrap();
        let error = load(DatasetKind::Mnist, dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("holds 2 images but"), "{error}");
    }

    #[test]
    fn missing_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let error = load(DatasetKind::Mnist, dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("train-images-idx3-ubyte"), "{error}");
        let error = load(DatasetKind::Emnist(EmnistSplit::Balanced), dir.path()).unwrap_err();
        assert!(format!("{error:#}").contains("emnist-balanced-mapping.txt"));
    }

    #[test]
    fn dataset_names_round_trip() {
        for name in [
            "mnist",
            "mnist-unipen-digits",
            "unipen-characters",
            "mnist-unipen-characters",
            "emnist-balanced",
            "emnist-letters",
            "emnist-digits",
            "emnist-byclass",
        ] {
            assert_eq!(name.parse::<DatasetKind>().unwrap().to_string(), name);
        }
        assert!("emnist-bogus".parse::<DatasetKind>().is_err());
    }

    fn splits(train: &[usize], validation: &[usize], test: &[usize], labels: usize) -> Splits {
        let samples = |classes: &[usize]| {
            classes
                .iter()
                .map(|&class| Sample {
                    pixels: [0; GLYPH_PIXELS],
                    class,
                    strokes: None,
                })
                .collect::<Vec<_>>()
        };
        Splits {
            train: samples(train),
            validation: Some(samples(validation)),
            test: samples(test),
            labels: (0..labels).map(|l| l.to_string()).collect(),
            split_facts: vec![
                ("train".into(), "2 characters of 1 writers".into()),
                (
                    "validation (writers never trained on)".into(),
                    "1 characters of 1 writers".into(),
                ),
            ],
        }
    }

    #[test]
    fn unipen_digits_join_mnist_for_training_and_alone_validate() {
        let mnist = Splits {
            validation: None,
            ..splits(&[1, 2, 3], &[], &[4, 5], 10)
        };
        let joined =
            mnist_beside_unipen(mnist, 1, splits(&[7, 8], &[9], &[0], 10), MixTest::Mnist).unwrap();
        let classes = |samples: &[Sample]| samples.iter().map(|s| s.class).collect::<Vec<_>>();
        assert_eq!(classes(&joined.train), [1, 2, 3, 7, 8]);
        assert_eq!(classes(joined.validation.as_deref().unwrap()), [9]);
        assert_eq!(classes(&joined.test), [4, 5], "the test stays MNIST's");
        assert_eq!(
            joined.split_facts[0].1,
            "3 MNIST images and UNIPEN's 2 characters of 1 writers"
        );
        let error = mnist_beside_unipen(
            splits(&[1], &[], &[1], 10),
            1,
            splits(&[1], &[], &[1], 3),
            MixTest::Mnist,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("\"3\" is not among"), "{error}");
    }

    #[test]
    fn a_fifth_of_mnist_joins_unipen_characters_under_their_class_numbers() {
        let mut mnist = Splits {
            validation: None,
            ..splits(&[0, 1, 2, 3, 4, 5, 6], &[], &[4], 10)
        };
        mnist.labels = (0..10).map(|d| d.to_string()).collect();
        let mut unipen = splits(&[12, 13], &[14], &[15], 16);
        unipen.labels = ["A", "B"]
            .into_iter()
            .map(String::from)
            .chain((0..10).map(|d| d.to_string()))
            .chain(["a", "b", "c", "d"].into_iter().map(String::from))
            .collect();
        let joined = mnist_beside_unipen(mnist, 5, unipen, MixTest::Unipen).unwrap();
        let classes = |samples: &[Sample]| samples.iter().map(|s| s.class).collect::<Vec<_>>();
        assert_eq!(
            classes(&joined.train),
            [2, 7, 12, 13],
            "MNIST's 0 and 5, renamed to UNIPEN's class numbers, then UNIPEN's own"
        );
        assert_eq!(classes(joined.validation.as_deref().unwrap()), [14]);
        assert_eq!(classes(&joined.test), [15], "the test is UNIPEN's writers'");
        assert_eq!(joined.labels[2], "0");
        assert_eq!(
            joined.split_facts[0].1,
            "2 MNIST images and UNIPEN's 2 characters of 1 writers"
        );
    }
}
