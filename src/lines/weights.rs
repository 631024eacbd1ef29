//! The line model's weights file: burnpack, like the character models', with metadata of its
//! own kind under its own key, so that neither kind of file loads as the other.

use std::collections::BTreeMap;

use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::image::{HORIZONTAL_STRETCH, LINE_HEIGHT};
use crate::int8;
use crate::model::LineNet;
use crate::weights::{METADATA_KEY, WeightsError, float32_store, metadata_entries};

/// The burnpack metadata key under which [`LineMetadata`] is stored as JSON.
pub const LINE_METADATA_KEY: &str = "handwriting-line";
/// The network family and revision this build reads.
pub const LINE_ARCHITECTURE: &str = "line-cnn";
pub const LINE_ARCHITECTURE_VERSION: u32 = 1;

/// What reading a line needs besides the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineMetadata {
    pub architecture: String,
    pub architecture_version: u32,
    /// The symbols the network writes, in output order after the CTC blank (class 0).
    pub alphabet: String,
    /// Rows of the line images it was trained on; must equal [`LINE_HEIGHT`].
    pub line_height: usize,
    /// Their horizontal stretch; must equal [`HORIZONTAL_STRETCH`].
    pub horizontal_stretch: f32,
    pub dropout: f64,
    /// Data set the weights were trained on.
    pub dataset: String,
    /// When training finished (RFC 3339, UTC).
    pub trained_at: String,
    /// Where the training data comes from and how to cite it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Character error rate on the test writers, if it was measured.
    #[serde(default)]
    pub test_character_error_rate: Option<f64>,
}

impl LineMetadata {
    pub fn new(alphabet: String, dataset: impl Into<String>) -> Self {
        Self {
            architecture: LINE_ARCHITECTURE.to_string(),
            architecture_version: LINE_ARCHITECTURE_VERSION,
            alphabet,
            line_height: LINE_HEIGHT,
            horizontal_stretch: HORIZONTAL_STRETCH,
            dropout: 0.1,
            dataset: dataset.into(),
            trained_at: String::new(),
            citation: None,
            test_character_error_rate: None,
        }
    }

    /// The alphabet as characters, in output order (class `i + 1` is `symbols()[i]`).
    pub fn symbols(&self) -> Vec<char> {
        self.alphabet.chars().collect()
    }

    /// Classes of the network's output: the blank and each symbol.
    pub fn classes(&self) -> usize {
        self.alphabet.chars().count() + 1
    }

    /// A freshly initialised network of the shape this metadata describes.
    pub fn init_network(&self, device: &Device) -> LineNet {
        LineNet::new(self.classes(), self.dropout, device)
    }

    fn check_compatible(&self) -> Result<(), String> {
        if self.architecture != LINE_ARCHITECTURE
            || self.architecture_version != LINE_ARCHITECTURE_VERSION
        {
            return Err(format!(
                "it holds a {} v{} network; this build reads {LINE_ARCHITECTURE} v{LINE_ARCHITECTURE_VERSION}",
                self.architecture, self.architecture_version
            ));
        }
        let symbols = self.symbols();
        if symbols.is_empty() {
            return Err("its alphabet is empty".into());
        }
        let mut sorted = symbols.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != symbols.len() || symbols.iter().any(|c| c.is_control()) {
            return Err("its alphabet repeats a symbol or holds a control character".into());
        }
        if self.line_height != LINE_HEIGHT || self.horizontal_stretch != HORIZONTAL_STRETCH {
            return Err(format!(
                "it was trained on lines {} pixels high stretched {}×; this build draws them {LINE_HEIGHT} high stretched {HORIZONTAL_STRETCH}×",
                self.line_height, self.horizontal_stretch
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(format!(
                "its dropout {} is not a probability in [0, 1)",
                self.dropout
            ));
        }
        Ok(())
    }
}

/// Serialises a line network and its metadata into burnpack bytes, stored as the character
/// models' are ([`crate::weights::encode`]): convolution weights in int8.
pub fn encode_line(network: &LineNet, metadata: &LineMetadata) -> Result<Vec<u8>, WeightsError> {
    let failure = |reason: String| WeightsError {
        origin: "memory".into(),
        reason,
    };
    let json = serde_json::to_string(metadata).map_err(|e| failure(e.to_string()))?;
    let mut store = BurnpackStore::from_bytes(None)
        .metadata(LINE_METADATA_KEY, json)
        .with_to_adapter(int8::storage_adapter());
    network
        .save_into(&mut store)
        .map_err(|e| failure(e.to_string()))?;
    let bytes = store.get_bytes().map_err(|e| failure(e.to_string()))?;
    Ok(bytes.to_vec())
}

/// Reads the metadata of a line model's weights file without building the network.
pub fn read_line_metadata(bytes: &[u8], origin: &str) -> Result<LineMetadata, WeightsError> {
    parse(&metadata_entries(bytes, origin)?).map_err(|reason| WeightsError {
        origin: origin.to_string(),
        reason,
    })
}

fn parse(entries: &BTreeMap<String, String>) -> Result<LineMetadata, String> {
    let Some(json) = entries.get(LINE_METADATA_KEY) else {
        return Err(if entries.contains_key(METADATA_KEY) {
            "it holds a character model, not a line model".into()
        } else {
            format!(
                "a Burn weights file without the \"{LINE_METADATA_KEY}\" metadata: it was not written by this project's training crate"
            )
        });
    };
    let metadata: LineMetadata = serde_json::from_str(json)
        .map_err(|e| format!("its \"{LINE_METADATA_KEY}\" metadata is malformed: {e}"))?;
    metadata.check_compatible()?;
    Ok(metadata)
}

/// Builds the line network a weights file describes and loads its tensors, checking shapes.
pub fn decode_line(
    bytes: &[u8],
    origin: &str,
    device: &Device,
) -> Result<(LineNet, LineMetadata), WeightsError> {
    let metadata = read_line_metadata(bytes, origin)?;
    let mut network = metadata.init_network(device);
    network
        .load_from(&mut float32_store(bytes))
        .map_err(|e| WeightsError {
            origin: origin.to_string(),
            reason: format!("its tensors do not fit the {LINE_ARCHITECTURE} network: {e}"),
        })?;
    Ok((network, metadata))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CpuBackend;

    fn metadata() -> LineMetadata {
        LineMetadata::new(" abc".into(), "test")
    }

    #[test]
    fn a_line_model_reads_back_and_other_files_are_refused_clearly() {
        let device = CpuBackend::preferred().device();
        let network = metadata().init_network(&device);
        let bytes = encode_line(&network, &metadata()).unwrap();
        let (_, read) = decode_line(&bytes, "line.bpk", &device).unwrap();
        assert_eq!(read, metadata());

        let error = decode_line(&bytes[..bytes.len() / 2], "cut.bpk", &device).unwrap_err();
        assert!(error.to_string().contains("cut.bpk"), "{error}");
        let error = decode_line(b"", "empty.bpk", &device).unwrap_err();
        assert!(error.to_string().contains("empty"), "{error}");

        let characters = crate::weights::encode(
            &crate::Architecture::VggGap.init(&crate::ModelConfig::new(3), &device),
            &crate::ModelMetadata::new(
                crate::Architecture::VggGap,
                vec!["a".into(), "b".into(), "c".into()],
                "t",
            ),
        )
        .unwrap();
        let error = decode_line(&characters, "digits.bpk", &device).unwrap_err();
        assert!(error.to_string().contains("character model"), "{error}");
    }

    #[test]
    fn metadata_that_does_not_fit_this_build_is_refused() {
        let mut taller = metadata();
        taller.line_height = 48;
        assert!(taller.check_compatible().unwrap_err().contains("48 pixels"));
        let mut repeated = metadata();
        repeated.alphabet = "aa".into();
        assert!(repeated.check_compatible().is_err());
        let mut future = metadata();
        future.architecture_version = 2;
        assert!(future.check_compatible().unwrap_err().contains("v2"));
    }
}
