//! Export of a weights file to TensorFlow.js's layers format (`model.json` plus one binary of
//! weights), so that the browser benchmark (`bench/`) can run the very same network with the
//! very same weights on TF.js and compare speed, size and answers like for like.
//!
//! The network is rebuilt layer by layer as a Keras-style `Sequential` model in the
//! channels-last layout TF.js uses. Two layouts differ from Burn's and are converted here:
//! convolution kernels (Burn `[out, in, h, w]`, TF.js `[h, w, in, out]`) and images (Burn
//! NCHW, TF.js NHWC; with one input channel both are the same row-major 28×28 floats, so
//! the input needs no change). Burn's linear weight is already `[in, out]`, as TF.js's dense
//! kernel. Batch norm keeps Burn's epsilon (TF.js's default is 100× larger).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, ensure};
use burn::nn::BatchNormConfig;
use burn::store::{ModuleSnapshot, bridge};
use handwriting::{Architecture, GLYPH_SIDE, Model, ModelMetadata, weights};
use serde_json::{Value, json};

/// The file TF.js's `loadLayersModel` is pointed at.
pub const MODEL_FILE: &str = "model.json";
/// The weights, little-endian float32, in the order `model.json` lists them.
pub const WEIGHTS_FILE: &str = "weights.bin";

/// One step of the network in `handwriting::model::VggGap::forward`, in order.
enum Stage {
    /// 3×3 convolution with "same" padding and no bias, batch norm, ReLU; the Burn module path.
    ConvBnRelu(&'static str),
    /// 2×2 max pooling, stride 2.
    MaxPool,
    /// Mean over the spatial dimensions.
    GlobalAveragePool,
    /// The linear classifier, followed by the softmax the recognizer applies. Dropout before
    /// it is the identity at inference and is left out.
    Classifier,
}

/// `Model::forward`, stage by stage. [`export`] fails if the weights hold a tensor that no
/// stage uses, so a change to the network that is not mirrored here cannot go unnoticed.
const STAGES: [Stage; 8] = [
    Stage::ConvBnRelu("block1"),
    Stage::MaxPool,
    Stage::ConvBnRelu("block2.0"),
    Stage::ConvBnRelu("block2.1"),
    Stage::MaxPool,
    Stage::ConvBnRelu("block3"),
    Stage::GlobalAveragePool,
    Stage::Classifier,
];

/// A network in TF.js's layers format: the contents of [`MODEL_FILE`] and [`WEIGHTS_FILE`].
pub struct TfjsModel {
    pub model_json: Value,
    pub weights: Vec<u8>,
}

/// A tensor read out of the Burn model: its shape and float32 values, row-major.
struct Parameter {
    shape: Vec<usize>,
    values: Vec<f32>,
}

/// Builds the TF.js layers model equivalent to `model`. The metadata's labels and input
/// normalisation go into `userDefinedMetadata`, so that a TF.js caller can normalise its input
/// exactly as the recognizer does.
pub fn export(model: &Model, metadata: &ModelMetadata) -> Result<TfjsModel> {
    // The two widths share the stages; the layers' sizes come from the tensors.
    ensure!(
        matches!(
            model.architecture(),
            Architecture::VggGap | Architecture::VggGapWide
        ),
        "the TF.js export knows the {} and {} networks, not {}",
        Architecture::VggGap,
        Architecture::VggGapWide,
        model.architecture()
    );
    let mut parameters = parameters(model)?;
    let mut layers = Vec::new();
    let mut manifest = Vec::new();
    let mut weights = Vec::new();
    let mut add_weight = |layer: &str, name: &str, shape: &[usize], values: &[f32]| {
        manifest
            .push(json!({ "name": format!("{layer}/{name}"), "shape": shape, "dtype": "float32" }));
        weights.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    };
    let mut take = |path: String| {
        parameters
            .remove(&path)
            .ok_or_else(|| anyhow!("the weights have no tensor {path}"))
    };
    let epsilon = BatchNormConfig::new(1).epsilon;
    let mut pools = 0;

    for stage in &STAGES {
        match stage {
            Stage::ConvBnRelu(path) => {
                let name = path.replace('.', "_");
                let kernel = take(format!("{path}.conv.weight"))?;
                let &[filters, channels_in, kh, kw] = kernel.shape.as_slice() else {
                    return Err(anyhow!("{path}.conv.weight is not 4-D: {:?}", kernel.shape));
                };
                let mut conv = json!({
                    "name": format!("{name}_conv"),
                    "filters": filters,
                    "kernel_size": [kh, kw],
                    "strides": [1, 1],
                    "padding": "same",
                    "data_format": "channels_last",
                    "dilation_rate": [1, 1],
                    "activation": "linear",
                    "use_bias": false,
                });
                if layers.is_empty() {
                    conv["batch_input_shape"] = json!([null, GLYPH_SIDE, GLYPH_SIDE, channels_in]);
                }
                layers.push(layer("Conv2D", conv));
                add_weight(
                    &format!("{name}_conv"),
                    "kernel",
                    &[kh, kw, channels_in, filters],
                    &conv_kernel_to_hwio(&kernel.values, [filters, channels_in, kh, kw]),
                );

                let norm = format!("{name}_norm");
                layers.push(layer(
                    "BatchNormalization",
                    json!({ "name": norm, "axis": -1, "epsilon": epsilon, "center": true, "scale": true }),
                ));
                for (burn_name, tfjs_name) in [
                    ("gamma", "gamma"),
                    ("beta", "beta"),
                    ("running_mean", "moving_mean"),
                    ("running_var", "moving_variance"),
                ] {
                    let parameter = take(format!("{path}.norm.{burn_name}"))?;
                    add_weight(&norm, tfjs_name, &parameter.shape, &parameter.values);
                }
                layers.push(layer(
                    "Activation",
                    json!({ "name": format!("{name}_relu"), "activation": "relu" }),
                ));
            }
            Stage::MaxPool => {
                pools += 1;
                layers.push(layer(
                    "MaxPooling2D",
                    json!({ "name": format!("pool{pools}"), "pool_size": [2, 2], "strides": [2, 2],
                            "padding": "valid", "data_format": "channels_last" }),
                ));
            }
            Stage::GlobalAveragePool => layers.push(layer(
                "GlobalAveragePooling2D",
                json!({ "name": "global_average_pool", "data_format": "channels_last" }),
            )),
            Stage::Classifier => {
                let kernel = take("classifier.weight".into())?;
                let bias = take("classifier.bias".into())?;
                let units = metadata.labels.len();
                ensure!(
                    kernel.shape.len() == 2 && kernel.shape[1] == units,
                    "classifier.weight is {:?}, expected [inputs, {units}]",
                    kernel.shape
                );
                layers.push(layer(
                    "Dense",
                    json!({ "name": "classifier", "units": units, "activation": "softmax", "use_bias": true }),
                ));
                add_weight("classifier", "kernel", &kernel.shape, &kernel.values);
                add_weight("classifier", "bias", &bias.shape, &bias.values);
            }
        }
    }
    ensure!(
        parameters.is_empty(),
        "the weights hold tensors the TF.js export does not know: {:?}",
        parameters.keys().collect::<Vec<_>>()
    );

    let model_json = json!({
        "format": "layers-model",
        "generatedBy": format!("handwriting training {}", env!("CARGO_PKG_VERSION")),
        "convertedBy": null,
        "modelTopology": {
            "class_name": "Sequential",
            "config": { "name": "handwriting", "layers": layers },
            "keras_version": "tfjs-layers 4.22.0",
            "backend": "tensor_flow.js",
        },
        "weightsManifest": [{ "paths": [WEIGHTS_FILE], "weights": manifest }],
        "userDefinedMetadata": {
            "labels": metadata.labels,
            "normalization": metadata.normalization,
            "architecture": format!("{} v{}", metadata.architecture, metadata.architecture_version),
            "trainedAt": metadata.trained_at,
        },
    });
    Ok(TfjsModel {
        model_json,
        weights,
    })
}

/// Writes [`MODEL_FILE`] and [`WEIGHTS_FILE`] into `dir`, creating it if needed.
pub fn write(model: &TfjsModel, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = serde_json::to_string(&model.model_json)?;
    for (file, bytes) in [
        (MODEL_FILE, json.as_bytes()),
        (WEIGHTS_FILE, &model.weights[..]),
    ] {
        crate::atomic::write(&dir.join(file), bytes)?;
    }
    Ok(())
}

/// A Keras-style layer entry of a `Sequential` config.
fn layer(class_name: &str, mut config: Value) -> Value {
    config["trainable"] = json!(false);
    config["dtype"] = json!("float32");
    json!({ "class_name": class_name, "config": config })
}

/// Every tensor of the model by its path in weights files (`block1.conv.weight`, …), as float32.
fn parameters(model: &Model) -> Result<BTreeMap<String, Parameter>> {
    model
        .collect(None, None, false)
        .iter()
        .map(|tensor| {
            let data = bridge::to_data(tensor)
                .map_err(|e| anyhow!("cannot read {}: {e:?}", tensor.name))?
                .convert::<f32>();
            let values = data
                .try_to_vec::<f32>()
                .map_err(|e| anyhow!("cannot read {}: {e:?}", tensor.name))?;
            let shape = data.shape().to_vec();
            let path = weights::stored_path(&tensor.name).to_string();
            Ok((path, Parameter { shape, values }))
        })
        .collect()
}

/// Reorders a convolution kernel from Burn's `[out, in, h, w]` to TF.js's `[h, w, in, out]`.
fn conv_kernel_to_hwio(values: &[f32], [out, inputs, height, width]: [usize; 4]) -> Vec<f32> {
    let mut hwio = vec![0.0; values.len()];
    for o in 0..out {
        for i in 0..inputs {
            for y in 0..height {
                for x in 0..width {
                    hwio[((y * width + x) * inputs + i) * out + o] =
                        values[((o * inputs + i) * height + y) * width + x];
                }
            }
        }
    }
    hwio
}

#[cfg(test)]
mod tests {
    use super::*;
    use handwriting::CpuBackend;

    #[test]
    fn conv_kernels_go_from_out_in_h_w_to_h_w_in_out() {
        // Two filters over one channel, each one row of two taps: out0 = [0, 1], out1 = [2, 3].
        let burn = [0.0, 1.0, 2.0, 3.0];
        // TF.js order: tap 0 of out0, of out1, then tap 1 of out0, of out1.
        assert_eq!(
            conv_kernel_to_hwio(&burn, [2, 1, 1, 2]),
            [0.0, 2.0, 1.0, 3.0]
        );

        // A general shape: each value lands where the TF.js index of its (o, i, y, x) says.
        let shape = [3, 2, 2, 3];
        let burn: Vec<f32> = (0..36).map(|v| v as f32).collect();
        let hwio = conv_kernel_to_hwio(&burn, shape);
        let (o, i, y, x) = (2, 1, 1, 0);
        assert_eq!(
            hwio[((y * 3 + x) * 2 + i) * 3 + o],
            burn[((o * 2 + i) * 2 + y) * 3 + x]
        );
    }

    #[test]
    fn export_uses_every_tensor_and_lists_every_weight() {
        let metadata = ModelMetadata::new(
            Architecture::VggGap,
            (0..10).map(|d| d.to_string()).collect(),
            "mnist",
        );
        let model = metadata.init_model(&CpuBackend::preferred().device());
        let exported = export(&model, &metadata).unwrap();

        let manifest = exported.model_json["weightsManifest"][0]["weights"]
            .as_array()
            .unwrap();
        let floats: usize = manifest
            .iter()
            .map(|w| {
                w["shape"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d.as_u64().unwrap() as usize)
                    .product::<usize>()
            })
            .sum();
        assert_eq!(exported.weights.len(), 4 * floats);
        // Burn's count includes batch norm's running mean and variance, as the export does.
        assert_eq!(floats, model.parameter_count());
        assert_eq!(manifest[0]["name"], "block1_conv/kernel");
        assert_eq!(manifest[0]["shape"], json!([3, 3, 1, 32]));

        let layers = exported.model_json["modelTopology"]["config"]["layers"]
            .as_array()
            .unwrap();
        assert_eq!(
            layers[0]["config"]["batch_input_shape"],
            json!([null, 28, 28, 1])
        );
        assert_eq!(layers[1]["config"]["epsilon"], json!(1e-5));
        assert_eq!(layers.last().unwrap()["config"]["units"], 10);
    }
}
