//! Weights stored as 8-bit integers: half the bytes of float16, a quarter of float32.
//!
//! Each output channel of a convolution or linear layer gets a scale of its own (its largest
//! magnitude over 127), so a channel of small weights keeps its precision beside one of large
//! ones. The tensors are written in Burn's quantized layout (`DType::QFloat`, symmetric int8,
//! one float32 scale per block, a block being one output channel): the values, then the
//! scales. Loading turns them back into float32, the dtype the networks compute in, and refuses
//! a quantized tensor laid out any other way with an error rather than a guess.

use burn::store::bridge;
use burn::store::burn_pack::{Error as PackError, Tensor as PackTensor};
use burn::store::{
    ChainAdapter, FloatCastAdapter, HalfPrecisionAdapter, ModuleAdapter, ModuleContext,
};
use burn::tensor::quantization::{
    BlockLayout, QuantMode, QuantScheme, QuantStore, QuantValue, ScaleDtype, quantized_data_len,
};
use burn::tensor::{Bytes, DType, Shape, TensorData};

/// Largest magnitude of a symmetric int8 value.
const LEVELS: f32 = 127.0;

/// Where a layer's weight tensor holds its output channels: first for Burn's convolutions
/// (`[out, in, k…]`), last for its linear layers (`[in, out]`).
fn output_axis(module_type: &str, name: &str, rank: usize) -> Option<usize> {
    if !name.ends_with("weight") {
        return None;
    }
    match module_type {
        "Struct:Conv1d" | "Struct:Conv2d" => Some(0),
        "Struct:Linear" => Some(rank - 1),
        _ => None,
    }
}

/// The scheme this crate writes for a weight of `shape` with its output channels along `axis`:
/// one block per output channel, or a few where the channel is longer than Burn's layout lets a
/// block run along one axis (255). `None` where the values would be padded (their count is not
/// a multiple of four) or there are none: such a tensor stays float16.
fn channel_scheme(shape: &Shape, axis: usize) -> Option<QuantScheme> {
    if shape.num_elements() == 0 || !shape.num_elements().is_multiple_of(4) {
        return None;
    }
    let block: Vec<u8> = (0..shape.num_dims())
        .map(|d| if d == axis { 1 } else { longest_run(shape[d]) })
        .collect();
    Some(scheme_with_block(&block))
}

/// The largest divisor of `length` that a block can span along one axis, so that blocks tile
/// the axis exactly.
fn longest_run(length: usize) -> u8 {
    (1..=u8::MAX)
        .rev()
        .find(|&run| length.is_multiple_of(usize::from(run)))
        .expect("1 divides every length")
}

fn scheme_with_block(block: &[u8]) -> QuantScheme {
    QuantScheme::default()
        .with_value(QuantValue::Q8S)
        .with_store(QuantStore::Native)
        .with_mode(QuantMode::Symmetric)
        .per_block(block, ScaleDtype::F32)
}

/// Whether a scheme read from a file is one this crate writes for a tensor of `shape`. Compared
/// whole, as a file's block size is not to be trusted until then (a zero extent would divide by
/// zero).
fn is_written_here(scheme: &QuantScheme, shape: &Shape) -> bool {
    let rank = shape.num_dims();
    rank > 0
        && [0, rank - 1]
            .into_iter()
            .any(|axis| channel_scheme(shape, axis) == Some(*scheme))
}

/// How weights files store tensors: convolution and linear weights as int8, the rest of those
/// layers (biases) as float16, batch norm as float32 (its running variance can underflow in
/// float16).
pub(crate) fn storage_adapter() -> ChainAdapter {
    Int8Adapter.chain(HalfPrecisionAdapter::new())
}

/// How weights files are read: every tensor as float32, the networks' dtype, whether stored as
/// int8, float16 (files written before int8) or float32 (older still).
pub(crate) fn float32_adapter() -> ChainAdapter {
    DequantizeAdapter.chain(FloatCastAdapter::to(DType::F32))
}

/// The save side: convolution and linear weights become int8 with a scale per output channel.
#[derive(Debug, Clone, Default)]
struct Int8Adapter;

impl ModuleAdapter for Int8Adapter {
    fn adapt(&self, tensor: PackTensor, ctx: ModuleContext<'_>) -> PackTensor {
        let axis = ctx
            .module_type()
            .and_then(|module| output_axis(module, &tensor.name, tensor.shape.num_dims()));
        let scheme = axis.and_then(|axis| channel_scheme(&tensor.shape, axis));
        let Some(scheme) = scheme.filter(|_| tensor.dtype == DType::F32) else {
            return tensor;
        };
        let (name, shape) = (tensor.name.clone(), tensor.shape.clone());
        let declared = shape.clone();
        bridge::map_data(tensor, name, DType::QFloat(scheme), shape, move |data| {
            let values: Vec<f32> = data.try_to_vec::<f32>().unwrap_or_default();
            quantize(&values, &declared, scheme)
        })
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(self.clone())
    }
}

/// `values` as int8 with one scale per block of `scheme`, in Burn's quantized layout.
fn quantize(values: &[f32], shape: &Shape, scheme: QuantScheme) -> TensorData {
    let layout = BlockLayout::new(shape, &scheme.block_size().expect("a block scheme"));
    let mut largest = vec![0f32; layout.num_blocks()];
    for (index, value) in values.iter().enumerate() {
        let block = &mut largest[layout.block_of(index)];
        *block = block.max(value.abs());
    }
    // An all-zero channel keeps scale 1, so that dividing by it stays finite.
    let scales: Vec<f32> = largest
        .iter()
        .map(|&max| if max > 0.0 { max / LEVELS } else { 1.0 })
        .collect();
    let mut bytes: Vec<u8> = values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let level = (value / scales[layout.block_of(index)]).round();
            level.clamp(-LEVELS, LEVELS) as i8 as u8
        })
        .collect();
    bytes.extend(scales.iter().flat_map(|scale| scale.to_le_bytes()));
    TensorData::from_bytes(
        Bytes::from_bytes_vec(bytes),
        shape.clone(),
        DType::QFloat(scheme),
    )
}

/// The load side: every quantized tensor becomes float32, or an error where its layout is not
/// this crate's.
#[derive(Debug, Clone, Default)]
struct DequantizeAdapter;

impl ModuleAdapter for DequantizeAdapter {
    fn adapt(&self, tensor: PackTensor, _ctx: ModuleContext<'_>) -> PackTensor {
        let DType::QFloat(scheme) = tensor.dtype else {
            return tensor;
        };
        let (name, shape, param_id) = (tensor.name.clone(), tensor.shape.clone(), tensor.param_id);
        bridge::deferred(name, DType::F32, shape, param_id, move || {
            dequantize(&tensor, scheme)
        })
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(self.clone())
    }
}

fn dequantize(tensor: &PackTensor, scheme: QuantScheme) -> Result<TensorData, PackError> {
    let invalid = |reason: String| {
        PackError::ValidationError(format!("quantized tensor {}: {reason}", tensor.name))
    };
    let shape = &tensor.shape;
    if !is_written_here(&scheme, shape) {
        // Not described further: a file's block size is not safe to format (its length field
        // may run past its storage).
        return Err(invalid("a layout this build does not read".into()));
    }
    let bytes = tensor.to_bytes()?;
    let expected = quantized_data_len(&scheme, shape);
    if bytes.len() != expected {
        return Err(invalid(format!(
            "{} bytes where its shape needs {expected}",
            bytes.len()
        )));
    }
    let (values, scales) = bytes.split_at(shape.num_elements());
    let scales: Vec<f32> = scales
        .chunks_exact(4)
        .map(|chunk| f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect();
    if scales.iter().any(|scale| !scale.is_finite()) {
        return Err(invalid("a scale that is not a finite number".into()));
    }
    let layout = BlockLayout::new(shape, &scheme.block_size().expect("checked above"));
    let values: Vec<f32> = values
        .iter()
        .enumerate()
        .map(|(index, &level)| f32::from(level as i8) * scales[layout.block_of(index)])
        .collect();
    Ok(TensorData::new(values, shape.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_output_channel_keeps_its_own_precision() {
        // Two channels of a conv weight [2, 2, 1, 1]: one of large values, one of tiny ones.
        let shape = Shape::new([2, 2, 1, 1]);
        let values = [1.0, -0.5, 0.001, -0.0005];
        let scheme = channel_scheme(&shape, 0).unwrap();
        let data = quantize(&values, &shape, scheme);
        assert_eq!(data.bytes().len(), quantized_data_len(&scheme, &shape));
        let tensor = PackTensor::new("w".into(), data.dtype(), shape, None, data.bytes().clone());
        let restored: Vec<f32> = dequantize(&tensor, scheme).unwrap().try_to_vec().unwrap();
        for (restored, original) in restored.iter().zip(values) {
            assert!(
                (restored - original).abs() <= original.abs() / 100.0,
                "{restored} for {original}"
            );
        }
    }

    #[test]
    fn a_linear_weight_is_scaled_by_its_last_axis() {
        assert_eq!(output_axis("Struct:Linear", "weight", 2), Some(1));
        assert_eq!(output_axis("Struct:Conv2d", "weight", 4), Some(0));
        assert_eq!(output_axis("Struct:Conv2d", "bias", 1), None);
        assert_eq!(output_axis("Struct:BatchNorm", "gamma", 1), None);
        // Longer than a block may run along one axis: two blocks per output channel.
        let scheme = channel_scheme(&Shape::new([300, 4]), 1).unwrap();
        assert_eq!(scheme.block_size().unwrap().to_dim_vec(2), [150, 1]);
        assert!(channel_scheme(&Shape::new([3, 3]), 1).is_none());
    }

    #[test]
    fn a_foreign_or_truncated_layout_is_refused() {
        let shape = Shape::new([2, 2]);
        let scheme = channel_scheme(&shape, 1).unwrap();
        let data = quantize(&[1.0, 2.0, 3.0, 4.0], &shape, scheme);
        let mut bytes = data.bytes().to_vec();
        bytes.pop();
        let truncated = PackTensor::new(
            "w".into(),
            data.dtype(),
            shape.clone(),
            None,
            Bytes::from_bytes_vec(bytes),
        );
        let error = dequantize(&truncated, scheme).unwrap_err().to_string();
        assert!(error.contains("bytes where its shape needs"), "{error}");

        let packed = QuantScheme::default().with_value(QuantValue::Q4S);
        let zero_block = scheme_with_block(&[0, 1]);
        for foreign in [packed, zero_block] {
            let tensor = PackTensor::new(
                "w".into(),
                DType::QFloat(foreign),
                shape.clone(),
                None,
                data.bytes().clone(),
            );
            let error = dequantize(&tensor, foreign).unwrap_err().to_string();
            assert!(error.contains("does not read"), "{error}");
        }
    }
}
