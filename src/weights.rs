//! The weights file: Burn's burnpack format with this project's metadata inside it.

use std::collections::BTreeMap;

use burn::store::burn_pack::Reader;
use burn::store::{BurnpackStore, ModuleSnapshot, PathFilter};
use burn::tensor::{Bytes, Device};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::glyph::Normalization;
use crate::int8;
use crate::model::{Architecture, Model, ModelConfig};

/// Below this best probability the network has no real candidate: even its likeliest class is
/// a guess among many, so the character shows as unreadable rather than as a wild guess.
const PLAUSIBLE_PROBABILITY: f32 = 0.1;

/// The burnpack metadata key under which [`ModelMetadata`] is stored as JSON.
pub const METADATA_KEY: &str = "handwriting";

/// Everything a user of the weights needs besides the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetadata {
    /// Network family ([`Architecture::name`]); a file loads if this build knows it.
    pub architecture: String,
    /// Revision of that family; must equal [`Architecture::version`] to load.
    pub architecture_version: u32,
    pub config: ModelConfig,
    /// The text each class stands for, in output order.
    pub labels: Vec<String>,
    pub normalization: Normalization,
    /// Data set the weights were trained on, e.g. `mnist`.
    pub dataset: String,
    /// When training finished (RFC 3339, UTC).
    pub trained_at: String,
    /// Where the training data comes from and how to cite it, where its licence asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
    /// Accuracy on the data set's test split, if it was measured.
    pub test_accuracy: Option<f64>,
    /// A best-class probability below this marks the character as unsure. Calibrated on the
    /// validation split by the training crate; `0` (files from before calibration) accepts all.
    #[serde(default)]
    pub rejection_threshold: f32,
    /// The mean ink (see [`crate::Glyph::mean_ink`]) of the training data's glyphs; a character
    /// outside it is unsure whatever the network says. `None` (older files) checks nothing.
    #[serde(default)]
    pub ink_range: Option<InkRange>,
}

/// Bounds on a glyph's mean ink, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InkRange {
    pub min: f32,
    pub max: f32,
}

impl ModelMetadata {
    /// Metadata for a freshly built network of `architecture`.
    pub fn new(
        architecture: Architecture,
        labels: Vec<String>,
        dataset: impl Into<String>,
    ) -> Self {
        Self {
            architecture: architecture.name().to_string(),
            architecture_version: architecture.version(),
            config: ModelConfig::new(labels.len()),
            labels,
            normalization: Normalization::MNIST,
            dataset: dataset.into(),
            citation: None,
            trained_at: String::new(),
            test_accuracy: None,
            rejection_threshold: 0.0,
            ink_range: None,
        }
    }

    /// Whether a character may be shown as read: the network's best probability reaches the
    /// rejection threshold, and the glyph's [`crate::Glyph::mean_ink`] is within the training data's. The
    /// second check catches scratch-outs, which hold far more ink than any digit yet can get
    /// a confident answer from a network that has only seen digits.
    pub fn is_sure(&self, mean_ink: f32, probability: f32) -> bool {
        probability >= self.rejection_threshold
            && self
                .ink_range
                .is_none_or(|range| (range.min..=range.max).contains(&mean_ink))
    }

    /// Whether a character is one at all, if not one the model stands by: its ink is within
    /// the training data's and its best probability is not negligible. What fails this is
    /// shown as [`crate::UNSURE`]; what passes it shows its likeliest label, marked unsure
    /// when [`ModelMetadata::is_sure`] says so.
    pub fn is_plausible(&self, mean_ink: f32, probability: f32) -> bool {
        probability >= PLAUSIBLE_PROBABILITY
            && self
                .ink_range
                .is_none_or(|range| (range.min..=range.max).contains(&mean_ink))
    }

    /// The network family the file names. Known to this build for any metadata that
    /// [`read_metadata`] returned; the default family otherwise.
    pub fn architecture(&self) -> Architecture {
        Architecture::from_name(&self.architecture, self.architecture_version).unwrap_or_default()
    }

    /// A freshly initialised network of the shape this metadata describes.
    pub fn init_model(&self, device: &Device) -> Model {
        self.architecture().init(&self.config, device)
    }

    fn check_compatible(&self) -> Result<(), String> {
        if Architecture::from_name(&self.architecture, self.architecture_version).is_none() {
            let known: Vec<String> = Architecture::ALL.iter().map(|a| a.to_string()).collect();
            return Err(format!(
                "it holds a {} v{} network; this build reads {}",
                self.architecture,
                self.architecture_version,
                known.join(" and ")
            ));
        }
        if self.config.num_classes == 0 {
            return Err("its network has no classes".into());
        }
        // Burn's dropout panics on anything else, even in a network that only infers.
        let dropout = self.config.dropout;
        if !(0.0..1.0).contains(&dropout) {
            return Err(format!(
                "its dropout {dropout} is not a probability in [0, 1)"
            ));
        }
        if self.labels.len() != self.config.num_classes {
            return Err(format!(
                "its metadata lists {} labels for {} classes",
                self.labels.len(),
                self.config.num_classes
            ));
        }
        let std = self.normalization.std;
        if !std.is_finite() || std <= 0.0 {
            return Err("its input normalisation has no positive standard deviation".into());
        }
        Ok(())
    }
}

/// A weights file that cannot be used, with the file's name and what was expected.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("cannot load weights from {origin}: {reason}")]
pub struct WeightsError {
    pub origin: String,
    pub reason: String,
}

/// Serialises a network and its metadata into burnpack bytes.
///
/// The convolution and linear weights are stored as int8 with a scale per output channel: a
/// quarter of float32's download for the page, and within a few test characters of its
/// accuracy (measured, docs/size-and-startup.md). Batch norm stays float32, as its running
/// variance can underflow in float16. Loading turns everything back into float32.
pub fn encode(model: &Model, metadata: &ModelMetadata) -> Result<Vec<u8>, WeightsError> {
    let json = serde_json::to_string(metadata).map_err(|e| WeightsError {
        origin: "memory".into(),
        reason: e.to_string(),
    })?;
    encode_with_metadata_text(model, &json)
}

/// [`encode`] with `metadata_json` written as the metadata verbatim, whether it makes sense or
/// not: for the tests and the fuzzing of what reads weights files.
pub fn encode_with_metadata_text(
    model: &Model,
    metadata_json: &str,
) -> Result<Vec<u8>, WeightsError> {
    let failure = |reason: String| WeightsError {
        origin: "memory".into(),
        reason,
    };
    let mut store = BurnpackStore::from_bytes(None)
        .metadata(METADATA_KEY, metadata_json)
        .with_to_adapter(int8::storage_adapter());
    save_network(model, &mut store).map_err(failure)?;
    let bytes = store.get_bytes().map_err(|e| failure(e.to_string()))?;
    Ok(bytes.to_vec())
}

/// Reads the metadata of a weights file without building the network.
pub fn read_metadata(bytes: &[u8], origin: &str) -> Result<ModelMetadata, WeightsError> {
    parse_metadata(&metadata_entries(bytes, origin)?).map_err(|reason| WeightsError {
        origin: origin.to_string(),
        reason,
    })
}

/// The key/value metadata of a burnpack file, whichever model it holds.
pub(crate) fn metadata_entries(
    bytes: &[u8],
    origin: &str,
) -> Result<BTreeMap<String, String>, WeightsError> {
    let failure = |reason: String| WeightsError {
        origin: origin.to_string(),
        reason,
    };
    if bytes.is_empty() {
        return Err(failure("the file is empty".into()));
    }
    let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).map_err(|e| {
        failure(format!(
            "not a Burn weights (.bpk) file written by the training crate ({e})"
        ))
    })?;
    Ok(reader.metadata().clone())
}

fn parse_metadata(entries: &BTreeMap<String, String>) -> Result<ModelMetadata, String> {
    let json = entries.get(METADATA_KEY).ok_or_else(|| {
        format!("a Burn weights file without the \"{METADATA_KEY}\" metadata: it was not written by this project's training crate")
    })?;
    let metadata: ModelMetadata = serde_json::from_str(json)
        .map_err(|e| format!("its \"{METADATA_KEY}\" metadata is malformed: {e}"))?;
    metadata.check_compatible()?;
    Ok(metadata)
}

/// Starts a network for `metadata` from an existing weights file: all of it when the labels
/// match, only its feature layers otherwise, so that a digits model can seed a letters model
/// with a fresh output layer.
pub fn init_from(
    bytes: &[u8],
    origin: &str,
    metadata: &ModelMetadata,
    device: &Device,
) -> Result<Model, WeightsError> {
    let (source, source_metadata) = decode(bytes, origin, device)?;
    if source_metadata.architecture() != metadata.architecture() {
        return Err(WeightsError {
            origin: origin.to_string(),
            reason: format!(
                "it holds a {} network, not the {} network asked for",
                source_metadata.architecture(),
                metadata.architecture()
            ),
        });
    }
    if source_metadata.labels == metadata.labels {
        return Ok(source);
    }
    let mut model = metadata.init_model(device);
    let mut store = float32_store(bytes)
        .filter(
            PathFilter::new()
                .with_predicate(|path, _| !path.split('.').any(|name| name == "classifier")),
        )
        .allow_partial(true);
    load_network(&mut model, &mut store).map_err(|e| WeightsError {
        origin: origin.to_string(),
        reason: format!(
            "its feature layers do not fit the {} network: {e}",
            metadata.architecture()
        ),
    })?;
    Ok(model)
}

/// Builds the network described by a weights file and loads its tensors, checking every shape.
pub fn decode(
    bytes: &[u8],
    origin: &str,
    device: &Device,
) -> Result<(Model, ModelMetadata), WeightsError> {
    let metadata = read_metadata(bytes, origin)?;
    let mut model = metadata.init_model(device);
    let mut store = float32_store(bytes);
    load_network(&mut model, &mut store).map_err(|e| WeightsError {
        origin: origin.to_string(),
        reason: format!(
            "its tensors do not fit the {} network: {e}",
            metadata.architecture()
        ),
    })?;
    Ok((model, metadata))
}

/// A store reading `bytes` with every tensor turned into float32, the network's dtype (Burn
/// would otherwise keep a float16 tensor as float16): files with int8 weights and older
/// float16 and all-float32 files load alike.
pub(crate) fn float32_store(bytes: &[u8]) -> BurnpackStore {
    BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes.to_vec())))
        .with_from_adapter(int8::float32_adapter())
}

/// Writes the network's tensors into `store` under their paths inside the network
/// (`block1.conv.weight`), without the [`Model`] variant that holds it: the metadata names the
/// family, and files written before there was more than one family keep loading. (Saving and
/// loading the variant's network directly, rather than renaming paths, also keeps burn-store's
/// regex-based renaming, ~700 KiB of wasm, out of the page's module.)
pub fn save_network(model: &Model, store: &mut BurnpackStore) -> Result<(), String> {
    match model {
        Model::VggGap(network) | Model::VggGapWide(network) => network.save_into(store),
        Model::Residual(network) => network.save_into(store),
    }
    .map_err(|e| e.to_string())
}

/// Reads what [`save_network`] wrote into a network of the same family.
fn load_network(model: &mut Model, store: &mut BurnpackStore) -> Result<(), String> {
    match model {
        Model::VggGap(network) | Model::VggGapWide(network) => network.load_from(store).map(drop),
        Model::Residual(network) => network.load_from(store).map(drop),
    }
    .map_err(|e| e.to_string())
}

/// The path under which a weights file stores the tensor at `module_path` of a [`Model`].
pub fn stored_path(module_path: &str) -> &str {
    module_path
        .split_once('.')
        .map_or(module_path, |(_variant, path)| path)
}
